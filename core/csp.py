"""Content-Security-Policy on the HTML pages: only the project's own scripts and styles.

Every text/html answer gets the policy below unless its path is in `CSP_EXEMPT_PATHS`
(third-party pages that carry inline scripts: the Django admin, the Swagger UI). The pages of
this project (/map/, its login, /board/{code}/) load scripts and styles from /static/ only —
no inline `<script>` or `<style>`, no `style=""` attributes; data for a script travels in a
`json_script` block, which is not executed. A view that needs one more source for a directive
(the map's optional basemap host for images) says so with `csp_allow(response, ...)`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

HEADER = "Content-Security-Policy"

BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    # the field app's service worker; any worker: a same-origin script, never blob: or data:
    "worker-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}


def csp_allow(response, directive: str, *sources: str):
    """Add sources to one directive of this response's policy."""
    extra = getattr(response, "csp_extra", {})
    extra.setdefault(directive, []).extend(sources)
    response.csp_extra = extra
    return response


def origin_of_template(url: str, subdomains: str = "") -> list[str]:
    """The origins a tile-URL template reaches: `https://t{s}.host/...` with subdomains "01"
    gives https://t0.host and https://t1.host."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []
    hosts = [parts.netloc]
    if "{s}" in parts.netloc:
        hosts = [parts.netloc.replace("{s}", s) for s in (subdomains or "abc")]
    return [f"{parts.scheme}://{host}" for host in hosts]


def policy_for(response) -> str:
    policy = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for name, sources in getattr(response, "csp_extra", {}).items():
        policy.setdefault(name, []).extend(s for s in sources if s not in policy[name])
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            HEADER not in response
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path.startswith(tuple(settings.CSP_EXEMPT_PATHS))
            # Django's debug pages (DEBUG, this machine only) style themselves inline
            and not (settings.DEBUG and response.status_code >= 400)
        ):
            response[HEADER] = policy_for(response)
        return response
