"""Languages: Vietnamese by default, English by a switch (``?lang=en`` on any page, kept in
a cookie). Message catalogues are Babel's ``.po`` files under ``locales/`` (source strings in
English; ``vi`` translates every one of them, a test checks it), compiled in memory at start.
Money and dates are written the Vietnamese way in both languages: ``1.250.000 ₫``,
``dd/mm/yyyy``, times in Asia/Ho_Chi_Minh.

Extract and update after changing strings (services/web/babel.cfg):
    uv run pybabel extract -F services/web/babel.cfg -k N_ --no-location --sort-output -o services/web/src/ocop_web/locales/messages.pot services/web/src/ocop_web
    uv run pybabel update -i services/web/src/ocop_web/locales/messages.pot -d services/web/src/ocop_web/locales -l vi
"""

from __future__ import annotations

import gettext as gettext_module
import io
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")
LANGUAGE_NAMES: dict[Language, str] = {"vi": "Tiếng Việt", "en": "English"}
LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"
VIET_NAM = ZoneInfo("Asia/Ho_Chi_Minh")
FORMAT_LOCALE = "vi_VN"

_current: ContextVar[Language] = ContextVar("language", default="vi")
_catalogues: dict[str, gettext_module.NullTranslations] = {}


def N_(message: str) -> str:
    """Marks a string for extraction; translated where it is shown (``gettext``)."""
    return message


def load(locales: Path = LOCALES) -> None:
    """Compiles each language's ``.po`` in memory (no ``.mo`` to build or to go stale)."""
    for language in LANGUAGES:
        po = locales / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.is_file():
            _catalogues[language] = gettext_module.NullTranslations()
            continue
        with po.open("rb") as f:
            catalog = read_po(f, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        _catalogues[language] = gettext_module.GNUTranslations(buffer)


def parse_language(value: str | None) -> Language | None:
    if value is None:
        return None
    value = value.strip().lower()[:5]
    for language in LANGUAGES:
        if value == language or value.startswith(language + "-"):
            return language
    return None


def set_language(language: Language) -> None:
    _current.set(language)


def current_language() -> Language:
    return _current.get()


def _translations() -> gettext_module.NullTranslations:
    if not _catalogues:
        load()
    return _catalogues.get(_current.get()) or gettext_module.NullTranslations()


def gettext(message: str, **variables: Any) -> str:
    text = _translations().gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    text = _translations().ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def plural(singular: str, plural_form: str, n: int) -> str:
    """The translated singular or plural, not yet formatted: Jinja's ``ngettext`` formats it
    with ``num`` and the template's own variables."""
    return _translations().ngettext(singular, plural_form, n)


_ = gettext


# --- the Vietnamese way of writing money and dates, whatever the language --------------------


def money(amount: int | Decimal | None) -> str:
    """``1.250.000 ₫`` (a no-break space before the sign)."""
    if amount is None:
        return ""
    return format_currency(amount, "VND", locale=FORMAT_LOCALE)


def number(value: int | float | Decimal | None) -> str:
    return "" if value is None else format_decimal(value, locale=FORMAT_LOCALE)


def _parse(value: date | datetime | str) -> date | datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value


def day(value: date | datetime | str | None) -> str:
    """``dd/mm/yyyy``; a moment is first put in Viet Nam's time."""
    if value is None or value == "":
        return ""
    found = _parse(value)
    if isinstance(found, datetime):
        return format_datetime(found, "dd/MM/yyyy", tzinfo=VIET_NAM, locale=FORMAT_LOCALE)
    return format_date(found, "dd/MM/yyyy", locale=FORMAT_LOCALE)


def moment(value: datetime | str | None) -> str:
    """``dd/mm/yyyy HH:mm`` in Viet Nam's time."""
    if value is None or value == "":
        return ""
    found = _parse(value)
    if not isinstance(found, datetime):
        return day(found)
    return format_datetime(found, "dd/MM/yyyy HH:mm", tzinfo=VIET_NAM, locale=FORMAT_LOCALE)
