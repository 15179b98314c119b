"""The tasks context's domain."""
