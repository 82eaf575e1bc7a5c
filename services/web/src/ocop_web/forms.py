"""Forms the GOV.UK way: every error in a summary at the top (which takes focus and links to
each field) and the same words next to the field. ``FormState`` holds what was typed and the
errors; ``add_api_error`` maps a service's 4xx body onto the form's fields:

- ``{"detail": [{"loc": ["body", "owner", "password"], "msg", "type"}]}`` (validation): the
  location after "body" (or "query"), dotted, is the API field;
- ``{"detail", "code", "field"?}`` (a domain refusal): ``field`` is the API field.

A page declares its fields (``Field(name, label, api=...)``) where the API's field names
differ from the form's; an error for no field of the form goes to the summary alone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ocop_web.api import ApiError
from ocop_web.i18n import gettext
from ocop_web.messages import FORM_FALLBACK, message_id

FORM = "__form__"  # errors about the whole form (shown in the summary, linking to no field)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str  # a message id
    api: tuple[str, ...] = ()  # the API's field paths that land here; default: (name,)

    @property
    def api_paths(self) -> tuple[str, ...]:
        return self.api or (self.name,)


@dataclass
class FormState:
    fields: tuple[Field, ...] = ()
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, fields: Iterable[Field], values: Mapping[str, Any] | None = None) -> FormState:
        kept = {k: v for k, v in (values or {}).items() if isinstance(v, str)}
        kept.pop("csrf_token", None)
        return cls(tuple(fields), kept)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def summary(self) -> list[tuple[str | None, str]]:
        """(field name or None, message), in the form's field order, whole-form ones first."""
        order = [f.name for f in self.fields]
        items: list[tuple[str | None, str]] = []
        if FORM in self.errors:
            items.append((None, self.errors[FORM]))
        items += [(n, self.errors[n]) for n in order if n in self.errors]
        items += [(n, m) for n, m in self.errors.items() if n not in order and n != FORM]
        return items

    def _field(self, name: str | None) -> Field | None:
        if name is None:
            return None
        for f in self.fields:
            if name in f.api_paths or name == f.name:
                return f
        return None

    def add(self, name: str | None, code: str, **variables: Any) -> None:
        """An error of ``code`` (catalogue: ``messages``) on a field (or the whole form)."""
        target = self._field(name)
        label = gettext(target.label) if target else ""
        text = gettext(message_id(target.name if target else name, code))
        values = {"field": label.lower() if label else gettext("this answer"), **variables}
        message = _format(text, values)
        key = target.name if target else FORM
        self.errors.setdefault(key, message)

    def require(self, *names: str) -> None:
        """Web-side check before any call: a field left empty."""
        for name in names:
            if not self.value(name).strip():
                self.add(name, "missing")

    def add_api_error(self, error: ApiError) -> None:
        body = error.body if isinstance(error.body, dict) else {}
        detail = body.get("detail")
        added = False
        if isinstance(detail, list):
            for item in detail:
                if not isinstance(item, dict):
                    continue
                loc = [str(p) for p in item.get("loc", [])]
                if loc and loc[0] in ("body", "query", "path", "header"):
                    loc = loc[1:]
                code = str(item.get("type", "value_error"))
                if loc and loc[-1].endswith("password") and code == "value_error":
                    code = password_code(str(item.get("msg", "")))
                self.add(".".join(loc) or None, code)
                added = True
        elif error.code:
            variables = {"retry_after": error.headers.get("retry-after", "")}
            field_name = body.get("field")
            self.add(field_name if isinstance(field_name, str) else None, error.code, **variables)
            added = True
        if not added:
            self.errors.setdefault(FORM, gettext(FORM_FALLBACK))


# Registration's password policy says which rule a password breaks in its ``msg``
# (``domain/passwords.py``; the ``type`` is ``value_error`` for each): the start of each.
PASSWORD_RULES: tuple[tuple[str, str], ...] = (
    ("at least", "password_too_short"),
    ("at most", "password_too_long"),
    ("not one character repeated", "password_one_character"),
    ("must not be the email or phone", "password_is_login"),
    ("one of the most common passwords", "password_common"),
)


def password_code(msg: str) -> str:
    """The code of the password rule registration's message names (``value_error`` when it
    names none known here: the field's general advice)."""
    for start, code in PASSWORD_RULES:
        if msg.startswith(start):
            return code
    return "value_error"


def _format(text: str, values: Mapping[str, Any]) -> str:
    try:
        formatted = text % dict(values)
    except (KeyError, ValueError, TypeError):
        formatted = text
    return formatted[:1].upper() + formatted[1:]
