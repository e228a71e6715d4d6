from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.db import connections
        from django.db.backends.signals import connection_created
        from django_q import signals as q_signals

        from . import context

        connection_created.connect(context.install, dispatch_uid="audit.install")
        q_signals.pre_execute.connect(context.task_started, dispatch_uid="audit.task_started")
        # sent in the worker after each task; older django-q2 releases lack it, and then each
        # task's context simply replaces the one before (a worker runs one task at a time)
        finished = getattr(q_signals, "post_execute_in_worker", None)
        if finished is not None:
            finished.connect(context.task_finished, dispatch_uid="audit.task_finished")
        # a connection opened before this app was ready (by another app's ready()) gets it too
        for connection in connections.all(initialized_only=True):
            context.install(connection=connection)
