# OpenEmbedded's siteinfo: facts about the target that a configure step cannot test by running
# code. pyrecipe gives the two that recipes read, from TARGET_ARCH: SITEINFO_BITS (32 or 64) and
# SITEINFO_ENDIANNESS (le or be). (OE also gives autoconf CONFIG_SITE files; pyrecipe builds no
# autotools projects.)
def siteinfo_facts(d):
    arch = d.getVar("TARGET_ARCH") or ""
    bits = "64" if any(arch.startswith(a) for a in ("aarch64", "x86_64", "riscv64", "powerpc64", "ppc64", "mips64", "loongarch64", "s390x")) else "32"
    endian = "be" if arch in ("aarch64_be", "armeb", "mips", "mips64", "powerpc", "powerpc64", "ppc", "ppc64", "s390x") else "le"
    return bits, endian

SITEINFO_BITS = "${@siteinfo_facts(d)[0]}"
SITEINFO_ENDIANNESS = "${@siteinfo_facts(d)[1]}"
