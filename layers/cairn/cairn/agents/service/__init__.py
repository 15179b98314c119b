"""Use cases of the agents context: the brief, assembled from memory and search."""
