"""Passing a matter to the provincial government service platform (省政务服务平台).

Out of scope for now: the step is recorded by hand. This is the outbound-adapter interface a
later integration fills (settings.CASES["OUTBOUND"] names the class); whatever it returns is
stored on the `forward` event.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string


class Outbound:
    name = "base"

    def forward(self, case, *, note: str) -> dict:  # pragma: no cover - interface
        """Pass the accepted matter on; return a reference to store on the event."""
        raise NotImplementedError


class ManualOutbound(Outbound):
    """The default: staff carry the papers and record the step by hand."""

    name = "manual"

    def forward(self, case, *, note: str) -> dict:
        return {"channel": self.name, "reference": None}


def outbound() -> Outbound:
    return import_string(settings.CASES["OUTBOUND"])()
