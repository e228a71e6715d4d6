"""Django's database router: reads where core.db.replicas says, writes on the primary (ADR 0031).
Outside a routed request (workers, commands, tests without replicas) everything is "default"."""

from __future__ import annotations

from . import replicas


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return replicas.read_alias()

    def db_for_write(self, model, **hints):
        return replicas.PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == replicas.PRIMARY
