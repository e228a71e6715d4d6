"""The tile path's request floor (issue 20, ADR 0029): the token, its user, the user's active
staff record, the tile's generations and — for a district-wide requester — the cached tile, in
ONE statement.

A cached tile used to cost four round trips before its bytes: Django's connection health check
(`SELECT 1`, CONN_HEALTH_CHECKS), the token and its user, the staff record behind the scope, and
the generations with the cached tile. `TileTokenAuthentication` answers exactly what
accounts.authentication.DeviceTokenAuthentication answers (same header parsing and errors, same
token and user rules: `token_accepted`), and the scope is `people.scope`'s own computation from
the staff row read here (`scope_with_staff`), so the requester and what they may see are the
same as on every other endpoint.

What the statement reads beyond the token is only a head start for the view
(`selectors.Prefetched`), used under conditions that make it exactly what the view would read
itself:

- generations only where the view reads them: when the request cannot be routed to a read
  replica (no replica, or a path that is not routed) everything reads the primary, where the
  token is read too; with a possible replica the view reads them as before (ADR 0031);
- the cached tile only from the table cache, only for a requester the statement guesses is
  district-wide (superuser, or an active staff record with a district-wide role), and under the
  key a district-wide scope gives; the view uses it only if the key it computes from the real
  scope is that same key. A wrong guess costs a second cache read, never a wrong tile.

The health check: instead of `SELECT 1` before the first statement of a request, the statement
itself is the probe — if it fails on a broken connection (OperationalError, InterfaceError) the
connection is closed and the statement sent once more on a new one. A read-only statement may be
repeated; anything else raises as before.
"""

from __future__ import annotations

import functools
import re

from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone
from rest_framework.authentication import SessionAuthentication
from rest_framework.settings import api_settings

from accounts.authentication import (
    DeviceTokenAuthentication,
    token_accepted,
    token_from_row,
    token_select,
)
from accounts.services import token_digest
from core.db import replicas
from people.scope import EVERYTHING_ROLES, Scope, scope_with_staff, staff_from_row, staff_select

from . import cache
from .cells import cell_range
from .generations import counts_sql
from .layers import BUFFER, DEFAULT_FIGURE, EXTENT, FIGURES, LAYERS, MAX_ZOOM
from .selectors import Prefetched, key_suffix

PRIMARY = replicas.PRIMARY
DISTRICT_WIDE = Scope(staff=None, everything=True)


class TileTokenAuthentication(DeviceTokenAuthentication):
    """DeviceTokenAuthentication whose one statement also reads the staff record and, where it
    can, the tile's generations and cached bytes (module docstring)."""

    def authenticate(self, request):
        self._request = request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        request = self._request
        kwargs = (getattr(request, "parser_context", None) or {}).get("kwargs", {})
        plan = _plan(kwargs, request.query_params.get("figure"))
        row, parts, prefetched = _read(token_digest(key), plan)
        token = token_from_row(row[: parts["token_end"]], parts["token"])
        user, token = token_accepted(token)
        staff = staff_from_row(row[parts["token_end"] : parts["staff_end"]], parts["staff"])
        scope_with_staff(user, staff)  # the request's scope, as scope_for computes it
        request.tile_prefetched = prefetched
        return user, token


def prefetch_signed_in(request, kwargs: dict) -> Prefetched | None:
    """For a request signed in by its session (the map page): the staff record, the generations
    and the cached tile in one statement, as for a token — the user is known already."""
    if not isinstance(request.successful_authenticator, SessionAuthentication):
        return None
    user = request.user
    if getattr(user, "_people_scope", None) is not None:
        return None
    plan = _plan(kwargs, request.query_params.get("figure"))
    row, parts, prefetched = _read((user.pk, user.is_superuser), plan)
    scope_with_staff(
        user, staff_from_row(row[parts["token_end"] : parts["staff_end"]], parts["staff"])
    )
    return prefetched


def authentication_classes() -> list:
    """The API's authentication classes with the device token read by the tile path's own."""
    return [
        TileTokenAuthentication if cls is DeviceTokenAuthentication else cls
        for cls in api_settings.DEFAULT_AUTHENTICATION_CLASSES
    ]


