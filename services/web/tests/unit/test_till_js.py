"""The till's pure JavaScript, run in Node 20: the VietQR payload against booths' Python
``vietqr_payload`` (the same bytes), the text helpers (search without diacritics, money,
receipt numbers, payment codes, the discount rule as sales' ``check_price``), the queue's
backoff and a batch refusal's sale, and the dictionary: both languages complete, every key
the app uses present."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ocop_booths.domain.fees import vietqr_payload
from ocop_web.assets import STATIC

TILL = STATIC / "till"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is needed for the till's modules")


def node(script: str) -> Any:
    """Runs an ES module script in Node with the till's folder as its base; answers the JSON
    it prints."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", script],
        cwd=TILL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def module(name: str) -> str:
    return (TILL / name).as_uri()


CASES = [
    {"bankBin": "970436", "account": "0123456789", "amountVnd": 120000, "purpose": "OCOPK7Q2M1"},
    {"bankBin": "970415", "account": "1", "amountVnd": 1, "purpose": "OCOP00000123456"},
    {
        "bankBin": "970418",
        "account": "ABC1234567890123456",
        "amountVnd": 499_999_999,
        "purpose": "OCOPZZZZZ2147483647",
    },
    {"bankBin": "970422", "account": "99887766", "amountVnd": 2_000_000, "purpose": "Phí gian A1"},
    {
        "bankBin": "970407",
        "account": "19036",
        "amountVnd": 35_000,
        "purpose": "a very long purpose with symbols !@# and more than 25 characters",
    },
]


def test_the_vietqr_payload_is_booths_own_byte_for_byte() -> None:
    got = node(
        f'import {{ vietqrPayload }} from "{module("vietqr.js")}";'
        f"const cases = {json.dumps(CASES)};"
        "console.log(JSON.stringify(cases.map((c) => vietqrPayload(c))));"
    )
    expected = [
        vietqr_payload(
            bank_bin=c["bankBin"],
            account=c["account"],
            amount_vnd=c["amountVnd"],
            purpose=c["purpose"],
        )
        for c in CASES
    ]
    assert got == expected
    assert got[0].endswith(expected[0][-4:]) and len(got[0]) > 60


def test_the_vietqr_payload_refuses_what_booths_refuses() -> None:
    got = node(
        f'import {{ vietqrPayload }} from "{module("vietqr.js")}";'
        "const bad = [{bankBin: '97043', account: '1', amountVnd: 1, purpose: 'x'},"
        " {bankBin: '970436', account: '12345678901234567890', amountVnd: 1, purpose: 'x'},"
        " {bankBin: '970436', account: '12-34', amountVnd: 1, purpose: 'x'},"
        " {bankBin: '970436', account: '1234', amountVnd: 0, purpose: 'x'},"
        " {bankBin: '970436', account: '1234', amountVnd: 1.5, purpose: 'x'}];"
        "console.log(JSON.stringify(bad.map((c) => { try { vietqrPayload(c); return null; }"
        " catch (e) { return e.field; } })));"
    )
    assert got == ["bank_bin", "account", "account", "amount_vnd", "amount_vnd"]


