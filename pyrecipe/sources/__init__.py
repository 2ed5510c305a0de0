"""Sources: downloads checked against their checksums, archives unpacked safely, PyPI's URLs."""
