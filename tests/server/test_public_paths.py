"""Public paths change only on purpose: the OpenAPI paths (with methods and operationIds), every
URL route (pages, Open311, the API) and what sample URLs resolve to equal the committed snapshot.

After a change that was meant to alter them, regenerate the snapshot (see
tests/server/public_paths.py) and commit it with the change."""

import difflib
import json

from tests.server import public_paths


def _diff(part: str, expected, actual) -> str:
    dump = lambda value: json.dumps(value, indent=2, ensure_ascii=False).splitlines()  # noqa: E731
    lines = difflib.unified_diff(dump(expected), dump(actual), "snapshot", "code", lineterm="")
    return f"public {part} changed:\n" + "\n".join(lines)


def _snapshot() -> dict:
    return json.loads(public_paths.SNAPSHOT.read_text())


def test_openapi_paths_methods_and_operation_ids_are_unchanged():
    expected = _snapshot()["openapi"]
    actual = public_paths.openapi()
    assert actual == expected, _diff("OpenAPI paths", expected, actual)


def test_url_routes_are_unchanged():
    expected = _snapshot()["routes"]
    actual = public_paths.routes()
    assert actual == expected, _diff("routes", expected, actual)


def test_sample_urls_resolve_to_the_same_routes():
    expected = _snapshot()["samples"]
    actual = public_paths.samples()
    assert actual == expected, _diff("resolutions", expected, actual)


def test_every_route_but_the_regex_ones_has_a_sample_that_resolves_to_it():
    """No route is shadowed by one listed before it (e.g. grids/merge/ by grids/<code>/)."""
    samples = public_paths.samples()
    for route in public_paths.routes():
        url = public_paths.sample_for(route)
        if url is not None:
            assert samples[url] == route, (url, samples[url], route)


def test_every_app_is_included_under_its_own_namespace():
    """Route names are "<app>:<name>": no app's routes land in the flat, project-wide namespace."""
    from django.urls import URLResolver, get_resolver

    def includes(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                module = getattr(pattern.urlconf_module, "__name__", None)
                if module is None:  # a list of includes (api_v1)
                    yield from includes(pattern.url_patterns)
                else:
                    yield module, pattern.namespace

    found = dict(includes(get_resolver().url_patterns))
    apps = {module: namespace for module, namespace in found.items() if module.endswith("urls")}
    assert len(apps) == 21, sorted(apps)
    assert [module for module, namespace in apps.items() if not namespace] == []
    assert len(set(apps.values())) == len(apps)
