"""The engine: a build joined from its steps, task signatures, scheduling, running one task inside its walls."""
