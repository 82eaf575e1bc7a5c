"""The exhibitor's receiving bank account (issue 13), through the API against the real stack:
set by an owner in the exhibitor's PATCH (staff, API keys and the admin 403, another
exhibitor 404, nothing changed), answered to the exhibitor's own people only, announced to
sales; the three fields together; the banks listed publicly."""

from __future__ import annotations

import uuid
from typing import Any

from ocop_shared.settings import CommonSettings
from ocop_shared.topics import REGISTRATION_EXHIBITORS

from .test_api import events_for

Registration = Any  # the conftest's driver

ACCOUNT = {
    "bank_bin": "970436",
    "bank_account": "0011001234567",
    "bank_account_name": "HTX MAT ONG BACH DANG",
}
NONE = {"bank_bin": None, "bank_account": None, "bank_account_name": None}


def _bank(answer: dict[str, Any]) -> dict[str, Any]:
    return {name: answer[name] for name in ACCOUNT}


async def test_an_owner_sets_the_account_its_people_see_it_and_sales_hears_of_it(
    reg: Registration, stack_settings: CommonSettings
) -> None:
    tag = uuid.uuid4().hex[:10]
    exhibitor_id, owner = await reg.exhibitor(name=f"Hợp tác xã Mật ong {tag}")
    url = f"/exhibitors/{exhibitor_id}"
    assert _bank(await reg.ok("GET", url, owner)) == NONE

    body = {**ACCOUNT, "bank_account": "vcb001100123", "bank_account_name": "HTX  MAT ONG"}
    updated = await reg.ok("PATCH", url, owner, json=body)
    kept = {**ACCOUNT, "bank_account": "VCB001100123", "bank_account_name": "HTX MAT ONG"}
    assert _bank(updated) == kept
    assert _bank(await reg.ok("GET", url, owner)) == kept
    staff = await reg.staff_of(owner, exhibitor_id)
    assert _bank(await reg.ok("GET", url, staff)) == kept  # its own people

    # Not to anyone else: the admin's view, the public directory.
    assert _bank(await reg.ok("GET", url, reg.admin)) == NONE
    listed = await reg.ok("GET", f"/directory/exhibitors?q={tag}", {})
    [entry] = [e for e in listed if e["exhibitor_id"] == exhibitor_id]
    assert not {"bank_bin", "bank_account", "bank_account_name"} & set(entry)

    # Announced: registered (no account), then updated with it.
    registered, announced = await events_for(
        stack_settings, REGISTRATION_EXHIBITORS.name, exhibitor_id, 2
    )
    assert registered["payload"]["exhibitor"]["bank_bin"] is None
    assert announced["type"] == "registration.exhibitor_updated"
    assert _bank(announced["payload"]["exhibitor"]) == kept

    # Other changes keep it; all three null remove it.
    renamed = await reg.ok("PATCH", url, owner, json={"commune": "Uông Bí"})
    assert _bank(renamed) == kept
    assert _bank(await reg.ok("PATCH", url, owner, json=NONE)) == NONE


async def test_only_an_owner_sets_it_and_a_refusal_changes_nothing(reg: Registration) -> None:
    exhibitor_id, owner = await reg.exhibitor()
    url = f"/exhibitors/{exhibitor_id}"
    await reg.ok("PATCH", url, owner, json=ACCOUNT)
    staff = await reg.staff_of(owner, exhibitor_id)
    key = await reg.ok(
        "POST",
        f"/organizations/{exhibitor_id}/api-keys",
        owner,
        201,
        json={"label": "kế toán", "expires_in_days": 30},
    )
    api_key = reg.bearer(key["token"])
    _, other_owner = await reg.exhibitor(name="Hợp tác xã Chè Đường Hoa")
    change = {**ACCOUNT, "bank_bin": "970418", "bank_account": "99998888777"}

    for who, headers in (("staff", staff), ("api key", api_key), ("admin", reg.admin)):
        refused = await reg.client.patch(url, headers=headers, json=change)
        assert refused.status_code == 403, (who, refused.text)
        assert refused.json()["field"] == "bank_bin"
        # a partial change of the bank fields is refused for them too, before any check
        partial = await reg.client.patch(url, headers=headers, json={"bank_bin": None})
        assert partial.status_code == 403, (who, partial.text)
    hidden = await reg.client.patch(url, headers=other_owner, json=change)
    assert hidden.status_code == 404

    assert _bank(await reg.ok("GET", url, owner)) == ACCOUNT
    # Staff still change the rest of the profile.
    assert (await reg.ok("PATCH", url, staff, json={"commune": "Cẩm Phả"}))["commune"] == "Cẩm Phả"


async def test_each_refusal_names_its_field(reg: Registration) -> None:
    exhibitor_id, owner = await reg.exhibitor()
    url = f"/exhibitors/{exhibitor_id}"
    cases: list[tuple[dict[str, Any], str, str | None]] = [
        ({**ACCOUNT, "bank_bin": "970499"}, "bank_bin", "unknown_bank"),
        ({**ACCOUNT, "bank_bin": "97043"}, "bank_bin", None),
        ({"bank_bin": "970436", "bank_account": "0011001234567"}, "bank_account_name",
         "bank_account_incomplete"),
        ({**ACCOUNT, "bank_account": None}, "bank_account", "bank_account_incomplete"),
        ({**ACCOUNT, "bank_account": "0011 0012 345"}, "bank_account", None),
        ({**ACCOUNT, "bank_account": "12345"}, "bank_account", None),
        ({**ACCOUNT, "bank_account_name": "Hợp tác xã Mật ong"}, "bank_account_name", None),
        ({**ACCOUNT, "bank_account_name": ""}, "bank_account_name", None),
        ({**ACCOUNT, "bank_bin": 970436}, "bank_bin", None),
    ]  # fmt: skip
    for body, field, code in cases:
        refused = await reg.client.patch(url, headers=owner, json=body)
        assert refused.status_code == 422, (body, refused.text)
        [detail] = refused.json()["detail"]
        assert detail["loc"][-1] == field, (body, detail)
        if code:
            assert detail["type"] == code, (body, detail)
    assert _bank(await reg.ok("GET", url, owner)) == NONE


async def test_the_banks_are_listed_for_anyone_and_cacheable(reg: Registration) -> None:
    response = await reg.client.get("/banks")
    assert response.status_code == 200
    assert "public" in response.headers["cache-control"]
    banks = response.json()
    assert banks[0] == {
        "bin": "970436",
        "short_name": "Vietcombank",
        "name": "Ngân hàng TMCP Ngoại Thương Việt Nam",
    }
    assert len({b["bin"] for b in banks}) == len(banks) > 50
