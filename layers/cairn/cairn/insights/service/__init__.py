"""Insights use cases: session metrics, promoted knowledge, contributors, intelligence queries (retrieval
and answer) and actions."""
