"""One connector per provider, each a real HTTP client of the provider's API against the connection's base
URL, answering normalized records page by page (``base``)."""

from __future__ import annotations

from cairn.sources.adapters.base import Connector
from cairn.sources.adapters.confluence import Confluence
from cairn.sources.adapters.github import GitHub
from cairn.sources.adapters.jira import Jira
from cairn.sources.adapters.slack import Slack

CONNECTORS: dict[str, Connector] = {
    connector.provider: connector for connector in (Slack(), GitHub(), Jira(), Confluence())}


def connector_for(provider: str) -> Connector:
    return CONNECTORS[provider]
