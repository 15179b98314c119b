"""The tasks context's api."""
