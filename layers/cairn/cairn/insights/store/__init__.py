"""Insights items: session metrics, knowledge, contributors, executed actions."""
