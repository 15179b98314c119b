"""The memory context's use cases, and its face to other contexts: search and insights call these modules,
never memory's store or domain."""
