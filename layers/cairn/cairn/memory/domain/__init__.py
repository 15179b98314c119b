"""Pure rules of the memory model: branch lifecycle, milestone hashing, recall view shapes. Imports only core."""
