"""Tile ranges: the zoom-16 cells (slippy-map tiles of zoom 16, about 600 m across in China)
that tile generations are counted per.

A write bumps the cells its rows' bounding boxes cover (`tiles/sql/tiles_bump_cells.sql`, which
numbers cells like `tiles_cell_range`); a tile's key reads the bumps of the cells its envelope
covers, widened by the 64-unit buffer a tile draws beyond its edge. So a booking invalidates the
few tiles over its location and its agent's grids, not the layer district-wide.
"""

from __future__ import annotations

import math

CELL_ZOOM = 16
CELLS = 2**CELL_ZOOM


def cell_range(z: int, x: int, y: int, margin: float) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1), inclusive: the cells a tile z/x/y covers with `margin` (a fraction of
    the tile's side) on each side."""
    scale = 2.0 ** (CELL_ZOOM - z)

    def clamp(n: float) -> int:
        return max(0, min(CELLS - 1, math.floor(n)))

    return (
        clamp((x - margin) * scale),
        clamp((y - margin) * scale),
        clamp((x + 1 + margin) * scale),
        clamp((y + 1 + margin) * scale),
    )
