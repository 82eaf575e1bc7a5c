"""The OCOP product groups by name, as registration publishes them (``GET /product-groups``:
per classification, its decision and each group's number with its Vietnamese and English
names). Registration is the one source: the web keeps no copy. A page asks once per request
and shows a group's name in the reader's language (its number when registration names no such
group)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ocop_web.i18n import current_language, gettext
from ocop_web.session import Viewer


@dataclass(frozen=True, slots=True)
class Classification:
    taxonomy: str  # "2023", "2019"
    decision: str  # "148/QĐ-TTg"
    groups: dict[int, tuple[str, str]]  # number -> (Vietnamese name, English name)


@dataclass(frozen=True, slots=True)
class ProductGroups:
    classifications: dict[str, Classification] = field(default_factory=dict)

    @classmethod
    def of(cls, body: Any) -> ProductGroups:
        found: dict[str, Classification] = {}
        for c in body if isinstance(body, list) else []:
            if not isinstance(c, Mapping):
                continue
            groups = {
                int(g["number"]): (str(g.get("name_vi") or ""), str(g.get("name_en") or ""))
                for g in c.get("groups", [])
                if isinstance(g, Mapping) and str(g.get("number", "")).isdigit()
            }
            found[str(c["taxonomy"])] = Classification(
                str(c["taxonomy"]), str(c.get("decision") or ""), groups
            )
        return cls(found)

    def name(self, taxonomy: Any, number: Any) -> str:
        """A group's name in the reader's language; "Group 7" when registration names none.
        A name already given (sales' revenue report answers a group by its Vietnamese name,
        issue 15) is shown as it is."""
        found = self.classifications.get(str(taxonomy))
        key = int(number) if str(number).isdigit() else None
        if key is None and str(number).strip():
            return str(number)
        if found is None or key is None or key not in found.groups:
            return gettext("Group %(number)s", number=number)
        vi, en = found.groups[key]
        return (vi or en) if current_language() == "vi" else (en or vi)

    def names(self, taxonomy: Any, numbers: Any) -> list[str]:
        return [self.name(taxonomy, n) for n in numbers or []]

    def title(self, taxonomy: Any) -> str:
        """The classification by its decision: "Decision 148/QĐ-TTg (2023)"."""
        found = self.classifications.get(str(taxonomy))
        if found is None:
            return str(taxonomy)
        return gettext("Decision %(decision)s (%(year)s)", decision=found.decision, year=taxonomy)

    def numbers(self, taxonomy: str) -> list[int]:
        found = self.classifications.get(taxonomy)
        return sorted(found.groups) if found else []

    def options(self, taxonomy: str) -> list[tuple[str, str]]:
        """(number, name) of each group of a classification, for a form."""
        return [(str(n), self.name(taxonomy, n)) for n in self.numbers(taxonomy)]

    def knows(self, taxonomy: str, number: int) -> bool:
        found = self.classifications.get(taxonomy)
        return found is not None and number in found.groups


async def product_groups(viewer: Viewer) -> ProductGroups:
    """Registration's product groups (a public list; asked with the viewer's session)."""
    return ProductGroups.of(await viewer.api.registration.get("/product-groups"))
