"""Tracking codes residents read aloud and type: 10 characters without look-alikes (no 0/O,
1/I/L), about 8 × 10¹⁴ of them."""

from __future__ import annotations

import secrets
from collections.abc import Callable

TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_tracking_code(taken: Callable[[str], bool], length: int = 10) -> str:
    """A random code for which `taken(code)` is false."""
    while True:
        code = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(length))
        if not taken(code):
            return code
