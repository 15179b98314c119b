"""Field limits of the memory API (memory-api.md) in one place, so that validation and docs agree."""

from __future__ import annotations

PROJECT_ID_MAX = 128
PROJECT_NAME_MAX = 256
ROADMAP_MAX = 10_000
BRANCH_NAME_MAX = 256
BRANCH_PURPOSE_MAX = 2_000
CUMULATIVE_PROGRESS_MAX = 50_000
THIS_CONTRIBUTION_MAX = 10_000
MERGE_SUMMARY_MAX = 50_000
LOG_CONTENT_MAX = 50_000
# Where the spec names a field without a length, Cairn bounds it (docs/memory-model.md).
AGENT_ID_MAX = 256
AGENT_TYPE_MAX = 64
ABANDON_REASON_MAX = 2_000
SEGMENT_NAME_MAX = 128
SEGMENT_NAME_PATTERN = r"^[A-Za-z0-9._-]+$"
METADATA_DOCUMENT_MAX_BYTES = 100_000
# Objects and arrays nested in any request body (docs/errors.md): deeper documents cannot be answered.
JSON_DEPTH_MAX = 64

BRANCH_VIEW_DEFAULT_LIMIT = 10
LOG_VIEW_DEFAULT_LIMIT = 20
PAGE_LIMIT_MAX = 100

# Search (memory-api.md "Search", "Cross-Project Search").
SEARCH_QUERY_MAX = 500
PROJECT_SEARCH_LIMIT_DEFAULT, PROJECT_SEARCH_LIMIT_MAX = 20, 100
TENANT_SEARCH_LIMIT_DEFAULT, TENANT_SEARCH_LIMIT_MAX = 50, 200
SEARCH_PROJECT_IDS_MAX = 100
# Contributor activity (memory-api.md "Get Contributor Activity").
ACTIVITY_LIMIT_DEFAULT, ACTIVITY_LIMIT_MAX = 50, 200
KNOWLEDGE_SUMMARY_MAX = 10_000  # promoted knowledge (insights promote, the MCP cairn_remember tool)
