"""The one application error type: a stable code the app can switch on, a human message.

Domain services raise `ApplicationError` (or a subclass); the API layer renders it as
`{"error": {"code": ..., "message": ..., "details": {...}}}`. Nothing here imports Django apps.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A refusal the caller can act on. `status` is the HTTP status the API answers with."""

    status = 400

    def __init__(
        self,
        code: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details or {}
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotFound(ApplicationError):
    """Missing, or outside what the requester may see: the two look the same on purpose."""

    status = 404


class PermissionDenied(ApplicationError):
    """The requester sees the object but may not do this to it."""

    status = 403


class Conflict(ApplicationError):
    """The request is well formed but the current state forbids it."""

    status = 409
