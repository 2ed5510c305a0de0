"""Configuration: the settings of a run, the layers and their recipes, the distro from an SDK."""
