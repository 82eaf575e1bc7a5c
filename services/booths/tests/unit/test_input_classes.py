"""Issue 11's input classes in booths' request models and floor-plan rule, without the stack:
each class of bad input is refused naming its field, and the OpenAPI document shows every
request value bounded and every refusal documented with its body."""

from __future__ import annotations

import math
import unicodedata
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ocop_booths.adapters.http.schemas import (
    MAX_BOOTHS,
    MAX_PRODUCT_GROUPS,
    MAX_ZONES,
    BlockIn,
    BoothIn,
    FloorPlanIn,
    MoveIn,
    PaymentIn,
    SwapIn,
    ZoneIn,
)
from ocop_booths.app import build
from ocop_booths.domain.floorplan import PlannedBooth, Zone, validate
from ocop_shared.errors import InvalidField

BOOTH = {"code": "A-001", "zone": "A", "width_m": 3, "depth_m": 3, "price_vnd": 4_000_000}
ZONE = {"code": "A", "name": "Khu A", "kind": "district_cluster", "product_groups": [1, 2]}


def refusal(model: type[BaseModel], data: dict[str, Any]) -> tuple[Any, ...]:
    """The one location the model's refusal names."""
    with pytest.raises(ValidationError) as refused:
        model.model_validate(data)
    [error] = refused.value.errors()
    return tuple(error["loc"])


def booth(**fields: Any) -> dict[str, Any]:
    return {**BOOTH, "x": 0.0, "y": 0.0, **fields}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price_vnd", "12.000"),  # twelve thousand, as Vietnamese writes it
        ("price_vnd", 12.0),
        ("price_vnd", True),
        ("open_sides", "2"),
        ("width_m", "3.000"),
        ("x", "12.000"),
        ("y", True),
    ],
)
def test_numbers_are_strict(field: str, value: Any) -> None:
    assert refusal(BoothIn, booth(**{field: value})) == (field,)


def test_a_payment_amount_is_strict_whole_positive_dong() -> None:
    base = {"exhibitor_id": str(uuid.uuid4()), "reference": "CK"}
    for amount in ("12.000", 12.5, True, 0, -1, 2**64, 10**12 + 1):
        assert refusal(PaymentIn, {**base, "amount_vnd": amount}) == ("amount_vnd",)
    assert PaymentIn.model_validate({**base, "amount_vnd": 10**12}).amount_vnd == 10**12


@pytest.mark.parametrize(("field", "value"), [("price_vnd", 2**64), ("price_vnd", 10**12 + 1),
                                              ("open_sides", 2**64), ("open_sides", -1)])  # fmt: skip
def test_integers_are_bounded_to_their_column(field: str, value: int) -> None:
    assert refusal(BoothIn, booth(**{field: value})) == (field,)


@pytest.mark.parametrize("groups", [[2**64], [2**31], [0], ["1"], [1] * (MAX_PRODUCT_GROUPS + 1)])
def test_product_groups_are_a_short_list_of_group_numbers(groups: list[Any]) -> None:
    assert refusal(ZoneIn, {**ZONE, "product_groups": groups})[0] == "product_groups"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("field", ["x", "y", "width_m", "depth_m"])
def test_coordinates_and_sizes_are_finite(field: str, value: float) -> None:
    assert refusal(BoothIn, booth(**{field: value})) == (field,)


@pytest.mark.parametrize(
    ("field", "value"),
    [("width_m", 10_000), ("depth_m", 1_000.01), ("width_m", 0.001), ("depth_m", 0),
     ("x", 1e7), ("y", 10_000.01), ("x", -0.5)],
)  # fmt: skip
def test_the_plan_stays_within_the_hall_so_no_column_overflows(field: str, value: float) -> None:
    assert refusal(BoothIn, booth(**{field: value})) == (field,)


def test_lengths_are_kept_to_the_centimetre_they_are_stored_with() -> None:
    parsed = BoothIn.model_validate(booth(x=0.006, width_m=2.996, y=10_000, depth_m=1_000))
    assert (parsed.x, parsed.width_m, parsed.y, parsed.depth_m) == (0.01, 3.0, 10_000, 1_000)


@pytest.mark.parametrize(
    "value", ["A\x00", "\u200b", "\u200b\ufeff \u2060", "", "A" * 21, 7, "A\ud800"]
)
@pytest.mark.parametrize("field", ["code", "zone"])
def test_booth_codes_are_visible_clean_and_bounded(field: str, value: Any) -> None:
    assert refusal(BoothIn, booth(**{field: value})) == (field,)


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "\u200b"), ("name", "Khu\x00A"), ("name", "K" * 201), ("name", "Khu\nA"),
     ("code", "\u200d"), ("code", "Z" * 21), ("code", "Z\x1b"), ("name", "Khu \udfff")],
)  # fmt: skip
def test_zone_text_is_visible_clean_and_bounded(field: str, value: str) -> None:
    assert refusal(ZoneIn, {**ZONE, field: value}) == (field,)


def test_text_is_kept_as_nfc_and_trimmed() -> None:
    zone = ZoneIn.model_validate({**ZONE, "name": " Khu Qua\u0309ng Ninh "})
    assert zone.name == unicodedata.normalize("NFC", "Khu Quảng Ninh") and len(zone.name) == 14


