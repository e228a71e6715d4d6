"""The shape of the tree: imports point one way (no module imports back into a module that
imports it, however indirectly — imports inside functions included), and no module grows past
what one reader holds in their head.

Pure `ast` over the source files: no Django, no database, nothing imported.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 600


def first_party_packages() -> list[str]:
    """The project's packages, as pyproject.toml lists them for packaging (one list to keep)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted(p.rstrip("*").rstrip(".") for p in patterns)


def modules() -> dict[str, Path]:
    """Every first-party module but migrations, by dotted name (a package by its own name)."""
    found = {}
    for package in first_party_packages():
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def import_graph(found: dict[str, Path]) -> dict[str, set[str]]:
    """module → the first-party modules it imports, from every Import/ImportFrom node wherever
    it stands (module level, function, TYPE_CHECKING block). `from p import x` counts as
    importing `p.x` when that is a module, else `p`."""

    def resolve(name: str) -> str | None:
        while name and name not in found:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {name: set() for name in found}
    for name, path in found.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                targets = [
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in found else source
                    for alias in node.names
                ]
            for target in targets:
                resolved = resolve(target)
                if resolved and resolved != name:
                    graph[name].add(resolved)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_package_list_covers_the_apps():
    packages = first_party_packages()
    assert {"core", "appointments", "cases", "notifications", "residents", "server"} <= set(
        packages
    )
    missing = [p for p in packages if not (ROOT / p / "__init__.py").exists()]
    assert not missing, f"listed in pyproject.toml but not a package: {missing}"


def test_the_checker_sees_a_cycle_made_by_an_import_inside_a_function(tmp_path):
    (tmp_path / "a").mkdir()
    files = {
        "a": tmp_path / "a" / "__init__.py",
        "a.x": tmp_path / "a" / "x.py",
        "a.y": tmp_path / "a" / "y.py",
        "a.z": tmp_path / "a" / "z.py",
    }
    files["a"].write_text("")
    files["a.x"].write_text("from . import y\n")
    files["a.y"].write_text("def later():\n    from .x import something\n")
    files["a.z"].write_text("import a.x\n")
    graph = import_graph(files)
    assert graph == {"a": set(), "a.x": {"a.y"}, "a.y": {"a.x"}, "a.z": {"a.x"}}
    assert cycles(graph) == [["a.x", "a.y"]]


def test_no_import_cycles():
    """No module imports back into a module that imports it, directly or through others."""
    found = modules()
    graph = import_graph(found)
    assert sum(len(targets) for targets in graph.values()) > len(found)  # the graph is real
    circles = cycles(graph)
    assert not circles, (
        "import cycles (each a set of modules importing one another):\n"
        + "\n".join(" ↔ ".join(c) for c in circles)
    )


def _source_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ("tests", ".venv", "node_modules") or parts[0].startswith("."):
            continue
        if "migrations" in parts:
            continue
        yield path


def test_no_module_over_the_line_limit():
    """One module, one reason to change: none over 600 lines (migrations and tests aside)."""
    long = {
        str(path.relative_to(ROOT)): n
        for path in _source_files()
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines (split them by reason to change): {long}"
