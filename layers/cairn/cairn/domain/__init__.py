"""Pure rules of the memory model: no AWS, no HTTP."""