@pytest.mark.parametrize("reason", ["\x00", "cột\x00điện", "\u200b", "  ", "r" * 501, 5, "\ud800"])
def test_reasons_are_visible_clean_and_bounded(reason: Any) -> None:
    other = str(uuid.uuid4())
    assert refusal(BlockIn, {"reason": reason}) == ("reason",)
    assert refusal(MoveIn, {"to_booth_id": other, "reason": reason}) == ("reason",)
    assert refusal(SwapIn, {"other_booth_id": other, "reason": reason}) == ("reason",)
    assert BlockIn.model_validate({"reason": "cột điện hỏng\nchờ sửa"}).reason


@pytest.mark.parametrize("reference", ["CK\x00", "\u200b", "", "R" * 121, 123, "CK\ud800"])
def test_payment_references_are_visible_clean_and_bounded(reference: Any) -> None:
    body = {"exhibitor_id": str(uuid.uuid4()), "amount_vnd": 1, "reference": reference}
    assert refusal(PaymentIn, body) == ("reference",)


def test_every_list_is_bounded() -> None:
    zones = [{**ZONE, "code": f"Z{i}"} for i in range(MAX_ZONES + 1)]
    booths = [booth(code=f"B{i}") for i in range(MAX_BOOTHS + 1)]
    assert refusal(FloorPlanIn, {"zones": zones, "booths": [booth()]}) == ("zones",)
    assert refusal(FloorPlanIn, {"zones": [ZONE], "booths": booths}) == ("booths",)
    assert refusal(FloorPlanIn, {"zones": [], "booths": [booth()]}) == ("zones",)


def planned(x: float, y: float, w: float = 3, d: float = 3) -> PlannedBooth:
    return PlannedBooth(uuid.uuid4(), f"B-{uuid.uuid4().hex[:4]}", "A", "standard", w, d, 1, x, y)


@pytest.mark.parametrize("field", ["x", "y", "width_m", "depth_m"])
@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_the_overlap_check_never_sees_a_number_that_is_not_finite(field: str, value: float) -> None:
    # A NaN booth compared false with everything, so it overlapped nothing; the rule refuses
    # it before the overlap check, naming the field, whoever calls it.
    zones = [Zone("A", "Khu A", "district_cluster")]
    geometry = {"x": 0.0, "y": 0.0, "width_m": 3.0, "depth_m": 3.0, field: value}
    bad = planned(geometry["x"], geometry["y"], geometry["width_m"], geometry["depth_m"])
    with pytest.raises(InvalidField) as refused:
        validate(zones, [planned(0, 0), bad])
    assert refused.value.field == f"booths.1.{field}"


def test_the_floor_plan_rule_keeps_booths_within_the_hall() -> None:
    zones = [Zone("A", "Khu A", "district_cluster")]
    for booth_, field in [(planned(-1, 0), "x"), (planned(0, 10_001), "y"),
                          (planned(0, 0, w=1_001), "width_m"), (planned(0, 0, d=0), "depth_m")]:  # fmt: skip
        with pytest.raises(InvalidField) as refused:
            validate(zones, [booth_])
        assert refused.value.field == f"booths.0.{field}"


# -- the documented contract --------------------------------------------------------------

OWN = ("/fairs", "/allocations")  # booths' own routes (the platform's are tested in shared)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _unbounded(schema: dict[str, Any], node: dict[str, Any], where: str) -> Iterator[str]:
    node = _resolve(schema, node)
    for key in ("anyOf", "oneOf", "allOf"):
        for i, option in enumerate(node.get(key, ())):
            yield from _unbounded(schema, option, f"{where}|{i}")
    kind = node.get("type")
    if kind in ("integer", "number"):
        if "minimum" not in node and "exclusiveMinimum" not in node:
            yield f"{where}: no minimum"
        if "maximum" not in node and "exclusiveMaximum" not in node:
            yield f"{where}: no maximum"
    elif kind == "string":
        bounded = "maxLength" in node or "enum" in node or "const" in node
        if not bounded and node.get("format") != "uuid" and "contentMediaType" not in node:
            yield f"{where}: no maxLength"
    elif kind == "array":
        if "maxItems" not in node:
            yield f"{where}: no maxItems"
        yield from _unbounded(schema, node.get("items", {}), f"{where}[]")
    elif kind == "object":
        for name, prop in node.get("properties", {}).items():
            yield from _unbounded(schema, prop, f"{where}.{name}")


def test_every_value_a_booths_route_reads_is_bounded() -> None:
    schema = build()[1].openapi()
    found: list[str] = []
    for path, operations in schema["paths"].items():
        if not path.startswith(OWN):
            continue
        for method, op in operations.items():
            for p in op.get("parameters", ()):
                found += _unbounded(schema, p["schema"], f"{method} {path} {p['name']}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(schema, media["schema"], f"{method} {path} body")
    assert found == []


def test_every_refusal_is_documented_with_its_body_and_no_route_contradicts_the_platform() -> None:
    schema = build()[1].openapi()
    for path, operations in schema["paths"].items():
        if not path.startswith(OWN):
            continue
        for method, op in operations.items():
            answers = op["responses"]
            assert {"401", "403", "404", "413", "422", "429", "503"} <= set(answers), (method, path)
            for status, answer in answers.items():
                if not status.startswith(("4", "5")):
                    continue
                [body] = answer["content"]["application/json"].values()
                expected = "HTTPValidationError" if status == "422" else "Problem"
                assert body == {"$ref": f"#/components/schemas/{expected}"}, (method, path, status)