def test_text_helpers() -> None:
    got = node(
        f'import * as x from "{module("text.js")}";'
        "console.log(JSON.stringify({"
        " fold: x.fold('  Chè ĐƯỜNG   Hoa  '),"
        " matches: [x.matches('che duong', 'Chè Đường Hoa hộp 200 g'),"
        "  x.matches('đuong hoa', 'Chè Đường Hoa'), x.matches('tra', 'Chè Đường Hoa'),"
        "  x.matches('mien dong', 'Miến dong', 'HTX Bình Liêu')],"
        " money: [x.money(1250000), x.money(0), x.money(999)],"
        " parsed: [x.parseVnd('1.250.000'), x.parseVnd('1 250 000 ₫'), x.parseVnd('hai'),"
        "  x.parseVnd('')],"
        " receipt: x.receiptLabel('K7Q2M', 123), code: x.paymentCode('K7Q2M', 123),"
        " codeMax: x.paymentCode('K7Q2M', 2147483647),"
        " discounts: [x.maxDiscount(1, 120000, 20), x.maxDiscount(3, 33333, 20),"
        "  x.maxDiscount(7, 9999, 15), x.maxDiscount(2, 50000, 0)],"
        " codes: [x.normaliseCode('k7q2-m9xa-3b5c'), x.normaliseCode('OIL1 abcd efgh')],"
        " valid: [x.isPairingCode('K7Q2M9XA3B5C'), x.isPairingCode('K7Q2M9XA3B5U'),"
        "  x.isPairingCode('K7Q2M9XA3B5')],"
        " sale: [x.saleIdFrom('http://a.vn/till/sale/3F2C1D4E-5A6B-4C7D-8E9F-0A1B2C3D4E5F'),"
        "  x.saleIdFrom('8934567890123')],"
        " countdown: x.countdown(86399.5)"
        "}));"
    )
    assert got["fold"] == "che duong hoa"
    assert got["matches"] == [True, True, False, True]
    assert got["money"] == ["1.250.000\u00a0₫", "0\u00a0₫", "999\u00a0₫"]
    assert got["parsed"] == [1250000, 1250000, None, None]
    assert got["receipt"] == "K7Q2M-000123"
    assert got["code"] == "OCOPK7Q2M123"
    assert re.fullmatch(r"[A-Z0-9]{6,19}", got["codeMax"])  # sales' payment_code pattern
    # sales' check_price: a line's total never below ceil(list value × (100 − pct) / 100).
    for (quantity, price, pct), most in zip(
        [(1, 120000, 20), (3, 33333, 20), (7, 9999, 15), (2, 50000, 0)],
        got["discounts"],
        strict=True,
    ):
        floor = -(-quantity * price * (100 - pct) // 100)
        assert most == quantity * price - floor
    assert got["codes"] == ["K7Q2M9XA3B5C", "0111ABCDEFGH"]
    assert got["valid"] == [True, False, False]
    assert got["sale"] == ["3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f", None]
    assert got["countdown"] == "23:59:59"


def test_the_queue_backs_off_from_1_to_60_seconds_with_jitter_and_names_a_refused_sale() -> None:
    got = node(
        f'import {{ backoff, namedSale, BATCH }} from "{module("sync.js")}";'
        "console.log(JSON.stringify({"
        " low: [0,1,2,3,6,7,12].map((n) => backoff(n, () => 0)),"
        " high: [0,1,2,3,6,7,12].map((n) => backoff(n, () => 1)),"
        " batch: BATCH,"
        " named: namedSale({detail: [{type: 'string_pattern_mismatch',"
        "  loc: ['body', 'sales', 3, 'payments', 0, 'payment_code'], msg: 'bad'}]}),"
        " none: namedSale({detail: 'x'})"
        "}));"
    )
    assert got["high"] == [1000, 2000, 4000, 8000, 60000, 60000, 60000]
    assert got["low"] == [500, 1000, 2000, 4000, 30000, 30000, 30000]
    assert got["batch"] == 50
    assert got["named"] == {
        "index": 3,
        "field": "payments.0.payment_code",
        "code": "string_pattern_mismatch",
        "message": "bad",
    }
    assert got["none"] is None


def test_the_dictionary_is_complete_in_both_languages_and_holds_every_key_used() -> None:
    got = node(
        f'import {{ DICT, t, setLanguage, refusalText }} from "{module("i18n.js")}";'
        "const vi = Object.keys(DICT.vi).sort(), en = Object.keys(DICT.en).sort();"
        "setLanguage('vi'); const viWaiting = t('waiting_n', {n: 3});"
        "const viRefusals = [refusalText({code: 'receipt_taken', field: 'receipt_no'}),"
        " refusalText({code: 'invalid', field: 'lines.0.product_id', message: 'no longer'})];"
        "setLanguage('en'); const enWaiting = [t('waiting_n', {n: 1}), t('waiting_n', {n: 2})];"
        "const placeholders = {};"
        "for (const lang of ['vi', 'en']) for (const [k, v] of Object.entries(DICT[lang]))"
        " placeholders[lang + ':' + k] = JSON.stringify(v).match(/\\{\\w+\\}/g)?.sort() ?? [];"
        "console.log(JSON.stringify({vi, en, viWaiting, enWaiting, viRefusals, placeholders}));"
    )
    assert got["vi"] == got["en"]
    keys = set(got["vi"])
    used: set[str] = set()
    for path in TILL.glob("*.js"):
        source = path.read_text()
        used |= set(re.findall(r'\bt\(\s*"([a-z0-9_]+)"', source))
        used |= set(re.findall(r'\["\w+", "(menu_\w+)"\]', source))
        used |= {f"refusal_{k}" for k in re.findall(r't\("refusal_(\w+)"', source)}
    used |= {f"reason_{r}" for r in ("revoked", "expired", "suspended", "blocked")}
    used |= {f"method_{m}" for m in ("cash", "vietqr", "card", "ewallet")}
    assert used, "no keys found: the pattern is wrong"
    assert not used - keys, f"missing: {sorted(used - keys)}"
    for key in keys:  # the same placeholders in both languages
        assert set(got["placeholders"][f"vi:{key}"]) == set(got["placeholders"][f"en:{key}"]), key
    assert got["viWaiting"] == "3 đơn chờ gửi"
    assert got["enWaiting"] == ["1 sale waiting to upload", "2 sales waiting to upload"]
    assert got["viRefusals"] == [
        "Số hóa đơn này đã được dùng cho một đơn khác.",
        "Sản phẩm không còn được bán lúc bán (chứng nhận bị thu hồi hoặc hết hạn).",
    ]


def test_the_modules_load_no_other_host() -> None:
    for path in [
        *TILL.glob("*.js"),
        *TILL.glob("*.css"),
        Path(TILL.parent.parent, "templates", "till", "shell.html"),
    ]:
        text = path.read_text()
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), path.name
