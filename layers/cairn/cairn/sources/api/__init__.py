"""Routes of the sources context: sources, records and connections."""
