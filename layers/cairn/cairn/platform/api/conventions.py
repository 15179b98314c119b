"""Conventions shared by the platform routes (docs/platform.md, "Conventions").

- List routes take ``limit``, ``offset``, ``sortBy`` (a whitelist per route), ``sortOrder`` and ``q`` through
  ``list_query(...)`` and answer ``ListEnvelope``: ``{data, page, sort, filters}``.
- Mutating routes REQUIRE ``Idempotency-Key`` (``IdempotencyRequired``): a missing key is a 400 naming the header;
  a present one is replayed exactly as on the memory routes (``cairn.http.idempotency``).
- ``x-workspace-id`` is checked by ``cairn.http.auth.authenticate`` (403 when it differs from the token's tenant).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel

from cairn.aws.listing import ListQuery, SortOrder
from cairn.core.errors import InvalidInput
from cairn.core.limits import PAGE_LIMIT_MAX
from cairn.http.auth import Principal, authenticate
from cairn.http.idempotency import HEADER, Once

DEFAULT_LIMIT = 25
OFFSET_MAX = 10_000
Q_MAX = 200

T = TypeVar("T")
__all__ = ["IdempotencyRequired", "ListEnvelope", "ListQuery", "envelope", "list_query"]


def list_query(sort_fields: tuple[str, ...], default_sort: str,
               default_order: SortOrder = "desc") -> Callable[..., ListQuery]:
    """A dependency parsing the list conventions; ``sortBy`` outside ``sort_fields`` is a 400 naming sortBy."""
    if default_sort not in sort_fields:
        raise ValueError(f"default sort {default_sort!r} is not among {sort_fields}")

    def dependency(
        limit: Annotated[int, Query(ge=1, le=PAGE_LIMIT_MAX)] = DEFAULT_LIMIT,
        offset: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
        sortBy: Annotated[str, Query(max_length=64)] = default_sort,  # noqa: N803 - the spec's name
        sortOrder: Annotated[SortOrder, Query()] = default_order,  # noqa: N803 - the spec's name
        q: Annotated[str | None, Query(min_length=1, max_length=Q_MAX)] = None,
    ) -> ListQuery:
        if sortBy not in sort_fields:
            raise InvalidInput(f"sortBy must be one of: {', '.join(sort_fields)}", field="sortBy")
        return ListQuery(limit=limit, offset=offset, sort_by=sortBy, sort_order=sortOrder, q=q)

    return dependency


class PageInfo(BaseModel):
    limit: int
    offset: int
    returned: int
    total: int


class SortInfo(BaseModel):
    by: str
    order: SortOrder


class ListEnvelope(BaseModel, Generic[T]):
    data: list[T]
    page: PageInfo
    sort: SortInfo
    filters: dict[str, Any]


def envelope(data: list[T], total: int, query: ListQuery, filters: Mapping[str, Any]) -> ListEnvelope[T]:
    """``filters`` echoes the filters in force (``q`` included), omitting those not sent."""
    applied = {name: value for name, value in {**filters, "q": query.q}.items() if value is not None}
    return ListEnvelope[T](
        data=data,
        page=PageInfo(limit=query.limit, offset=query.offset, returned=len(data), total=total),
        sort=SortInfo(by=query.sort_by, order=query.sort_order),
        filters=applied,
    )


class RequiredOnce(Once):
    """``Once`` for the platform routes: the key is required, and the route's own role dependency (an operator,
    a data admin) decides who may call it, not the memory routes' writer roles."""

    def __init__(self, request: Request, response: Response,
                 principal: Annotated[Principal, Depends(authenticate)]) -> None:
        if request.headers.get(HEADER) is None:
            raise InvalidInput("Idempotency-Key header is required on this route", field="Idempotency-Key")
        super().__init__(request, response, principal)


IdempotencyRequired = Annotated[RequiredOnce, Depends(RequiredOnce)]
