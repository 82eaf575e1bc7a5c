"""Money and dates written the Vietnamese way, every string translated, the services' error
bodies on the right fields, and the vendored assets as pinned."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from ocop_web import assets, i18n
from ocop_web.api import ApiError
from ocop_web.forms import FORM, Field, FormState
from ocop_web.messages import BY_CODE, BY_FIELD

WEB = Path(__file__).resolve().parents[2]
SOURCE = WEB / "src" / "ocop_web"


def test_money_and_dates_the_vietnamese_way() -> None:
    assert i18n.money(1_250_000) == "1.250.000\u00a0₫"
    assert i18n.number(1234567) == "1.234.567"
    assert i18n.day(date(2026, 3, 7)) == "07/03/2026"
    # 20:30 UTC on 31/12 is already 01/01 in Viet Nam (UTC+7)
    assert i18n.day(datetime(2025, 12, 31, 20, 30, tzinfo=UTC)) == "01/01/2026"
    assert i18n.moment("2025-12-31T20:30:00+00:00") == "01/01/2026 03:30"
    assert i18n.money(None) == "" and i18n.day(None) == ""


def test_every_string_has_its_vietnamese_translation() -> None:
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            SOURCE,
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
        )
    }
    assert found
    with (SOURCE / "locales" / "vi" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalogue = read_po(f, locale="vi")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]  # a plural: its singular, as extracted
        for m in catalogue
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(found - translated)
    assert not missing, f"add to vi/messages.po (see ocop_web/i18n.py): {missing}"


def test_the_error_catalogue_is_translated_with_its_placeholders() -> None:
    i18n.load()
    i18n.set_language("vi")
    for message in [*BY_CODE.values(), *BY_FIELD.values()]:
        translated = i18n.gettext(message)
        assert translated != message or message.startswith("%("), message
        for placeholder in ("%(field)s", "%(retry_after)s"):
            assert (placeholder in message) == (placeholder in translated), message


FIELDS = (
    Field("login", "Email address or phone number"),
    Field("owner_password", "Password", api=("owner.password",)),
    Field("tax_code", "Tax code"),
)


def test_validation_errors_land_on_their_fields() -> None:
    i18n.set_language("vi")
    form = FormState.of(FIELDS)
    form.add_api_error(
        ApiError(
            422,
            {
                "detail": [
                    {"loc": ["body", "owner", "password"], "msg": "weak", "type": "value_error"},
                    {"loc": ["body", "login"], "msg": "Field required", "type": "missing"},
                    {"loc": ["body", "nonsense"], "msg": "Extra", "type": "extra_forbidden"},
                ]
            },
        )
    )
    assert form.error("login") == "Nhập địa chỉ email hoặc số điện thoại của bạn"
    # the field's own words (messages.BY_FIELD: the sign-up's password) before the generic ones
    assert str(form.error("owner_password")).startswith("Chọn mật khẩu mạnh hơn")
    # a field the form does not have: in the summary, linking nowhere
    assert [name for name, _ in form.summary()] == [None, "login", "owner_password"]


def test_domain_refusals_land_on_their_field_or_the_whole_form() -> None:
    i18n.set_language("vi")
    form = FormState.of(FIELDS)
    form.add_api_error(
        ApiError(
            409, {"detail": "already registered", "code": "already_registered", "field": "tax_code"}
        )
    )
    assert form.error("tax_code") == "Mã số thuế đã được đăng ký"  # the label, translated
    whole = FormState.of(FIELDS)
    whole.add_api_error(
        ApiError(429, {"detail": "slow down", "code": "too_many_attempts"}, {"retry-after": "8"})
    )
    assert whole.error(FORM) == "Bạn đã thử quá nhiều lần. Hãy thử lại sau 8 giây"
    unknown = FormState.of(FIELDS)
    unknown.add_api_error(ApiError(400, "not json"))
    assert unknown.error(FORM) and unknown.summary()[0][0] is None


def test_english_reads_the_source_strings() -> None:
    i18n.set_language("en")
    form = FormState.of(FIELDS)
    form.require("login")
    assert form.error("login") == "Enter your email address or phone number"
    i18n.set_language("vi")


def test_the_assets_are_pinned_in_the_lockfile_and_the_manifest() -> None:
    manifest = json.loads(assets.MANIFEST.read_text())
    package = json.loads((WEB / "assets" / "package.json").read_text())
    lock = json.loads((WEB / "assets" / "package-lock.json").read_text())
    for entry in manifest["files"]:
        pinned = package["dependencies"][entry["package"]]
        assert pinned == entry["version"], entry
        locked = lock["packages"][f"node_modules/{entry['package']}"]
        assert locked["version"] == entry["version"] and locked["integrity"].startswith("sha512-")
        assert len(entry["sha256"]) == 64


def test_the_installed_assets_match_their_checksums() -> None:
    """After services/web/assets/install.sh (the app refuses to start otherwise)."""
    assert assets.verify() == []


def test_pages_name_no_other_host() -> None:
    for path in (SOURCE / "templates").rglob("*.html"):
        text = path.read_text()
        assert "http://" not in text and "https://" not in text.replace(
            "starting with https://", ""
        ), path
    css = (SOURCE / "static" / "css" / "app.css").read_text()
    assert "http" not in css and "@import" not in css
