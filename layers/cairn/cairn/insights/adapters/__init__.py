"""Adapters of insights ports to outside services: the Bedrock answerer, Jira Cloud and Slack actions."""
