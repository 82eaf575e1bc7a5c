"""Issue 15: sales' revenue report answers a product group by its Vietnamese name (key) with
its number (code) and taxonomy; the web's pages name it in the reader's language by the
number, and a name given as the key is shown as it is, never "Group Thực phẩm"."""

from __future__ import annotations

from ocop_web.pages.dashboard import row_key
from ocop_web.pages.product_groups import ProductGroups

GROUPS = ProductGroups.of(
    [
        {
            "taxonomy": "2023",
            "decision": "148/QĐ-TTg",
            "groups": [{"number": 1, "name_vi": "Thực phẩm", "name_en": "Food"}],
        }
    ]
)


def test_a_group_row_is_keyed_by_its_number_and_other_rows_by_their_key() -> None:
    assert row_key({"key": "Thực phẩm", "code": 1, "taxonomy": "2023"}) == "1"
    assert row_key({"key": "Hạ Long", "code": None}) == "Hạ Long"
    assert row_key({"key": "4"}) == "4"  # a report older than the names


def test_a_name_given_as_the_key_is_shown_as_it_is() -> None:
    assert GROUPS.name("2023", "Thực phẩm") == "Thực phẩm"
    assert GROUPS.name("2019", "Thảo dược") == "Thảo dược"
    assert "7" in GROUPS.name("2023", 7)  # a number registration does not name
