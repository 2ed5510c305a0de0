"""What a build leaves for the user: the image, its manifests and SPDX document, .debs, --destdir."""
