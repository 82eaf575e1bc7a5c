"""Every status a sales route sets by hand is in its OpenAPI document (a fuzz run met
``POST /fair-series`` answering an undocumented 200 for a replay)."""

from ocop_sales.app import build
from ocop_testkit.openapi import undocumented_statuses


def test_every_status_a_route_sets_is_documented() -> None:
    assert list(undocumented_statuses(build()[1])) == []
