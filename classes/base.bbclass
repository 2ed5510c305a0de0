# Inherited by every recipe (through the configuration). Declares the tasks and their order;
# the Python tasks call into pyrecipe.steps, where the real work is written and tested.

addtask fetch
addtask unpack after do_fetch
addtask patch after do_unpack
addtask configure after do_patch
addtask compile after do_configure
addtask install after do_compile
addtask qa after do_install
addtask populate_sysroot after do_qa
addtask test after do_populate_sysroot
addtask build after do_populate_sysroot do_test

do_build[noexec] = "1"

# Packages for distributions: PACKAGE_FORMAT = "deb" (in local.conf or a recipe; deferred so the
# recipe's own setting counts) adds do_package.
inherit_defer ${@bb.utils.contains('PACKAGE_FORMAT', 'deb', 'package_deb', '', d)}
# do_install starts from an empty ${D}: a rerun after an interrupted or changed install must not
# trip over its own half-made tree (`ln -s` into an existing link) or ship files it no longer makes.
do_install[cleandirs] = "${D}"
# Only do_fetch reaches the network; every other task runs in a network namespace of its own.
do_fetch[network] = "1"

python base_do_fetch() {
    import pyrecipe.steps
    pyrecipe.steps.fetch(d)
}

python base_do_unpack() {
    import pyrecipe.steps
    pyrecipe.steps.unpack(d)
}

python base_do_patch() {
    import pyrecipe.steps
    pyrecipe.steps.patch(d)
}

base_do_configure() {
	:
}

base_do_compile() {
	:
}

base_do_install() {
	:
}

python base_do_qa() {
    import pyrecipe.steps
    pyrecipe.steps.qa(d)
}

python base_do_populate_sysroot() {
    import pyrecipe.steps
    pyrecipe.steps.populate_sysroot(d)
}

python base_do_test() {
    import pyrecipe.steps
    pyrecipe.steps.test(d)
}

EXPORT_FUNCTIONS do_fetch do_unpack do_patch do_configure do_compile do_install do_qa do_populate_sysroot do_test
