"""The dependency graph: which recipe variant satisfies each name, and what is native."""
