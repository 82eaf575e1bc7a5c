"""Issue 11's input classes in registration's request models, without the stack: each class of
bad input is refused naming its field, absent/null/empty keep their meanings, and the OpenAPI
document shows every request value bounded and every refusal documented with its body."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ocop_registration.adapters.http.identity_schemas import (
    AccountIn,
    ApiKeyCreate,
    InvitationAccept,
    OrganizationCreate,
    PasswordReset,
    SignIn,
)
from ocop_registration.adapters.http.schemas import (
    MAX_CERTIFICATES_REVOKED,
    MAX_RULE_GROUPS,
    ApplicationCreate,
    BoothRequestIn,
    CertificateCreate,
    ExhibitorCreate,
    ExhibitorUpdate,
    FairCreate,
    ProductCreate,
    ProductUpdate,
    Review,
    Revocation,
    RulesIn,
)
from ocop_registration.app import RegistrationSettings, build
from ocop_registration.application.commands.sessions import ChooseOrganization, choose_membership
from ocop_registration.domain.identity import Membership, Organization
from ocop_shared.inputs import escape_like

PRODUCT = {"name": "Mật ong rừng", "group": 1, "unit": "chai", "list_price_vnd": 250_000}
CERTIFICATE = {
    "number": "QN-1",
    "star": 4,
    "issuing_level": "province",
    "issuing_body": "UBND tỉnh Quảng Ninh",
    "decision_number": "12/QĐ-UBND",
    "decision_date": "2025-06-01",
    "valid_from": "2025-06-01",
}
FAIR = {
    "name": "Hội chợ OCOP",
    "kind": "fair",
    "venue": "Hạ Long",
    "province": "Quảng Ninh",
    "applications_open_at": "2026-01-01T08:00:00",
    "applications_close_at": "2026-02-01T08:00:00",
    "starts_at": "2026-03-01T08:00:00",
    "ends_at": "2026-03-05T17:00:00+07:00",
}
EXHIBITOR = {"kind": "cooperative", "name": "HTX Chè", "tax_code": "0101234567", "province": "QN"}


def refusal(model: type[BaseModel], data: dict[str, Any]) -> tuple[Any, ...]:
    """The one location the model's refusal names."""
    with pytest.raises(ValidationError) as refused:
        model.model_validate(data)
    [error] = refused.value.errors()
    return tuple(error["loc"])


# -- integers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("list_price_vnd", "12.000"), ("list_price_vnd", "12000"), ("list_price_vnd", 12.0),
     ("list_price_vnd", True), ("list_price_vnd", -1), ("list_price_vnd", 10**12 + 1),
     ("list_price_vnd", 2**64), ("list_price_vnd", math.nan), ("group", "1"), ("group", 2**31),
     ("group", -(2**31) - 1)],
)  # fmt: skip
def test_product_numbers_are_strict_and_bounded(field: str, value: Any) -> None:
    assert refusal(ProductCreate, {**PRODUCT, field: value}) == (field,)


@pytest.mark.parametrize("star", ["5", 5.0, True, 2**64])
def test_a_star_is_a_strict_integer(star: Any) -> None:
    assert refusal(CertificateCreate, {**CERTIFICATE, "star": star}) == ("star",)


@pytest.mark.parametrize(
    ("field", "value"),
    [("min_star", "4"), ("max_booths_per_holder", 2**64), ("subsidy_percent", "50"),
     ("subsidy_max_booths", 2**31)],
)  # fmt: skip
def test_rules_are_strict_and_bounded(field: str, value: Any) -> None:
    assert refusal(RulesIn, {field: value}) == (field,)


def test_rules_groups_are_a_short_list_of_integers() -> None:
    assert refusal(RulesIn, {"product_groups": ["1"]})[0] == "product_groups"
    assert refusal(RulesIn, {"product_groups": [2**64]})[0] == "product_groups"
    too_many = list(range(1, MAX_RULE_GROUPS + 2))
    assert refusal(RulesIn, {"product_groups": too_many}) == ("product_groups",)


