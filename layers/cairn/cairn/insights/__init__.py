"""The insights context: session metrics, promoted knowledge, contributors and their activity, intelligence queries
and actions.
"""
