"""Recipe tools: ``pyrecipe create`` writes a recipe for a PyPI project."""
