"""Automake-style test results ("PASS: name", "FAIL: name", "SKIP: name" a line), the form in which
OpenEmbedded's ptest-runner and pyrecipe's ``pyrecipe test`` read a run-ptest's output."""
