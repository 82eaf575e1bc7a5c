"""The README's "Who may do what" is the authorization table the app runs with."""

from __future__ import annotations

import re
from pathlib import Path

from ocop_sales.adapters.http.authorization import TABLE

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_shows_the_authorization_table_as_the_code_has_it() -> None:
    text = README.read_text()
    assert "\n## Who may do what\n" in text
    found = re.search(r"<!-- authz:begin -->\n(.*?)\n<!-- authz:end -->", text, flags=re.DOTALL)
    assert found, "the README needs the table between <!-- authz:begin --> and <!-- authz:end -->"
    assert found.group(1).strip() == TABLE.markdown().strip(), (
        "the README's table is out of date; paste TABLE.markdown() between the markers"
    )
