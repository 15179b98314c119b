"""Reads a whole run from a connector the way the sync state machine does: page after page, the watermark the
newest seen."""

from __future__ import annotations

from typing import Any

from cairn.sources.adapters.base import Connection, Connector, Record


def read_run(connector: Connector, connection: Connection, config: dict[str, Any],
             cursor: str = "") -> tuple[list[list[Record]], str]:
    pages: list[list[Record]] = []
    page_token: str | None = None
    watermark = ""
    while True:
        page = connector.fetch_page(connection, config, cursor, page_token)
        pages.append(page.records)
        watermark = connector.newer(watermark, page.watermark)
        page_token = page.next_page
        if page_token is None:
            return pages, watermark
