"""The README's "Who may do what" shows the service's authorization table as it is in the
code (``TABLE.markdown()``), between ``<!-- authz:begin -->`` and ``<!-- authz:end -->``.

Written for any service: ``documented_table`` and ``check_readme_shows`` take a README and a
table, so a shared helper can replace this file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ocop_booths.adapters.http.authorization import TABLE
from ocop_shared.authz import AuthorizationTable

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- authz:begin -->", "<!-- authz:end -->"
SECTION = "## Who may do what"


def documented_table(text: str) -> str:
    """What the README shows between the markers, inside its "Who may do what" section."""
    section = text.partition(f"\n{SECTION}\n")[2]
    assert section, f"the README needs a section {SECTION!r}"
    section = re.split(r"^## ", section, maxsplit=1, flags=re.MULTILINE)[0]
    assert section.count(BEGIN) == 1 and section.count(END) == 1, (
        f"the section needs one {BEGIN} ... {END}"
    )
    return section.partition(BEGIN)[2].partition(END)[0].strip()


def check_readme_shows(readme: Path, table: AuthorizationTable) -> None:
    shown, wanted = documented_table(readme.read_text()), table.markdown().strip()
    assert shown == wanted, (
        f"{readme}: the authorization table is out of date; put this between the markers:\n{wanted}"
    )


def test_the_readme_shows_the_authorization_table() -> None:
    check_readme_shows(README, TABLE)


def test_a_stale_table_is_noticed(tmp_path: Path) -> None:
    rows = TABLE.markdown().splitlines()
    stale = "\n".join(rows[:-1])  # a route left out
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{SECTION}\n\n{BEGIN}\n{stale}\n{END}\n\n## Next\n")
    with pytest.raises(AssertionError, match="out of date"):
        check_readme_shows(readme, TABLE)
    readme.write_text(f"# x\n\n{SECTION}\n\n{BEGIN}\n{TABLE.markdown()}\n{END}\n")
    check_readme_shows(readme, TABLE)