@pytest.mark.parametrize(("field", "value"), [("count", "2"), ("count", 2**40),
                                              ("product_group", "1"), ("product_group", 2**31)])  # fmt: skip
def test_a_booth_request_is_strict_and_bounded(field: str, value: Any) -> None:
    assert refusal(BoothRequestIn, {"count": 1, field: value}) == (field,)


def test_an_api_keys_lifetime_is_a_strict_integer() -> None:
    for days in ("30", 30.0, 0, 366):
        assert refusal(ApiKeyCreate, {"label": "kế toán", "expires_in_days": days}) == (
            "expires_in_days",
        )


# -- dates and times -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "1999-12-31T23:59:59", "2101-01-01T00:00:00",
     "0001-01-01T00:00:00+07:00"],
)  # fmt: skip
@pytest.mark.parametrize("field", ["starts_at", "ends_at", "applications_open_at", "applications_close_at"])  # fmt: skip
def test_fair_times_lie_within_2000_and_2100(field: str, moment: str) -> None:
    assert refusal(FairCreate, {**FAIR, field: moment}) == (field,)


def test_fair_times_may_be_local_or_carry_an_offset() -> None:
    fair = FairCreate.model_validate(
        {**FAIR, "starts_at": "2100-12-31T23:00:00", "ends_at": "2000-01-01T00:00:00+00:00"}
    )
    assert fair.starts_at.tzinfo is None and fair.ends_at.tzinfo == UTC


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-01", "1999-12-31", "2101-01-01"])
@pytest.mark.parametrize("field", ["decision_date", "valid_from", "valid_to"])
def test_certificate_dates_lie_within_2000_and_2100(field: str, day: str) -> None:
    assert refusal(CertificateCreate, {**CERTIFICATE, field: day}) == (field,)


# -- text ----------------------------------------------------------------------------------


INVISIBLE = ["\u200b", "\u200b\ufeff \u2060", "\u200d", "   ", ""]
CONTROL = ["Mật\x00ong", "a\x1bb", "\x7f"]


@pytest.mark.parametrize("value", [*INVISIBLE, *CONTROL, "M" * 301, 7])
def test_a_product_name_is_visible_clean_and_bounded(value: Any) -> None:
    assert refusal(ProductCreate, {**PRODUCT, "name": value}) == ("name",)


@pytest.mark.parametrize("field", ["name", "venue", "province"])
@pytest.mark.parametrize("value", [*INVISIBLE, *CONTROL])
def test_fair_text_is_visible_and_clean(field: str, value: str) -> None:
    assert refusal(FairCreate, {**FAIR, field: value}) == (field,)


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "\u200b"), ("name", "HTX\x00"), ("province", "\u2060"), ("commune", "\x00"),
     ("address", "Số 1\x00"), ("tax_code", ""), ("tax_code", "\u200b"), ("phone", ""),
     ("email", ""), ("email", "a\x00@b.vn"), ("email", "not-an-email")],
)  # fmt: skip
def test_exhibitor_text_is_visible_clean_and_bounded(field: str, value: str) -> None:
    assert refusal(ExhibitorCreate, {**EXHIBITOR, field: value}) == (field,)


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "\u200b"), ("name", "An\x00"), ("email", ""), ("email", "a\x00@b.vn"),
     ("phone", ""), ("phone", "09\x00")],
)  # fmt: skip
def test_a_new_persons_details_are_visible_and_clean(field: str, value: str) -> None:
    account = {"name": "Nguyễn Văn An", "email": "an@example.vn", "password": "mat-khau-dai"}
    assert refusal(AccountIn, {**account, field: value}) == (field,)


@pytest.mark.parametrize("value", ["", "\u200b", "a\x00@b.vn", "x" * 255])
def test_a_login_is_visible_clean_and_bounded(value: str) -> None:
    assert refusal(SignIn, {"login": value, "password": "p"}) == ("login",)
    reset = {"login": value, "code": "c", "new_password": "p"}
    assert refusal(PasswordReset, reset) == ("login",)
    assert refusal(InvitationAccept, {"code": "c", "login": value, "password": "p"}) == ("login",)


