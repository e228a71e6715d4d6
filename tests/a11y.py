"""Accessibility checks in a real page: axe-core (npm, pinned in tests/frontend/package.json,
vendored by scripts/vendor-frontend into tests/vendor/, never served) evaluated in the page over
the DevTools protocol — which the page's Content-Security-Policy does not govern, so the page
under test keeps its real policy — and run against WCAG 2.1 A/AA and best practice."""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@cache
def _source() -> str:
    return AXE.read_text()


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """The page's violations of at least the given impacts: rule, impact, a few targets."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_source())
    found = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
            }));
        }""",
        TAGS,
    )
    return [v for v in found if v["impact"] in impacts]
