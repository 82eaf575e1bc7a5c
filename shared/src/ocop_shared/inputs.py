"""Input classes, once for every service: what a request may carry before any rule sees it.

Each is a pydantic ``Annotated`` type, so a refusal is a 422 naming the field:

- integers are strict (``"5"`` and ``"12.000"`` are refused, not coerced: Vietnamese writes
  twelve thousand as ``12.000``) and bounded to their column's range (``Int32``, ``Int64``,
  ``Vnd``, ``Count``); query parameters, which arrive as text, use the ``Query*`` bounds;
- floats are finite (``FiniteFloat``: no NaN or Infinity);
- dates and times lie within 2000-01-01 .. 2100-12-31 (``Day``, ``Moment``); a moment carries
  its offset;
- text is NFC, has no control characters (NUL included), is not empty once invisible
  characters (zero-width spaces, joiners, BOM) and spaces are removed, and is bounded
  (``text(max_length)``, ``Name``, ``Note``, ``SearchText``);
- lists are bounded (``bounded_list``).

``escape_like`` makes search text literal inside a LIKE pattern.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field, Strict, StrictInt, WithJsonSchema

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
VND_MAX = 10**12  # a trillion đồng: beyond any sale, fee or fair revenue
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)

Int32 = Annotated[StrictInt, Field(ge=INT32_MIN, le=INT32_MAX)]
Int64 = Annotated[StrictInt, Field(ge=INT64_MIN, le=INT64_MAX)]
Count = Annotated[StrictInt, Field(ge=0, le=INT32_MAX)]
PositiveCount = Annotated[StrictInt, Field(ge=1, le=INT32_MAX)]
Vnd = Annotated[StrictInt, Field(ge=0, le=VND_MAX, description="integer VND (đồng)")]
# Query parameters arrive as text; these bound what they may become.
QueryInt32 = Annotated[int, Field(ge=INT32_MIN, le=INT32_MAX)]
QueryCount = Annotated[int, Field(ge=0, le=INT32_MAX)]
# Strict: "12.000" and true are not numbers (an integer still is).
FiniteFloat = Annotated[float, Strict(), Field(allow_inf_nan=False)]


def _within_days(value: date) -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"must be between {EARLIEST_DAY:%d/%m/%Y} and {LATEST_DAY:%d/%m/%Y}")
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a UTC offset (e.g. 2026-11-30T09:00:00+07:00)")
    return value


Day = Annotated[date, AfterValidator(_within_days)]
Moment = Annotated[datetime, AfterValidator(_aware), AfterValidator(_within_days)]

# Format characters (Cf: zero-width space and joiners, BOM, bidi marks), separators and
# spaces do not make a name.
_INVISIBLE = {"Cf", "Zs", "Zl", "Zp", "Mn"}


def has_control_characters(text: str, *, allow_newlines: bool = False) -> bool:
    allowed = "\n\r\t" if allow_newlines else ""
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in text)


def clean_text(text: str, *, allow_newlines: bool = False, allow_empty: bool = False) -> str:
    """NFC, trimmed, without control characters; refuses text that shows nothing."""
    if any(unicodedata.category(ch) == "Cs" for ch in text):
        # A lone surrogate (JSON's "\ud800") is no character: it cannot even be encoded.
        raise ValueError("must be valid Unicode text")
    text = unicodedata.normalize("NFC", text).strip()
    if has_control_characters(text, allow_newlines=allow_newlines):
        raise ValueError("must not contain control characters")
    if not allow_empty and all(
        unicodedata.category(ch) in _INVISIBLE or ch.isspace() for ch in text
    ):
        raise ValueError("must not be empty")
    return text


def _strict_str(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be text")  # pydantic would otherwise coerce numbers
    return value


def text(
    max_length: int, *, allow_newlines: bool = False, allow_empty: bool = False
) -> Any:  # an Annotated type; Any so it can be used in annotations
    def clean(value: str) -> str:
        cleaned = clean_text(value, allow_newlines=allow_newlines, allow_empty=allow_empty)
        if len(cleaned) > max_length:
            raise ValueError(f"must be at most {max_length} characters")
        return cleaned

    documented = {"type": "string", "maxLength": max_length}
    if not allow_empty:
        documented["minLength"] = 1
    return Annotated[
        str,
        BeforeValidator(_strict_str),
        AfterValidator(clean),
        # A cheap bound before normalization (decomposed input is longer than its NFC).
        Field(max_length=max_length * 4),
        WithJsonSchema(documented),  # what the client must respect
    ]


# mypy cannot follow a type built at run time: it sees these as str. A service's own alias
# does the same: ``if TYPE_CHECKING: Code = str`` / ``else: Code = text(20)``.
if TYPE_CHECKING:
    Name = str
    Note = str
    Reason = str
    SearchText = str
else:
    Name = text(200)
    Note = text(2000, allow_newlines=True)
    Reason = text(500, allow_newlines=True)
    SearchText = text(100, allow_empty=True)

T = TypeVar("T")


def bounded_list(item: type[T] | Any, max_length: int, *, min_length: int = 0) -> Any:
    return Annotated[list[item], Field(min_length=min_length, max_length=max_length)]  # type: ignore[valid-type]


def escape_like(text: str, escape: str = "\\") -> str:
    """``text`` as a literal inside a LIKE/ILIKE pattern (use ``... like $1 escape '\\'``):
    ``%`` and ``_`` match themselves, not everything."""
    return (
        text.replace(escape, escape + escape).replace("%", escape + "%").replace("_", escape + "_")
    )


def _printable(value: Any) -> str | int:
    if isinstance(value, int):
        return value
    return str(value).encode("utf-8", "replace").decode("utf-8")


def safe_errors(errors: Any) -> list[dict[str, Any]]:
    """Validation errors without their input or context, every location a plain str or int:
    always encodable as JSON, whatever the client sent."""
    return [
        {
            "type": _printable(error.get("type", "value_error")),
            "loc": [_printable(part) for part in error.get("loc", ())],
            "msg": _printable(error.get("msg", "invalid")),
        }
        for error in errors
    ]


class ControlCharacterGuard:
    """Refuses a path or query string carrying control characters (``%00`` included) with a
    422 naming the parameter, before any route sees it (text columns cannot hold NUL)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            found = self._offending(scope)
            if found is not None:
                await self._refuse(send, found)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _offending(scope: Any) -> list[str] | None:
        from urllib.parse import parse_qsl

        path = scope.get("path", "")
        if has_control_characters(path) or "\ufffd" in path:
            return ["path"]
        query = scope.get("query_string", b"")
        if b"%" not in query and not any(b < 0x20 or b == 0x7F for b in query):
            return None
        raw = query.decode("latin-1")
        # Percent-decoded byte for byte (latin-1), then read as the UTF-8 it must be.
        for raw_name, raw_value in parse_qsl(raw, keep_blank_values=True, encoding="latin-1"):
            name = raw_name.encode("latin-1").decode("utf-8", "replace")
            try:
                value = raw_value.encode("latin-1").decode("utf-8")
            except UnicodeError:
                return ["query", name]
            if has_control_characters(value) or has_control_characters(name):
                return ["query", name]
        return None

    @staticmethod
    async def _refuse(send: Any, loc: list[str]) -> None:
        import json

        body = json.dumps(
            {
                "detail": [
                    {
                        "type": "value_error",
                        "loc": [_printable(p) for p in loc],
                        "msg": "must not contain control characters or invalid UTF-8",
                    }
                ]
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