def test_codes_and_organization_ids_are_visible_and_clean() -> None:
    assert refusal(InvitationAccept, {"code": "\x00"}) == ("code",)
    sign_in = {"login": "a@b.vn", "password": "p", "organization_id": "so\x00"}
    assert refusal(SignIn, sign_in) == ("organization_id",)
    organization = {"kind": "organizer", "organization_id": "\u200b\u200b", "name": "Sở"}
    assert refusal(OrganizationCreate, organization) == ("organization_id",)


def test_a_lone_surrogate_is_not_text() -> None:
    # What json.loads makes of "\ud800": no UTF-8 encoding, so no column (and no hash) takes it.
    assert refusal(SignIn, {"login": "a@b.vn", "password": "\ud800"}) == ("password",)
    assert refusal(ProductCreate, {**PRODUCT, "name": "M\udfffật"}) == ("name",)


@pytest.mark.parametrize("reason", ["\x00", "\u200b", "  ", "r" * 2001, 5])
def test_reasons_are_visible_clean_and_bounded(reason: Any) -> None:
    assert refusal(Review, {"decision": "rejected", "reason": reason}) == ("reason",)
    revocation = {"decision_number": "1/QĐ", "reason": reason, "certificate_numbers": ["QN-1"]}
    assert refusal(Revocation, revocation) == ("reason",)
    assert Review.model_validate({"decision": "rejected", "reason": "thiếu hồ sơ\nbổ sung"})


def test_text_is_nfc_with_inner_spaces_collapsed() -> None:
    product = ProductCreate.model_validate({**PRODUCT, "name": "  Mật  ong Qua\u0309ng Ninh "})
    assert product.name == "Mật ong Quảng Ninh"


# -- absent, null and empty ------------------------------------------------------------------


def test_a_gtin_that_is_empty_is_an_error_and_null_or_absent_is_none() -> None:
    for empty in ("", "  ", "\u200b", "\x00"):
        assert refusal(ProductCreate, {**PRODUCT, "gtin": empty}) == ("gtin",)
    assert ProductCreate.model_validate({**PRODUCT, "gtin": None}).gtin is None
    assert ProductCreate.model_validate(PRODUCT).gtin is None
    assert ProductCreate.model_validate({**PRODUCT, "gtin": "893 4567 890128"}).gtin


@pytest.mark.parametrize("field", ["name", "unit", "list_price_vnd"])
def test_a_product_field_that_cannot_be_cleared_refuses_null(field: str) -> None:
    assert refusal(ProductUpdate, {field: None}) == (field,)
    assert ProductUpdate.model_validate({}).model_fields_set == set()


def test_a_products_traceability_url_is_cleared_by_null() -> None:
    update = ProductUpdate.model_validate({"traceability_url": None})
    assert update.traceability_url is None and update.model_fields_set == {"traceability_url"}


@pytest.mark.parametrize("field", ["name", "province"])
def test_an_exhibitors_name_and_province_cannot_be_cleared(field: str) -> None:
    assert refusal(ExhibitorUpdate, {field: None}) == (field,)


@pytest.mark.parametrize("field", ["commune", "address", "phone", "email"])
def test_an_exhibitors_contact_details_are_cleared_by_null_not_by_empty(field: str) -> None:
    assert ExhibitorUpdate.model_validate({field: None}).model_dump(exclude_unset=True) == {
        field: None
    }
    if field != "address":  # an empty address is the column's own default
        assert refusal(ExhibitorUpdate, {field: ""}) == (field,)


# -- lists ---------------------------------------------------------------------------------


def test_every_list_is_bounded() -> None:
    numbers = [f"QN-{i}" for i in range(MAX_CERTIFICATES_REVOKED + 1)]
    revocation = {"decision_number": "1/QĐ", "reason": "r", "certificate_numbers": numbers}
    assert refusal(Revocation, revocation) == ("certificate_numbers",)
    revocation["certificate_numbers"] = []
    assert refusal(Revocation, revocation) == ("certificate_numbers",)
    revocation["certificate_numbers"] = ["QN\x00"]
    assert refusal(Revocation, revocation) == ("certificate_numbers", 0)
    products = [str(uuid.uuid4()) for _ in range(201)]
    application = {"product_ids": products, "booth_request": {"count": 1}}
    assert refusal(ApplicationCreate, application) == ("product_ids",)


