"""Adapters to services outside Cairn's own store: Amazon Bedrock, Jira Cloud, Slack, Secrets Manager."""
