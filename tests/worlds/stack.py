"""Worlds built once and shared by consecutive tests; every test is rolled back to its world.

A *world* is a named set of rows a test starts from (`world`, `case_world`, `dataset`, …),
declared with `@world_fixture`: the decorated function builds it from the worlds it names as
parameters (as a pytest fixture would) and returns what tests receive. Declaring it also
makes a pytest fixture of that name, so test signatures stay as they were.

How the rows are shared: the worlds a test needs (what it asks for, and what those are built
on) form a path, e.g. tree → world → case_world. The stack keeps one open transaction layer
per world built: the first layer a transaction, the rest savepoints inside it. Before a test's
own transaction starts (pytest-django's `_django_db_helper`), the stack is brought to the
test's path: layers the test does not need are rolled back, missing ones are built. The test
then runs in pytest-django's usual savepoint on top, so it sees its world and whatever it
changes is rolled back; the next test of the module that needs the same world reuses it.

What a test receives is a deep copy of what the builders returned (model instances
included), made per test, so a test that changes an instance in memory does not leak into
the next one. Worlds that returned the same object (every world built on `world` returns
world's dict) still share it within a test, as they did when each was a function fixture.

Limits, on purpose:
- The stack lives for one module and a minute at most: it is rolled back after the module's
  last test, before a module- or session-scoped fixture that uses the database (it builds its
  own rows), and before a test that uses the database without any world. PostgreSQL's now()
  is the start of the outermost transaction: the minute keeps it near the wall clock.
- Transactional tests (`transaction=True`, `transactional_db`, `live_server`) commit and
  flush, so they cannot run inside it: the stack is rolled back first and their worlds are
  built for them alone, committed, as before.
- Within a module, tests are grouped by the worlds they need (collection hook at the end of
  this file), so a module that mixes `world` and `case_world` tests builds each once.
"""

from __future__ import annotations

import copy
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction

# a layer older than this is rebuilt before the next test: keeps PostgreSQL's now() within a
# minute of the wall clock for code that compares the two
MAX_AGE_SECONDS = 60.0


@dataclass
class WorldDef:
    name: str
    build: Callable[..., Any]
    needs: tuple[str, ...]
    order: int


WORLDS: dict[str, WorldDef] = {}


def world_fixture(build: Callable[..., Any]):
    """Declare a world: `build`'s parameters name the worlds it builds on."""
    name = build.__name__
    needs = tuple(inspect.signature(build).parameters)
    if name in WORLDS:
        raise LookupError(f"world {name!r} is declared twice")
    WORLDS[name] = WorldDef(name, build, needs, len(WORLDS))

    def fixture(request, db):
        return _values_for(request)[name]

    fixture.__name__ = name
    fixture.__doc__ = build.__doc__
    return pytest.fixture(name=name)(fixture)


def path_of(names) -> list[str]:
    """The worlds to build, in order, for a test asking for `names`."""
    order: list[str] = []

    def visit(name):
        if name not in order:
            for need in WORLDS[name].needs:
                visit(need)
            order.append(name)

    # needs before the worlds built on them; the same set of names always gives the same
    # order (declaration order of the roots), so tests asking for the same worlds share layers
    for name in sorted(set(names), key=lambda n: WORLDS[n].order):
        visit(name)
    return order


def _build(name: str, built: dict[str, Any]) -> Any:
    world = WORLDS[name]
    return world.build(*(built[need] for need in world.needs))


@dataclass
class Layer:
    name: str
    atomic: Any
    built: dict[str, Any]  # every world of the path up to and including this one


@dataclass
class Stack:
    layers: list[Layer] = field(default_factory=list)
    module: str | None = None
    opened_at: float = 0.0
    blocker: Any = None  # pytest-django's django_db_blocker, once the test database exists

    def close(self) -> None:
        if self.layers and self.blocker is not None:
            with self.blocker.unblock():
                self.unwind()

    def unwind(self, keep: int = 0) -> None:
        while len(self.layers) > keep:
            layer = self.layers.pop()
            transaction.set_rollback(True)
            layer.atomic.__exit__(None, None, None)
        if not self.layers:
            self.module = None

    def bring_to(self, path: list[str], module: str) -> None:
        if self.module != module or time.monotonic() - self.opened_at > MAX_AGE_SECONDS:
            self.unwind()
        keep = 0
        while keep < len(self.layers) and keep < len(path) and self.layers[keep].name == path[keep]:
            keep += 1
        self.unwind(keep)
        if not self.layers:
            self.module, self.opened_at = module, time.monotonic()
        for name in path[keep:]:
            built = dict(self.layers[-1].built) if self.layers else {}
            atomic = transaction.atomic()
            atomic._from_testcase = True  # durable blocks may nest in it, as in a TestCase
            atomic.__enter__()
            try:
                built[name] = _build(name, built)
            except BaseException as error:
                atomic.__exit__(type(error), error, error.__traceback__)
                raise
            self.layers.append(Layer(name, atomic, built))

    @property
    def top(self) -> dict[str, Any]:
        return self.layers[-1].built if self.layers else {}


STACK = Stack()


def is_transactional(item) -> bool:
    """pytest-django's own test (plugin.py, _django_db_helper)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        kwargs = marker.kwargs
        if kwargs.get("transaction") or kwargs.get("reset_sequences"):
            return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


def _wanted(item) -> list[str]:
    return [name for name in getattr(item, "fixturenames", ()) if name in WORLDS]


def _values_for(request) -> dict[str, Any]:
    item = request.node
    values = getattr(item, "_world_values", None)
    if values is None:
        path = path_of(_wanted(item))
        if is_transactional(item):
            # committed, for this test alone; the test's flush removes it
            values = {}
            for name in path:
                values[name] = _build(name, values)
        else:
            assert [layer.name for layer in STACK.layers] == path, (
                "the world stack was not brought to this test's worlds before its transaction"
            )
            values = copy.deepcopy(STACK.top)
        item._world_values = values
    return values


@pytest.fixture(scope="session")
def _world_stack(django_db_setup, django_db_blocker):
    STACK.blocker = django_db_blocker
    yield STACK
    STACK.close()
    STACK.blocker = None


def _module_of(item) -> str:
    return item.nodeid.split("::")[0]


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef, request):
    """Bring the stack to the test's worlds just before pytest-django opens its transaction;
    roll it back before a module- or session-scoped fixture that uses the database builds its
    own rows (it must not build them inside another module's world)."""
    if fixturedef.argname == "_django_db_helper":
        item = request.node
        stack = request.getfixturevalue("_world_stack")
        with stack.blocker.unblock():
            if is_transactional(item):
                stack.unwind()
            else:
                stack.bring_to(path_of(_wanted(item)), _module_of(item))
    elif (
        fixturedef.scope != "function"
        and "django_db_blocker" in fixturedef.argnames
        and not fixturedef.argname.startswith(("_django", "django_", "_world_stack"))
    ):
        STACK.close()
    return None


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """A module's worlds end with its last test (after the test's own rollback)."""
    if nextitem is None or _module_of(nextitem) != _module_of(item):
        STACK.close()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Within each run of consecutive tests of one module, tests that need the same worlds run
    together, shorter paths first (tree → world → case_world …), so each layer is built once
    where the tests allow; the order of modules and pytest-django's groups is kept."""
    start = 0
    while start < len(items):
        end = start
        while end < len(items) and _module_of(items[end]) == _module_of(items[start]):
            end += 1
        items[start:end] = sorted(items[start:end], key=lambda item: path_of(_wanted(item)))
        start = end