# -- search --------------------------------------------------------------------------------


def test_like_wildcards_are_escaped_for_the_search() -> None:
    assert escape_like("40%") == "40\\%"
    assert escape_like("mam_tep") == "mam\\_tep"
    assert escape_like("a\\b") == "a\\\\b"


# -- choosing the organization at sign-in -----------------------------------------------------


def test_several_memberships_without_a_choice_list_them() -> None:
    memberships = [
        Membership(Organization("so-qn", "organizer", "Sở Công Thương Quảng Ninh"), "owner"),
        Membership(Organization("so-ls", "organizer", "Sở Công Thương Lạng Sơn"), "staff"),
    ]
    with pytest.raises(ChooseOrganization) as refused:
        choose_membership(memberships, None)
    assert refused.value.field == "organization_id" and refused.value.status_code == 422
    assert refused.value.memberships == memberships
    assert choose_membership(memberships, "so-ls") is memberships[1]


# -- the documented contract -----------------------------------------------------------------


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
        # a file is bounded by the route's body limit (10 MiB, ``ocop_shared.limits``)
        known = node.get("format") in ("uuid", "date", "date-time") or "contentMediaType" in node
        if not bounded and not known:
            yield f"{where}: no maxLength"
    elif kind == "array":
        if "maxItems" not in node:
            yield f"{where}: no maxItems"
        yield from _unbounded(schema, node.get("items", {}), f"{where}[]")
    elif kind == "object":
        for name, prop in node.get("properties", {}).items():
            yield from _unbounded(schema, prop, f"{where}.{name}")


def _openapi() -> dict[str, Any]:
    return build(RegistrationSettings(env="test"))[1].openapi()


PLATFORM = ("/admin/", "/health", "/metrics", "/docs", "/openapi")  # shared's, tested there


def test_every_value_a_registration_route_reads_is_bounded() -> None:
    schema = _openapi()
    found: list[str] = []
    for path, operations in schema["paths"].items():
        if path.startswith(PLATFORM):
            continue
        for method, op in operations.items():
            for p in op.get("parameters", ()):
                found += _unbounded(schema, p["schema"], f"{method} {path} {p['name']}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(schema, media["schema"], f"{method} {path} body")
    assert found == []


def test_every_refusal_is_documented_with_its_body_and_no_route_contradicts_the_platform() -> None:
    schema = _openapi()
    for path, operations in schema["paths"].items():
        if path.startswith(PLATFORM):
            continue
        for method, op in operations.items():
            answers = op["responses"]
            assert {"404", "413", "422", "429", "503"} <= set(answers), (method, path)
            for status, answer in answers.items():
                if not status.startswith(("4", "5")):
                    continue
                [body] = answer["content"]["application/json"].values()
                expected = "HTTPValidationError" if status == "422" else "Problem"
                if (method, path, status) == ("post", "/sessions", "422"):
                    expected = "SignInInvalid"  # the validation shape, with memberships
                assert body == {"$ref": f"#/components/schemas/{expected}"}, (method, path, status)


def test_the_sign_in_refusal_documents_the_memberships_to_choose_from() -> None:
    schema = _openapi()
    invalid = schema["components"]["schemas"]["SignInInvalid"]
    assert set(invalid["properties"]) == {"detail", "memberships"}
    assert invalid["required"] == ["detail"]
    choice = _resolve(schema, {"$ref": "#/components/schemas/MembershipChoice"})
    assert set(choice["properties"]) == {"organization_id", "name", "kind", "org_role"}


def test_a_naive_local_time_is_still_a_local_time() -> None:
    fair = FairCreate.model_validate({**FAIR, "starts_at": "2026-03-01T08:00:00"})
    assert fair.starts_at == datetime(2026, 3, 1, 8, 0)
