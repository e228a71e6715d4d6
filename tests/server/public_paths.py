"""The public surface of the URL map, as data: what tests/server/public_paths.json records.

Three parts, each sorted so that moving code around does not reorder the file:

- ``openapi``: every path of the OpenAPI schema, its methods and their operationIds;
- ``routes``: every URL pattern the root resolver can reach, as the full route string Django
  reports in ``ResolverMatch.route`` (the admin only as its prefix: its pages follow the models);
- ``samples``: a concrete URL for each route (converters filled with sample values) plus a few
  hand-written ones for the regex routes (Open311, the API's 404), and the route each one
  resolves to. This catches a route shadowed by another after includes are reordered.

Regenerate deliberately, after a change of public paths was meant:

    DJANGO_SETTINGS_MODULE=server.settings.test scripts/with-db \\
        .venv/bin/python -m tests.server.public_paths --write
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("public_paths.json")

# Sample values per path converter; a literal segment never equals these.
SAMPLE_VALUES = {"int": "7", "str": "sample", "slug": "sample-slug", "path": "a/b", "uuid": None}

# Regex routes cannot be filled in mechanically: these URLs stand for them.
EXTRA_SAMPLES = [
    "/open311/v2/services.json",
    "/open311/v2/services/sample.xml",
    "/open311/v2/requests.json",
    "/open311/v2/requests/sample.json",
    "/open311/v2/discovery.json",
    "/open311/v2/services",
    "/api/",
    "/api/v1/",
    "/api/v1/no-such-thing/",
    "/api/v2/grids/",
    "/admin/",
]

ADMIN_PREFIX = "admin/"


def _join(prefix: str, route: str) -> str:
    # as django.urls.resolvers.URLResolver._join_route builds ResolverMatch.route
    if not prefix:
        return route
    return prefix + route.removeprefix("^")


def _walk(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        route = _join(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            if route == ADMIN_PREFIX:
                yield route
                continue
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def routes() -> list[str]:
    from django.urls import get_resolver

    return sorted(set(_walk(get_resolver().url_patterns)))


_CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def sample_for(route: str) -> str | None:
    """A URL that this route matches, or None for a regex route."""
    if "(?P<" in route or "$" in route or route == ADMIN_PREFIX:
        return None

    def fill(match: re.Match) -> str:
        value = SAMPLE_VALUES.get(match.group("converter") or "str")
        if value is None:
            raise ValueError(f"no sample value for {match.group(0)}")
        return value

    return "/" + _CONVERTER.sub(fill, route.removeprefix("^"))


def samples() -> dict[str, str | None]:
    from django.urls import Resolver404, resolve

    urls = [url for url in (sample_for(r) for r in routes()) if url is not None]
    answer: dict[str, str | None] = {}
    for url in sorted({*urls, *EXTRA_SAMPLES}):
        try:
            match = resolve(url)
        except Resolver404:
            answer[url] = None
        else:
            route = match.route
            answer[url] = ADMIN_PREFIX if route.startswith(ADMIN_PREFIX) else route
    return answer


def openapi() -> dict[str, dict[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        path: {
            method: operation.get("operationId", "") for method, operation in sorted(ops.items())
        }
        for path, ops in sorted(schema["paths"].items())
    }


def collect() -> dict:
    return {"openapi": openapi(), "routes": routes(), "samples": samples()}


def render(surface: dict) -> str:
    return json.dumps(surface, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    import django

    django.setup()
    text = render(collect())
    if "--write" in argv:
        SNAPSHOT.write_text(text)
        print(f"wrote {SNAPSHOT}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
