"""Issue 15: the CLI's revenue report names product groups with their number and taxonomy,
and flags rows of local goods."""

from __future__ import annotations

from ocop_cli.main import report_key


def test_a_group_row_prints_its_name_number_and_taxonomy() -> None:
    row = {"key": "Thực phẩm", "code": 1, "taxonomy": "2023", "local_goods": False}
    assert report_key(row) == "Thực phẩm (nhóm 1, 2023)"


def test_a_local_goods_row_is_flagged_and_other_rows_print_their_key() -> None:
    row = {"key": "Giỏ mây", "code": None, "taxonomy": None, "local_goods": True}
    assert report_key(row) == "Giỏ mây [hàng địa phương, không OCOP]"
    assert report_key({"key": "2026-03-10"}) == "2026-03-10"
