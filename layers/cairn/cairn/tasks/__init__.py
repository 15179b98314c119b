"""The tasks context: task runs, the model catalog, usage and project indexes (docs/task-engine.md)."""
