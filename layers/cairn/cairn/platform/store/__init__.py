"""The platform's items and reads of shared storage (the health probes here)."""
