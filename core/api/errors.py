"""Rendering of every API error in the one shape the mobile app switches on."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "details": details or {}}}


def error_response(
    code: str, message: str, status: int, details: dict[str, Any] | None = None
) -> JsonResponse:
    return JsonResponse(
        error_body(code, message, details), status=status, json_dumps_params={"ensure_ascii": False}
    )
