"""Worlds shared across test packages, registered once in tests/conftest.py (pytest_plugins).

- stack.py: how worlds are built once and shared by consecutive tests (read it first).
- geo.py: `tree` (district → street → communities C1, C2 with their centres).
- people.py: `world` (the tree, grids A, B, C, one person per role, grid assignments).
- appointments.py: `routed_world` (world + agent3 backup on A, items MZ-001 and QT-000).
- cases.py: `case_world` (world + the approval window, item MZ-002) and helpers to move cases.
- tiles.py: `item` (a catalogue item on its own, for tiles and maps).

Worlds used by one package only are declared in that package's conftest.py with the same
`@world_fixture` decorator.
"""
