"""pyrecipe: cross-compile Python packages for embedded Linux boards, Yocto/Buildroot style."""

__version__ = "0.1.0"
