"""The notification outbox as SQL another app's statement can compose: the final INSERT of a
one-statement write (for example routing's record: appointment decision, event and the agent's
notification in one round trip), with the table and its columns taken from the model, so only
this app knows how a notification row is laid out.

Imports only Django and this app's models; must never import another app.
"""

from __future__ import annotations

import re

from .models import Notification


def insert_from(
    source: str, *, kind: str, recipient: str, title: str, body: str, data: str, at: str
) -> str:
    """`INSERT … SELECT … FROM source RETURNING id`: one notification per row of `source` (a CTE
    of the caller's statement), for an account (`recipient`: an SQL expression giving the user
    id). `title`, `body`, `data` (jsonb) and `at` (the creation time) are SQL expressions over
    `source` or the statement's parameters. Returns the new ids, to deliver after commit
    (`services.deliver_on_commit`)."""
    if not re.fullmatch(r"[a-z_]+", kind):
        raise ValueError(f"notification kind {kind!r} is not a plain name")
    meta = Notification._meta
    column = {f.name: f.column for f in meta.concrete_fields}
    return (
        f"INSERT INTO {meta.db_table} ({column['recipient']}, {column['phone']}, {column['kind']}, "
        f"{column['title']}, {column['body']}, {column['data']}, {column['created_at']}, "
        f"{column['read_at']}, {column['delivered_at']}, {column['attempts']}, "
        f"{column['last_error']})\n"
        f"SELECT {recipient}, '', '{kind}', {title}, {body}, {data}, {at}, NULL, NULL, 0, ''\n"
        f"FROM {source}\n"
        "RETURNING id"
    )
