"""Insights use cases: retrieval for intelligence queries, executing actions."""