def _plan(kwargs: dict, figure: str | None) -> dict | None:
    """The tile the URL names, if it is a valid one and the generations may be read on the
    primary; None otherwise (the view then validates and answers as ever)."""
    route = replicas.current_route()
    if route is not None and route.routable:
        return None  # the request may read a replica: generations are read there (ADR 0031)
    spec = LAYERS.get(kwargs.get("layer", ""))
    numbers = [str(kwargs.get(n, "")) for n in ("z", "x", "y")]
    if not all(re.fullmatch(r"[0-9]{1,8}", n) for n in numbers):
        return None  # the view answers invalid_tile
    z, x, y = (int(n) for n in numbers)
    if spec is None or not (0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z):
        return None
    figure = figure or DEFAULT_FIGURE
    if figure not in FIGURES:
        return None
    if spec.name != "grids":
        figure = "-"
    plan = {"spec": spec, "cells": cell_range(z, x, y, BUFFER / EXTENT), "key": None}
    if cache.in_table() and spec.allowed(DISTRICT_WIDE):
        try:
            scope_key = spec.scope_key(DISTRICT_WIDE, None)
        except AttributeError:  # a key that depends on the staff record: no guess
            return plan
        plan["key"] = (
            f"tile:{spec.name}:",
            key_suffix(spec, scope_key, figure, timezone.now(), (z, x, y)),
        )
    return plan


@functools.cache
def _statement(layer: str | None, look: bool, by_token: bool = True) -> tuple[str, dict]:
    """The statement's text (it depends only on the layer, on whether it looks up a tile and
    on whether the requester is named by a token digest or, signed in already, by user id and
    superuser flag) and where its parts lie in a row."""
    token_sql, token_parts = token_select()
    if not by_token:
        token_sql, token_parts = "SELECT %s::bigint AS user_id, %s::boolean AS is_superuser", []
    staff_sql, staff_parts = staff_select("(SELECT user_id FROM tok)")
    token_end = sum(len(fields) for _model, fields in token_parts) if by_token else 2
    parts = {
        "token": token_parts,
        "staff": staff_parts,
        "token_end": token_end,
        "staff_end": token_end + sum(len(fields) for _model, fields in staff_parts),
    }
    if layer is None:
        sql = f"WITH tok AS ({token_sql}), st AS ({staff_sql}) "
        sql += "SELECT tok.*, st.* FROM (SELECT 1) one LEFT JOIN tok ON true LEFT JOIN st ON true"
        return sql, parts
    counts, _params = counts_sql([], [], (1, 1, 0, 0))
    sql = (
        f"{counts}, tok AS ({token_sql}), st AS ({staff_sql}), "
        "k AS (SELECT string_agg(generation, '-' ORDER BY ord) AS gens FROM gens) "
    )
    if not look:
        sql += (
            "SELECT tok.*, st.*, k.gens, NULL, false "
            "FROM k LEFT JOIN tok ON true LEFT JOIN st ON true"
        )
        return sql, parts
    looked = "(tok.is_superuser OR st.roles::text[] && %s::text[])"
    sql += (
        f"SELECT tok.*, st.*, k.gens, c.data, coalesce({looked}, false) "
        "FROM k LEFT JOIN tok ON true LEFT JOIN st ON true "
        f"LEFT JOIN tiles_tilecache c ON {looked} "
        "AND c.key = %s || k.gens || %s AND c.expires > now()"
    )
    return sql, parts


EVERYTHING = sorted(str(role) for role in EVERYTHING_ROLES)


def _read(requester: str | tuple[int, bool], plan: dict | None):
    """The row for a token digest or a signed-in (user id, is superuser)."""
    by_token = isinstance(requester, str)
    named = [requester] if by_token else list(requester)
    if plan is None:
        sql, parts = _statement(None, False, by_token)
        return _fetchone(sql, named), parts, None
    spec = plan["spec"]
    _counts, params = counts_sql([*spec.sources, *spec.whole_sources], spec.sources, plan["cells"])
    sql, parts = _statement(spec.name, plan["key"] is not None, by_token)
    params += named
    if plan["key"] is None:
        row = _fetchone(sql, params)
        return row, parts, Prefetched(spec.name, plan["cells"], PRIMARY, row[-3])
    prefix, suffix = plan["key"]
    row = _fetchone(sql, [*params, EVERYTHING, EVERYTHING, prefix, suffix])
    gens, data, looked_up = row[-3:]
    prefetched = Prefetched(
        layer=spec.name,
        cells=plan["cells"],
        alias=PRIMARY,
        gens=gens,
        looked=bool(looked_up),
        key=prefix + gens + suffix,
        data=bytes(data) if data is not None else None,
    )
    return row, parts, prefetched


def _fetchone(sql: str, params: list):
    """One read-only statement on the primary, its first row; the statement doubles as the
    connection's health check (module docstring)."""
    connection = connections[PRIMARY]
    probe = (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
        and not connection.in_atomic_block
    )
    if probe:
        connection.health_check_done = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    except (OperationalError, InterfaceError):
        if not probe:
            raise
        connection.close()  # broken while idle: once more on a new connection
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
