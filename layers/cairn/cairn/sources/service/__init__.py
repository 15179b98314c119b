"""Use cases of the sources context; other contexts use sources only through these modules."""
