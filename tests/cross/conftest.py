"""The fault-seeding layer's fixtures for tests/cross/test_reliability.py, shared with the
hostile suite (tests/hostile/conftest.py)."""

from __future__ import annotations

from reliability_fixtures import http_dir, layer  # noqa: F401
