"""The guarded HTTP client every adapter to a service outside AWS uses (Jira, Slack; source connectors later)."""
