"""Insights items: session metrics, knowledge, contributors, their activity, executed actions."""
