"""Issue 11's input classes through the registration API: each class of bad input answers 422
naming its field (never a 5xx, never the database's last-resort 422 naming only ``body``) and
changes nothing; search text matches literally; sign-in, sign-up and imports are rate limited
across replicas; a sign-in that must choose an organization lists the person's memberships.
Each test failed before the request models used ``ocop_shared.inputs``."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from ocop_registration.app import RegistrationSettings, build
from ocop_registration.domain.timezone import VN
from ocop_shared import ratelimit
from ocop_shared.service import Service
from ocop_testkit import running_app, valid_gtin, valid_tax_code

Registration = Any  # the conftest's drivers
Grants = Any


def tag() -> str:
    return uuid.uuid4().hex[:10]


def refused(response: httpx.Response, *loc: str | int, where: str = "body") -> str:
    """The message of the 422 naming ``loc`` (after ``where``); no other field is named."""
    assert response.status_code == 422, response.text
    errors = response.json()["detail"]
    assert isinstance(errors, list), errors
    assert [e["loc"] for e in errors] == [[where, *loc]], errors
    assert all(set(e) == {"type", "loc", "msg"} for e in errors), errors  # no input echoed
    return str(errors[0]["msg"])


def product_body(**over: Any) -> dict[str, Any]:
    return {
        "name": f"Mật ong rừng Ba Chẽ {tag()}",
        "group": 1,
        "gtin": valid_gtin(),
        "unit": "chai 500ml",
        "list_price_vnd": 250_000,
        **over,
    }


def sign_up_body(t: str, **over: Any) -> dict[str, Any]:
    return {
        "kind": "cooperative",
        "name": f"Hợp tác xã Chè Đường Hoa {t}",
        "tax_code": valid_tax_code(),
        "province": "Quảng Ninh",
        "owner": {"name": "Nguyễn Văn An", "email": f"an-{t}@example.vn", "password": f"mk-{t}-x"},
        **over,
    }


def fair_body(**over: Any) -> dict[str, Any]:
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    return {
        "name": "Hội chợ OCOP khu vực Đông Bắc",
        "kind": "fair",
        "venue": "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh",
        "province": "Quảng Ninh",
        "applications_open_at": (now - timedelta(days=1)).isoformat(),
        "applications_close_at": (now + timedelta(days=10)).isoformat(),
        "starts_at": (now + timedelta(days=20)).isoformat(),
        "ends_at": (now + timedelta(days=25)).isoformat(),
        **over,
    }


def certificate_body(**over: Any) -> dict[str, Any]:
    return {
        "number": f"QN-{tag()}",
        "star": 4,
        "issuing_level": "province",
        "issuing_body": "UBND tỉnh Quảng Ninh",
        "decision_number": f"{tag()[:4]}/QĐ-UBND",
        "decision_date": "2025-06-01",
        "valid_from": "2025-06-01",
        **over,
    }


async def products_of(service: Service, holder_id: str) -> int:
    return int(
        await service.pool.fetchval(
            "select count(*) from products where holder_id = $1", uuid.UUID(holder_id)
        )
    )


# -- integers: strict (no numeric strings) and bounded to their column --------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("list_price_vnd", "12.000"),  # Vietnamese twelve thousand, not 12 ₫
        ("list_price_vnd", "12000"),
        ("list_price_vnd", 12.5),
        ("list_price_vnd", True),
        ("list_price_vnd", 2**64),
        ("list_price_vnd", -1),
        ("group", "1"),
        ("group", 2**64),
        ("group", 2**31),
    ],
)
async def test_a_product_number_must_be_a_bounded_integer(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], field: str, value: Any
) -> None:
    service, client = reg_app
    holder_id, holder = await grants.exhibitor()
    response = await client.post("/products", headers=holder, json=product_body(**{field: value}))
    refused(response, field)
    assert await products_of(service, holder_id) == 0


@pytest.mark.parametrize("star", ["5", 5.0, True, 2**64])
async def test_a_star_is_an_integer_not_text(
    reg: Registration, grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], star: Any
) -> None:
    service, client = reg_app
    _, holder = await grants.exhibitor(province="Quảng Ninh")
    product = await reg.product(holder)
    response = await client.post(
        f"/products/{product['product_id']}/certificates",
        headers=await grants.certifier("Quảng Ninh"),
        json=certificate_body(star=star),
    )
    refused(response, "star")
    assert not await service.pool.fetchval(
        "select count(*) from certificates where product_id = $1",
        uuid.UUID(product["product_id"]),
    )


@pytest.mark.parametrize("group", [str(2**64), str(2**31), str(-(2**31) - 1)])
async def test_a_query_integer_beyond_its_column_is_422_naming_it(
    reg_client: httpx.AsyncClient, group: str
) -> None:
    refused(await reg_client.get("/products", params={"group": group}), "group", where="query")


async def test_rules_numbers_are_strict_and_bounded(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _, client = reg_app
    _, organizer = await grants.organizer()
    for field, value in [
        ("min_star", "4"),
        ("max_booths_per_holder", 2**64),
        ("subsidy_percent", "50"),
        ("product_groups", [2**64]),
        ("product_groups", list(range(1, 100))),
    ]:
        body = fair_body(rules={field: value})
        response = await client.post("/fairs", headers=organizer, json=body)
        assert response.status_code == 422, response.text
        [error] = response.json()["detail"]
        assert error["loc"][:3] == ["body", "rules", field], error


# -- dates and times: within 2000..2100 ----------------------------------------------------


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "1999-12-31T10:00:00+07:00"]
)
@pytest.mark.parametrize(
    "field", ["starts_at", "ends_at", "applications_open_at", "applications_close_at"]
)
async def test_a_fair_time_is_within_the_centuries_we_serve(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], field: str, moment: str
) -> None:
    # Year 1 overflowed when read as Viet Nam's time and moved to UTC (a 500).
    _, client = reg_app
    _, organizer = await grants.organizer()
    response = await client.post("/fairs", headers=organizer, json=fair_body(**{field: moment}))
    refused(response, field)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-01", "2101-01-01"])
@pytest.mark.parametrize("field", ["valid_from", "valid_to", "decision_date"])
async def test_a_certificate_date_is_within_the_centuries_we_serve(
    reg: Registration,
    grants: Grants,
    reg_app: tuple[Service, httpx.AsyncClient],
    field: str,
    day: str,
) -> None:
    # valid_from 9999-12-01 failed add_months' assertion (36 months on) with a 500.
    _, client = reg_app
    _, holder = await grants.exhibitor(province="Quảng Ninh")
    product = await reg.product(holder)
    response = await client.post(
        f"/products/{product['product_id']}/certificates",
        headers=await grants.certifier("Quảng Ninh"),
        json=certificate_body(**{field: day}),
    )
    refused(response, field)


# -- text: NFC, no control characters, something visible, bounded -------------------------


@pytest.mark.parametrize(
    "value", ["\u200b", "\u200b\ufeff \u2060", "Mật\x00ong", "   ", "M" * 301, 7]
)
async def test_a_product_name_is_visible_clean_and_bounded(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], value: Any
) -> None:
    service, client = reg_app
    holder_id, holder = await grants.exhibitor()
    refused(await client.post("/products", headers=holder, json=product_body(name=value)), "name")
    assert await products_of(service, holder_id) == 0


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("name",), "HTX\x00Chè"),
        (("name",), "\u200b"),
        (("province",), "Quảng\x00Ninh"),
        (("address",), "Số 1\x00"),
        (("commune",), "\u200d"),
        (("tax_code",), ""),
        (("phone",), ""),
        (("owner", "name"), "An\x00"),
        (("owner", "name"), "\u200b"),
        (("owner", "email"), "an\x00@example.vn"),
    ],
)
async def test_an_anonymous_sign_up_refuses_invisible_and_control_text(
    reg_app: tuple[Service, httpx.AsyncClient], where: tuple[str, ...], value: str
) -> None:
    service, client = reg_app
    t = tag()
    body = sign_up_body(t)
    target = body["owner"] if where[0] == "owner" else body
    target[where[-1]] = value
    refused(await client.post("/exhibitors", json=body), *where)
    assert not await service.pool.fetchval(
        "select count(*) from users where email = $1", f"an-{t}@example.vn"
    )


async def test_a_fair_name_of_a_zero_width_space_is_refused(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _, client = reg_app
    _, organizer = await grants.organizer()
    for field in ("name", "venue", "province"):
        response = await client.post(
            "/fairs", headers=organizer, json=fair_body(**{field: "\u200b"})
        )
        refused(response, field)


async def test_text_is_stored_as_nfc(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = reg_app
    _, holder = await grants.exhibitor()
    name = f"Mật ong Qua\u0309ng Ninh {tag()}"  # decomposed: a + combining hook
    response = await client.post("/products", headers=holder, json=product_body(name=name))
    assert response.status_code == 201, response.text
    stored = await service.pool.fetchval(
        "select name from products where product_id = $1", uuid.UUID(response.json()["product_id"])
    )
    assert stored.startswith("Mật ong Quảng Ninh ")


# -- "absent or null" and "empty" are not the same --------------------------------------------


async def test_an_empty_gtin_is_an_error_and_null_or_absent_means_no_barcode(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = reg_app
    holder_id, holder = await grants.exhibitor()
    for empty in ("", "   ", "\u200b"):
        response = await client.post("/products", headers=holder, json=product_body(gtin=empty))
        refused(response, "gtin")
    assert await products_of(service, holder_id) == 0
    for none in ({"gtin": None}, {}):
        body = {k: v for k, v in product_body(**none).items() if none or k != "gtin"}
        response = await client.post("/products", headers=holder, json=body)
        assert response.status_code == 201, response.text
        assert response.json()["gtin"] is None


@pytest.mark.parametrize("field", ["list_price_vnd", "name", "unit"])
async def test_a_field_that_cannot_be_cleared_refuses_null_before_any_lookup(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], field: str
) -> None:
    _, client = reg_app
    _, holder = await grants.exhibitor()
    unknown = uuid.uuid4()  # validation comes first: 422, not 404
    response = await client.patch(f"/products/{unknown}", headers=holder, json={field: None})
    refused(response, field)


async def test_a_product_change_clears_only_what_may_be_cleared(
    reg: Registration, grants: Grants, reg_app: tuple[Service, httpx.AsyncClient]
) -> None:
    service, client = reg_app
    _, holder = await grants.exhibitor()
    product = await reg.product(holder, price=100_000)
    url = f"/products/{product['product_id']}"
    patched = await client.patch(url, headers=holder, json={"list_price_vnd": None})
    refused(patched, "list_price_vnd")
    assert (await client.get(url)).json()["list_price_vnd"] == 100_000
    set_url = await client.patch(
        url, headers=holder, json={"traceability_url": "https://truyxuat.vn/p/1"}
    )
    assert set_url.status_code == 200, set_url.text
    cleared = await client.patch(url, headers=holder, json={"traceability_url": None})
    assert cleared.status_code == 200, cleared.text
    assert (
        await service.pool.fetchval(
            "select traceability_url from products where product_id = $1",
            uuid.UUID(product["product_id"]),
        )
        is None
    )


@pytest.mark.parametrize("field", ["name", "province"])
async def test_an_exhibitor_name_or_province_cannot_be_cleared(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], field: str
) -> None:
    service, client = reg_app
    exhibitor_id, owner = await grants.exhibitor()
    response = await client.patch(f"/exhibitors/{exhibitor_id}", headers=owner, json={field: None})
    refused(response, field)
    stored = await service.pool.fetchval(
        f"select {field} from exhibitors where exhibitor_id = $1", uuid.UUID(exhibitor_id)
    )
    assert stored


async def test_an_exhibitors_phone_commune_and_email_are_cleared_by_null(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _, client = reg_app
    exhibitor_id, owner = await grants.exhibitor()
    url = f"/exhibitors/{exhibitor_id}"
    for field, value in [("phone", "0912 345 678"), ("commune", "Hạ Long"), ("email", "a@b.vn")]:
        assert (await client.patch(url, headers=owner, json={field: value})).status_code == 200
        refused(await client.patch(url, headers=owner, json={field: ""}), field)
        cleared = await client.patch(url, headers=owner, json={field: None})
        assert cleared.status_code == 200, cleared.text
        if field != "email":  # contact details are not part of the answer
            assert cleared.json()[field] is None


# -- search: LIKE wildcards match themselves ------------------------------------------------


async def test_percent_and_underscore_in_a_product_search_match_literally(
    reg: Registration, grants: Grants, reg_app: tuple[Service, httpx.AsyncClient]
) -> None:
    _, client = reg_app
    holder_id, holder = await grants.exhibitor()
    t = tag()
    for name in (f"Nước mắm 40% đạm {t}", f"Nước mắm 400 đạm {t}", f"Mắm_tép {t}", f"Mắm tép {t}"):
        await reg.product(holder, name=name)

    async def found(q: str) -> list[str]:
        response = await client.get("/products", params={"q": q, "holder_id": holder_id})
        assert response.status_code == 200, response.text
        return sorted(p["name"] for p in response.json())

    assert await found("40%") == [f"Nước mắm 40% đạm {t}"]
    assert await found("mam_tep") == [f"Mắm_tép {t}"]
    assert await found("%") == [f"Nước mắm 40% đạm {t}"]
    assert await found("_") == [f"Mắm_tép {t}"]
    assert len(await found("")) == 4


async def test_percent_and_underscore_in_an_exhibitor_search_match_literally(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], reg_settings: RegistrationSettings
) -> None:
    _, client = reg_app
    assert reg_settings.admin_token is not None
    admin = {"Authorization": f"Bearer {reg_settings.admin_token.get_secret_value()}"}
    t = tag()
    names = [f"HTX 100% {t}", f"HTX 1000 {t}", f"HTX_{t}", f"HTX-{t}"]
    for name in names:
        await grants.exhibitor(name=name)

    async def found(url: str, q: str, headers: dict[str, str]) -> list[str]:
        response = await client.get(url, params={"q": q, "limit": 200}, headers=headers)
        assert response.status_code == 200, response.text
        return sorted(e["name"] for e in response.json())

    for url, headers in (("/exhibitors", admin), ("/directory/exhibitors", {})):
        assert await found(url, f"100% {t}", headers) == [f"HTX 100% {t}"], url
        assert await found(url, f"htx_{t}", headers) == [f"HTX_{t}"], url
        assert sorted(await found(url, t, headers)) == sorted(names), url


async def test_a_nul_in_a_search_is_422_naming_the_parameter(reg_client: httpx.AsyncClient) -> None:
    for url in ("/products?q=%00", "/directory/exhibitors?q=mat%00ong"):
        refused(await reg_client.get(url), "q", where="query")


# -- bodies that are not JSON's numbers or not UTF-8 ----------------------------------------


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
async def test_nan_or_infinity_in_a_body_is_422_without_echo(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], literal: str
) -> None:
    _, client = reg_app
    _, holder = await grants.exhibitor()
    body = json.dumps(product_body(list_price_vnd="__n__")).replace('"__n__"', literal)
    response = await client.post(
        "/products", headers={**holder, "Content-Type": "application/json"}, content=body
    )
    refused(response, "list_price_vnd")
    assert literal not in response.text


@pytest.mark.parametrize("url", ["/exhibitors", "/sessions", "/products"])
async def test_a_body_that_is_not_utf8_is_a_4xx_without_echo(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], url: str
) -> None:
    _, client = reg_app
    _, holder = await grants.exhibitor()
    raw = b'{"name": "M\xe1\xba\xadt \xff\xfe ong", "login": "\xc3\x28"}'
    response = await client.post(
        url, headers={**holder, "Content-Type": "application/json"}, content=raw
    )
    assert 400 <= response.status_code < 500, response.text
    response.json()  # an answer that is itself JSON
    assert b"\xff" not in response.content and b"\xc3\x28" not in response.content


# -- rate limits hold across replicas ---------------------------------------------------------


async def test_sign_in_attempts_are_limited_across_two_replicas(
    reg_app: tuple[Service, httpx.AsyncClient],
    reg_settings: RegistrationSettings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service, client = reg_app
    limit = ratelimit.Limit(f"sign_in_test_{tag()}", hits=3, per_seconds=60)
    monkeypatch.setitem(service.rate_limits, "sign_in", limit)
    other_service, other_app = build(reg_settings)
    other_service.rate_limits["sign_in"] = limit
    body = {"login": f"nobody-{tag()}@example.vn", "password": "not-the-password"}
    async with running_app(other_app) as other:
        answers = [
            await replica.post("/sessions", json=body) for replica in (client, other, client)
        ]
        assert [a.status_code for a in answers] == [401, 401, 401]
        over = await other.post("/sessions", json=body)
        assert over.status_code == 429, over.text
        assert 1 <= int(over.headers["Retry-After"]) <= 60
        assert set(over.json()) <= {"detail", "code", "field"}
        assert (await client.post("/sessions", json=body)).status_code == 429


async def test_sign_up_is_rate_limited(
    reg_app: tuple[Service, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, client = reg_app
    monkeypatch.setitem(
        service.rate_limits, "sign_up", ratelimit.Limit(f"sign_up_test_{tag()}", 1, 3600)
    )
    first = await client.post("/exhibitors", json=sign_up_body(tag()))
    assert first.status_code == 201, first.text
    for url, body in [
        ("/exhibitors", sign_up_body(tag())),
        ("/invitations/accept", {"code": "no-such-code", "login": "a@b.vn", "password": "x"}),
        ("/password-resets", {"login": "a@b.vn", "code": "no-such", "new_password": "x" * 12}),
    ]:
        over = await client.post(url, json=body)
        assert over.status_code == 429, (url, over.text)
        assert int(over.headers["Retry-After"]) >= 1


async def test_imports_are_rate_limited_per_organization(
    grants: Grants, reg_app: tuple[Service, httpx.AsyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, client = reg_app
    monkeypatch.setitem(
        service.rate_limits,
        "imports",
        ratelimit.Limit(f"imports_test_{tag()}", 1, 3600, by="principal"),
    )
    council = await grants.certifier("Quảng Ninh")
    other_council = await grants.certifier("Lạng Sơn")
    csv = b"holder_name,holder_kind\n"

    async def upload(headers: dict[str, str]) -> httpx.Response:
        files = {"file": ("register.csv", csv, "text/csv")}
        return await client.post("/imports/register", headers=headers, files=files)

    assert (await upload(council)).status_code != 429
    over = await upload(council)
    assert over.status_code == 429, over.text
    assert (await upload(other_council)).status_code != 429  # another organization's count


# -- the organization to sign in for: named, with the person's memberships ------------------


async def test_a_person_of_several_organizations_is_shown_them_once_the_password_is_right(
    reg: Registration,
) -> None:
    first_id, first_owner = await reg.organization("organizer", name="Sở Công Thương Quảng Ninh")
    second_id, second_owner = await reg.organization("organizer", name="Sở Công Thương Lạng Sơn")
    t = tag()
    login, password = f"binh-{t}@example.vn", f"mat-khau-{t}"
    invitation = await reg.ok(
        "POST", f"/organizations/{first_id}/invitations", first_owner, 201, json={}
    )
    await reg.ok(
        "POST",
        "/invitations/accept",
        {},
        201,
        json={
            "code": invitation["code"],
            "account": {"name": "Trần Thị Bình", "email": login, "password": password},
        },
    )
    second = await reg.ok(
        "POST", f"/organizations/{second_id}/invitations", second_owner, 201, json={}
    )
    await reg.ok(
        "POST",
        "/invitations/accept",
        {},
        201,
        json={"code": second["code"], "login": login, "password": password},
    )

    wrong = await reg.client.post("/sessions", json={"login": login, "password": "sai-mat-khau"})
    assert wrong.status_code == 401 and "memberships" not in wrong.json()

    which = await reg.client.post("/sessions", json={"login": login, "password": password})
    assert which.status_code == 422, which.text
    body = which.json()
    assert [e["loc"] for e in body["detail"]] == [["body", "organization_id"]]
    assert sorted(body["memberships"], key=lambda m: m["name"]) == [
        {
            "organization_id": second_id,
            "name": "Sở Công Thương Lạng Sơn",
            "kind": "organizer",
            "org_role": "staff",
        },
        {
            "organization_id": first_id,
            "name": "Sở Công Thương Quảng Ninh",
            "kind": "organizer",
            "org_role": "staff",
        },
    ]
    chosen = await reg.client.post(
        "/sessions", json={"login": login, "password": password, "organization_id": second_id}
    )
    assert chosen.status_code == 201, chosen.text
