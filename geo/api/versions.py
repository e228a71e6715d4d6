"""Grid versions over HTTP: the `ETag` a grid is read with and the `If-Match` an edit must send.

The comparison itself is a rule and lives in geo.services (under the row lock); this module only
reads the header and, when the service answers 412, adds the current grid for the client to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from core.errors import ApplicationError

from ..services import VersionMismatch

IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description='The grid\'s ETag as last read, e.g. "7". Missing → 428, stale → 412.',
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200],
    description='The grid\'s revision, quoted: "7". Send it back in If-Match to edit.',
)


class PreconditionRequired(ApplicationError):
    status = 428


def etag(revision: int) -> str:
    return f'"{revision}"'


def if_match(request) -> int:
    """The revision named by the request's If-Match header: 428 without one, 400 if unreadable."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() in ("", "*"):
        raise PreconditionRequired(
            "if_match_required",
            _(
                "Send the grid's version in the If-Match header (its ETag, as you read it), "
                "so that nobody's edit is overwritten unseen."
            ),
            details={"header": "If-Match"},
        )
    value = raw.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit() or len(value) > 9:
        raise ApplicationError(
            "invalid_if_match",
            _('If-Match must be a grid version such as "7", not %(got)s.') % {"got": raw[:40]},
            details={"header": "If-Match", "got": raw[:100]},
        )
    return int(value)


def versions_for(codes: Iterable[str], versions: Mapping[str, int] | None) -> dict[str, int]:
    """A merge's `versions` map, one per grid: 428 naming the grids it lacks."""
    versions = versions or {}
    missing = [code for code in codes if code not in versions]
    if missing:
        raise PreconditionRequired(
            "if_match_required",
            _("Send the version of every grid merged in 'versions'; missing: %(codes)s.")
            % {"codes": ", ".join(missing)},
            details={"field": "versions", "missing": missing},
        )
    return dict(versions)


@contextmanager
def current_on_mismatch(render: Callable[[str], dict]):
    """On 412, put the grid as it is now (`render(code)`, in the request's crs) in the details."""
    try:
        yield
    except VersionMismatch as exc:
        exc.details = {**exc.details, "current": render(exc.details["grid"])}
        raise
