"""Registration's authorization table is what the README shows, and covers every route."""

from __future__ import annotations

from pathlib import Path

from ocop_registration.adapters.http.authorization import TABLE
from ocop_registration.app import build
from ocop_shared.authz import PLATFORM_RULES, api_routes

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_authorization_table() -> None:
    text = README.read_text()
    shown = text.split("<!-- authz:begin -->\n", 1)[1].split("\n<!-- authz:end -->", 1)[0]
    assert shown == TABLE.markdown(), (
        "services/registration/README.md: paste TABLE.markdown() between the authz markers"
    )


def test_every_route_has_exactly_one_rule() -> None:
    _, app = build()
    TABLE.with_rules(PLATFORM_RULES).check_covers(api_routes(app.routes))
