"""The platform routes: health probes."""
