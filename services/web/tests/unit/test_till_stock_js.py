"""The till's stock at the booth (issue 15), run in Node 20: what is left counts the sales
waiting to upload and the cart; a product not tracked (``stock`` null) is never held back;
online the till refuses to add beyond what is left, offline it allows it as an oversell; the
words for "Hết hàng", what is left and sales' ``out_of_stock`` refusal (set aside with its
reason) in both languages."""

from __future__ import annotations

from .test_till_js import module, node, pytestmark  # noqa: F401  (Node needed)


def test_what_is_left_and_whether_one_more_may_be_added() -> None:
    got = node(
        f'import * as s from "{module("stock.js")}";'
        "const tea = {product_id: 'tea', stock: 5, sold_out: false};"
        "const gone = {product_id: 'gone', stock: 0, sold_out: true};"
        "const free = {product_id: 'free', stock: null, sold_out: false};"
        "const queue = [{body: {lines: [{product_id: 'tea', quantity: 2}]}},"
        " {body: {lines: [{product_id: 'tea', quantity: 1}, {product_id: 'free', quantity: 9}]}}];"
        "const pending = s.pendingByProduct(queue);"
        "console.log(JSON.stringify({"
        " pending,"
        " left: [s.left(tea, 3, 1), s.left(free, 0, 4), s.left(gone)],"
        " soldOut: [s.soldOut(tea, 3, 2), s.soldOut(tea, 3, 1), s.soldOut(gone), s.soldOut(free, 99, 99),"
        "  s.soldOut({product_id: 'x', stock: null, sold_out: true})],"
        " online: [s.canAdd(tea, {pending: 3, inCart: 1, adding: 1, online: true}),"
        "  s.canAdd(tea, {pending: 3, inCart: 2, adding: 1, online: true}),"
        "  s.canAdd(free, {pending: 50, inCart: 50, adding: 5, online: true})],"
        " offline: s.canAdd(gone, {adding: 2, online: false}),"
        " negative: s.canAdd({product_id: 'o', stock: -3}, {online: true})"
        "}));"
    )
    assert got["pending"] == {"tea": 3, "free": 9}
    assert got["left"] == [1, None, 0]
    assert got["soldOut"] == [True, False, True, False, True]
    assert got["online"] == [
        {"ok": True, "oversell": False, "left": 1},
        {"ok": False, "oversell": False, "left": 0},  # the till says no, plainly
        {"ok": True, "oversell": False, "left": None},  # not tracked: never held back
    ]
    assert got["offline"] == {"ok": True, "oversell": True, "left": 0}  # reported as oversold
    assert got["negative"] == {"ok": False, "oversell": False, "left": 0}


def test_the_words_for_stock_and_the_out_of_stock_refusal() -> None:
    got = node(
        f'import {{ t, setLanguage, refusalText }} from "{module("i18n.js")}";'
        "const words = (lang) => { setLanguage(lang); return ["
        " t('sold_out'), t('stock_left', {n: 3}),"
        " t('stock_not_enough', {name: 'Chè Đường Hoa', n: 2}), t('stock_oversell_note'),"
        " refusalText({code: 'out_of_stock', field: 'lines.1.quantity', message: 'only 0 left'}),"
        " refusalText({detail: 'only 0 left', code: 'out_of_stock', field: 'lines.0.quantity'}),"
        " refusalText({field: 'lines.0.quantity', status: 409, message: 'x'})]; };"
        "console.log(JSON.stringify({vi: words('vi'), en: words('en')}));"
    )
    assert got["vi"][:4] == [
        "Hết hàng",
        "Còn 3",
        "Không đủ hàng: Chè Đường Hoa chỉ còn 2.",
        "Đang ngoại tuyến: vẫn bán được, nhưng đơn này sẽ được báo cáo là bán vượt tồn.",
    ]
    assert got["vi"][4:] == ["Không đủ hàng tại gian hàng lúc bán (hết hàng)."] * 3
    assert got["en"][0] == "Sold out" and got["en"][1] == "3 left"
    assert got["en"][4] == "Not enough stock at the booth at the time of the sale (sold out)."
