"""Pagination: page numbers for browsing lists (bounded page size), cursors for the field
app's lists (appointments, cases, visits, notifications), which change while a phone pages
through them: a cursor never repeats or skips a row when new ones arrive."""

from __future__ import annotations

from functools import cache

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import pagination, serializers
from rest_framework.response import Response

from .input import query_int


class StrictPageSize:
    """`?page_size=` outside 1..max_page_size is refused (400 `invalid_parameter`), not
    silently replaced by the default."""

    def get_page_size(self, request):
        size = query_int(request, self.page_size_query_param, minimum=1, maximum=self.max_page_size)
        return self.page_size if size is None else size


class StrictPageNumber(StrictPageSize):
    """`?page=` is a whole number (or `last`); a page past the end stays a 404."""

    def get_page_number(self, request, paginator):
        number = super().get_page_number(request, paginator)
        if number not in self.last_page_strings:
            query_int(request, self.page_query_param, minimum=1, maximum=2**31 - 1)
        return number


class PageNumberPagination(StrictPageNumber, pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class NewestFirstCursor(StrictPageSize, pagination.CursorPagination):
    """Newest first by id (ids only grow), `?page_size=` up to 500 (default 50)."""

    ordering = "-pk"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


CURSOR_PARAMETERS = [
    OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next` or `previous`."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="1–500, default 50."),
]


def cursor_page(request, view, rows, serializer_class, context: dict) -> Response:
    """One page of `rows` newest first, as {next, previous, results}."""
    paginator = NewestFirstCursor()
    page = paginator.paginate_queryset(rows, request, view=view)
    data = serializer_class(page, many=True, context={"request": request, **context}).data
    return paginator.get_paginated_response(data)


@cache
def cursor_page_of(serializer_class) -> type[serializers.Serializer]:
    """The OpenAPI shape of a cursor page of `serializer_class` (for extend_schema)."""
    name = serializer_class.__name__.removesuffix("Serializer")
    return type(
        f"{name}CursorPage",
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
            "__module__": serializer_class.__module__,
        },
    )
