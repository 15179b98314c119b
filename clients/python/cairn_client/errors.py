"""The SDK's error, importable without httpx (the capture hooks catch it and must start fast)."""

from __future__ import annotations


class ApiError(Exception):
    """The API's error body (docs/errors.md), or a transport failure (status 0, code ``unreachable``)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None,
                 correlation_id: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message, self.field = status, code, message, field
        self.correlation_id = correlation_id
