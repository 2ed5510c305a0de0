"""What the classes' Python tasks call: base (sources, test), meson, cargo, qa, package, sysroot."""
