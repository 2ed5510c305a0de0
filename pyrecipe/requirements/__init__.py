"""A user's requirement set (``requirements.txt``, ``pyproject.toml``, ``pylock.toml``) made into
build targets: resolved for the board by an existing resolver (:mod:`.resolve`, uv's), followed
exactly as a PEP 751 lock (:mod:`.lockfile`), each locked package pinned to its recipe and
checked against the lock's hashes (:mod:`.targets`)."""
