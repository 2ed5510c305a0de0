# Packages that find their libraries with pkg-config: the build environment's pkg-config wrapper
# already looks only into the machine's sysroot; this names the host tool as a dependency.
DEPENDS:append = " pkgconfig-native"
