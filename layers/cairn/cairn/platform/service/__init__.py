"""The platform's use cases (health and engine status here; the other platform engineers add theirs)."""
