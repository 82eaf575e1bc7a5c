"""Identity through the HTTP API, against the real Postgres and Kafka: sign-up with an owner,
sign-in and out, throttling, password change and reset, invitations, members, API keys,
suspension, and sessions ending idle or at their absolute expiry (the clock injected)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import asyncpg
import orjson

from ocop_registration.adapters.jobs import activity_recorder, expire_sessions
from ocop_registration.application import clock
from ocop_registration.domain.identity import SessionPolicy
from ocop_shared.auth import Principal
from ocop_shared.settings import CommonSettings
from ocop_shared.topics import REGISTRATION_CREDENTIALS
from ocop_testkit import read_topic, valid_tax_code

Registration = Any  # the conftest's driver


def tag() -> str:
    return uuid.uuid4().hex[:10]


def owner(t: str, **over: Any) -> dict[str, Any]:
    return {
        "name": "Nguyễn Văn An",
        "email": f"an-{t}@example.vn",
        "password": f"mat-khau-{t}",
        **over,
    }


def holder_body(t: str, **over: Any) -> dict[str, Any]:
    return {
        "kind": "cooperative",
        "name": "Hợp tác xã Chè Đường Hoa",
        "tax_code": valid_tax_code(),
        "province": "Quảng Ninh",
        "owner": owner(t),
        **over,
    }


def has(found: dict[str, Any], **expected: Any) -> bool:
    return {k: found.get(k) for k in expected} == expected


def random_phone() -> str:
    return "09" + str(uuid.uuid4().int)[:8]


async def credential_events(
    settings: CommonSettings, subject: str, want: Any, timeout: float = 30
) -> list[dict[str, Any]]:
    """The credential events of ``subject``, read until ``want(events)`` holds."""

    def mine(records: list[Any]) -> list[dict[str, Any]]:
        return [orjson.loads(r.value) for r in records if r.key == subject.encode()]

    records = await read_topic(
        settings.kafka_bootstrap,
        settings.topic_prefix + REGISTRATION_CREDENTIALS.name,
        until=lambda rs: bool(want(mine(rs))),
        timeout=timeout,
    )
    return mine(records)


def revoked(events: list[dict[str, Any]], reason: str) -> list[dict[str, Any]]:
    return [
        e["payload"]
        for e in events
        if e["type"] == "registration.credentials_revoked" and e["payload"]["reason"] == reason
    ]


async def revocation(
    settings: CommonSettings, subject: str, reason: str, credential_id: str | None = None
) -> dict[str, Any]:
    def found(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            p
            for p in revoked(events, reason)
            if credential_id is None or credential_id in p["credential_ids"]
        ]

    events = await credential_events(settings, subject, found)
    assert found(events), (reason, credential_id, events)
    return found(events)[0]


async def status(reg: Registration, token: dict[str, str]) -> int:
    return int((await reg.client.get("/session", headers=token)).status_code)


async def sign_in(reg: Registration, login: str, password: str, **kw: Any) -> httpx_response:
    return await reg.client.post("/sessions", json={"login": login, "password": password, **kw})


httpx_response = Any


# --- sign-up, sign-in, sign-out ---------------------------------------------------------------


async def test_a_holder_signs_up_with_its_owner_signs_in_and_out(
    reg: Registration, stack_settings: CommonSettings
) -> None:
    t = tag()
    phone = random_phone()
    body = await reg.ok(
        "POST", "/exhibitors", {}, 201, json=holder_body(t, owner=owner(t, phone=phone))
    )
    exhibitor_id = body["exhibitor"]["exhibitor_id"]
    assert body["token"].startswith("ocop_exh_")
    assert body["session"]["expires_at"] and body["session"]["idle_expires_at"]
    first = reg.bearer(body["token"])

    me = await reg.ok("GET", "/session", first)
    assert has(
        me["organization"],
        organization_id=exhibitor_id,
        kind="holder",
        role="exhibitor",
        org_role="owner",
    )
    assert me["user"]["email"] == f"an-{t}@example.vn"
    assert me["user"]["phone"] == "+84" + phone[1:]
    assert "token" not in me

    # by email (any case) and by phone (any usual spelling)
    by_email = await sign_in(reg, f"AN-{t}@Example.vn", f"mat-khau-{t}")
    assert by_email.status_code == 201, by_email.text
    assert by_email.json()["organization"]["organization_id"] == exhibitor_id
    spaced = f"+84 {phone[1:4]} {phone[4:7]} {phone[7:]}"
    by_phone = await sign_in(reg, spaced, f"mat-khau-{t}")
    assert by_phone.status_code == 201, by_phone.text
    second = reg.bearer(by_phone.json()["token"])

    session_id = me["session"]["session_id"]
    assert (await reg.client.delete("/session", headers=first)).status_code == 204
    assert await status(reg, first) == 401  # unusable at once
    assert await status(reg, second) == 200  # the other session goes on
    event = await revocation(stack_settings, exhibitor_id, "signed_out", session_id)
    assert event["role"] == "exhibitor" and not event["everything_of_subject"]

    # the sessions were announced as version 2 credentials
    events = await credential_events(
        stack_settings,
        exhibitor_id,
        lambda es: sum(e["type"] == "registration.credential_issued" for e in es) >= 3,
    )
    issued = [e for e in events if e["type"] == "registration.credential_issued"]
    assert {e["version"] for e in issued} == {2}
    assert issued[0]["payload"]["kind"] == "session"
    assert issued[0]["payload"]["user_id"] == me["user"]["user_id"]
    assert issued[0]["payload"]["credential_id"] == session_id


async def test_sign_up_refusals_name_the_field_and_change_nothing(reg: Registration) -> None:
    t = tag()
    phone = random_phone()
    first = holder_body(t, owner=owner(t, phone=phone))
    await reg.ok("POST", "/exhibitors", {}, 201, json=first)

    for why, password in {
        "short": "ngan-qua",
        "common": "Password123",
        "the login": "an-{u}",
        "one character": "aaaaaaaaaaaa",
    }.items():
        u = tag()
        password = password.format(u=u)
        response = await reg.client.post(
            "/exhibitors", json=holder_body(u, owner=owner(u, password=password))
        )
        assert response.status_code == 422, (why, response.text)
        assert response.json()["detail"][0]["loc"] == ["body", "owner", "password"], why

    u = tag()
    response = await reg.client.post("/exhibitors", json=holder_body(u, owner=owner(u, email=None)))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "owner", "email"]

    for field, clash in (
        ("owner.email", owner(tag(), email=f"AN-{t}@example.vn")),
        ("owner.phone", owner(tag(), phone=phone)),
    ):
        response = await reg.client.post("/exhibitors", json=holder_body(tag(), owner=clash))
        assert response.status_code == 409, response.text
        assert response.json()["field"] == field

    # An existing tax code does not hand the holder to a newcomer.
    u = tag()
    response = await reg.client.post(
        "/exhibitors", json=holder_body(u, tax_code=first["tax_code"], name="Kẻ mạo danh")
    )
    assert response.status_code == 409
    assert response.json()["field"] == "tax_code"
    assert "invitation" in response.json()["detail"]
    assert (await sign_in(reg, f"an-{u}@example.vn", f"mat-khau-{u}")).status_code == 401


async def test_an_unknown_login_and_a_wrong_password_get_the_same_answer(
    reg: Registration,
) -> None:
    t = tag()
    await reg.ok("POST", "/exhibitors", {}, 201, json=holder_body(t))
    wrong = await sign_in(reg, f"an-{t}@example.vn", "not-the-password")
    unknown = await sign_in(reg, f"nobody-{t}@example.vn", f"mat-khau-{t}")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    bad_login = await sign_in(reg, "not a login", "whatever-it-is")
    assert bad_login.status_code == 422
    assert bad_login.json()["detail"][0]["loc"] == ["body", "login"]


async def test_brute_force_sign_in_is_throttled_even_with_the_right_password(
    reg: Registration, admin_conn: asyncpg.Connection
) -> None:
    t = tag()
    await reg.ok("POST", "/exhibitors", {}, 201, json=holder_body(t))
    login = f"an-{t}@example.vn"
    for _ in range(5):
        assert (await sign_in(reg, login, "guess-guess-guess")).status_code == 401
    # From the sixth attempt each waits 1, 2, 4, ... s after the last failure: keep guessing
    # until one is told to wait (each counted failure doubles the wait, so one soon is).
    for _ in range(10):
        response = await sign_in(reg, login, "guess-guess-guess")
        if response.status_code == 429:
            break
        assert response.status_code == 401
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    right = await sign_in(reg, login, f"mat-khau-{t}")
    assert right.status_code == 429, "the right password is refused during the backoff"

    # an unknown login is throttled the same way
    nobody = f"nobody-{t}@example.vn"
    answers = [(await sign_in(reg, nobody, "guess-guess-guess")).status_code for _ in range(7)]
    assert answers[:5] == [401] * 5 and 429 in answers[5:]

    # a success clears the count
    u = tag()
    await reg.ok("POST", "/exhibitors", {}, 201, json=holder_body(u))
    for _ in range(3):
        await sign_in(reg, f"an-{u}@example.vn", "guess-guess-guess")
    failures = "select failures from registration.sign_in_failures where login = $1"
    assert await admin_conn.fetchval(failures, f"an-{u}@example.vn") == 3
    assert (await sign_in(reg, f"an-{u}@example.vn", f"mat-khau-{u}")).status_code == 201
    assert await admin_conn.fetchval(failures, f"an-{u}@example.vn") is None


# --- password change, sign out everywhere, reset codes ----------------------------------------


async def test_password_change_ends_the_other_sessions_and_everywhere_ends_all(
    reg: Registration, stack_settings: CommonSettings
) -> None:
    t = tag()
    body = await reg.ok("POST", "/exhibitors", {}, 201, json=holder_body(t))
    exhibitor_id = body["exhibitor"]["exhibitor_id"]
    login, password = f"an-{t}@example.vn", f"mat-khau-{t}"
    current = reg.bearer(body["token"])
    other = reg.bearer((await sign_in(reg, login, password)).json()["token"])
    other_id = (await reg.ok("GET", "/session", other))["session"]["session_id"]

    wrong = await reg.client.post(
        "/session/password",
        headers=current,
        json={"current_password": "not-it-at-all", "new_password": f"moi-{t}-moi"},
    )
    assert wrong.status_code == 401 and wrong.json()["field"] == "current_password"
    weak = await reg.client.post(
        "/session/password",
        headers=current,
        json={"current_password": password, "new_password": "12345"},
    )
    assert weak.status_code == 422
    assert weak.json()["detail"][0]["loc"] == ["body", "new_password"]
    assert await status(reg, other) == 200  # refusals changed nothing

    changed = await reg.client.post(
        "/session/password",
        headers=current,
        json={"current_password": password, "new_password": f"moi-{t}-moi"},
    )
    assert changed.status_code == 204, changed.text
    assert await status(reg, other) == 401
    assert await status(reg, current) == 200
    assert (await sign_in(reg, login, password)).status_code == 401
    await revocation(stack_settings, exhibitor_id, "password_changed", other_id)

    again = reg.bearer((await sign_in(reg, login, f"moi-{t}-moi")).json()["token"])
    everywhere = await reg.client.post("/session/sign-out-everywhere", headers=current)
    assert everywhere.status_code == 204
    assert await status(reg, current) == 401
    assert await status(reg, again) == 401
    event = await revocation(stack_settings, exhibitor_id, "signed_out_everywhere")
    assert len(event["credential_ids"]) == 2


async def test_a_reset_code_works_once_and_ends_every_session(
    reg: Registration, stack_settings: CommonSettings, admin_conn: asyncpg.Connection
) -> None:
    organization_id, boss = await reg.organization("organizer", province="Quảng Ninh")
    invitation = await reg.ok(
        "POST", f"/organizations/{organization_id}/invitations", boss, 201, json={}
    )
    t = tag()
    accepted = await reg.ok(
        "POST",
        "/invitations/accept",
        {},
        201,
        json={"code": invitation["code"], "account": owner(t)},
    )
    staff = reg.bearer(accepted["token"])
    user_id = accepted["user"]["user_id"]
    assert accepted["organization"]["org_role"] == "staff"

    # staff may not issue codes; an owner may
    url = f"/organizations/{organization_id}/members/{user_id}/reset-code"
    assert (await reg.client.post(url, headers=staff)).status_code == 403
    code = (await reg.ok("POST", url, boss, 201))["code"]

    login = f"an-{t}@example.vn"
    wrong_login = await reg.client.post(
        "/password-resets",
        json={"login": f"other-{t}@example.vn", "code": code, "new_password": f"moi-{t}-moi"},
    )
    assert wrong_login.status_code == 422
    reset = {"login": login, "code": code, "new_password": f"moi-{t}-moi"}
    assert (await reg.client.post("/password-resets", json=reset)).status_code == 204
    assert await status(reg, staff) == 401
    await revocation(
        stack_settings, organization_id, "password_reset", accepted["session"]["session_id"]
    )
    assert (await sign_in(reg, login, f"moi-{t}-moi")).status_code == 201
    again = await reg.client.post("/password-resets", json={**reset, "new_password": "x" * 9 + "y"})
    assert again.status_code == 422 and "already been used" in again.text

    # an expired code is refused
    code = (await reg.ok("POST", url, boss, 201))["code"]
    await admin_conn.execute(
        "update registration.reset_codes set expires_at = now() - interval '1 second'"
        " where used_at is null and user_id = $1",
        uuid.UUID(user_id),
    )
    expired = await reg.client.post(
        "/password-resets", json={"login": login, "code": code, "new_password": f"z-{t}-z"}
    )
    assert expired.status_code == 422 and "expired" in expired.text


# --- organizations, invitations, members --------------------------------------------------------


async def test_organizations_invitations_and_members(
    reg: Registration, admin_conn: asyncpg.Connection, stack_settings: CommonSettings
) -> None:
    organization_id, boss = await reg.organization("organizer", province="Quảng Ninh")
    detail = await reg.ok("GET", f"/organizations/{organization_id}", boss)
    assert detail["organization"]["kind"] == "organizer"
    assert [m["org_role"] for m in detail["members"]] == ["owner"]

    # only the admin creates organizations; a duplicate id is a conflict
    body = {"kind": "organizer", "organization_id": organization_id, "name": "Trùng"}
    assert (await reg.client.post("/organizations", headers=boss, json=body)).status_code == 403
    duplicate = await reg.client.post("/organizations", headers=reg.admin, json=body)
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "organization_id"
    bad = await reg.client.post(
        "/organizations",
        headers=reg.admin,
        json={"kind": "certifier", "organization_id": f"hd-{tag()}", "name": "Hội đồng"},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "level"]

    invitation = await reg.ok(
        "POST",
        f"/organizations/{organization_id}/invitations",
        boss,
        201,
        json={"org_role": "staff"},
    )
    t = tag()
    accept = {"code": invitation["code"], "account": owner(t)}
    staff_session = await reg.ok("POST", "/invitations/accept", {}, 201, json=accept)
    staff = reg.bearer(staff_session["token"])
    assert staff_session["organization"]["role"] == "organizer"

    again = await reg.client.post("/invitations/accept", json={**accept, "account": owner(tag())})
    assert again.status_code == 422 and "already been used" in again.text

    # staff: see the organization, not invite
    assert (
        await reg.client.get(f"/organizations/{organization_id}", headers=staff)
    ).status_code == 200
    invite_url = f"/organizations/{organization_id}/invitations"
    assert (await reg.client.post(invite_url, headers=staff, json={})).status_code == 403
    # another organization's owner: as if it did not exist
    other_id, other = await reg.organization("organizer")
    for url in (f"/organizations/{organization_id}", invite_url):
        assert (await reg.client.get(url, headers=other)).status_code == 404

    # expired and withdrawn invitations are refused
    expiring = await reg.ok("POST", invite_url, boss, 201, json={})
    await admin_conn.execute(
        "update registration.invitations set expires_at = now() - interval '1 second'"
        " where invitation_id = $1",
        uuid.UUID(expiring["invitation_id"]),
    )
    late = await reg.client.post(
        "/invitations/accept", json={"code": expiring["code"], "account": owner(tag())}
    )
    assert late.status_code == 422 and "expired" in late.text
    withdrawn = await reg.ok("POST", invite_url, boss, 201, json={})
    gone = await reg.client.delete(f"{invite_url}/{withdrawn['invitation_id']}", headers=boss)
    assert gone.status_code == 204
    refused = await reg.client.post(
        "/invitations/accept", json={"code": withdrawn["code"], "account": owner(tag())}
    )
    assert refused.status_code == 422
    listed = await reg.ok("GET", invite_url, boss)
    assert {i["status"] for i in listed} == {"used", "expired", "revoked"}
    assert all("code" not in i for i in listed)

    # someone with an account joins a second organization, then chooses at sign-in
    second = await reg.ok(
        "POST", f"/organizations/{other_id}/invitations", other, 201, json={"org_role": "owner"}
    )
    login, password = f"an-{t}@example.vn", f"mat-khau-{t}"
    wrong = await reg.client.post(
        "/invitations/accept",
        json={"code": second["code"], "login": login, "password": "nope-nope"},
    )
    assert wrong.status_code == 401
    joined = await reg.ok(
        "POST",
        "/invitations/accept",
        {},
        201,
        json={"code": second["code"], "login": login, "password": password},
    )
    assert joined["organization"]["organization_id"] == other_id
    assert len(joined["memberships"]) == 2
    which = await sign_in(reg, login, password)
    assert which.status_code == 422
    assert which.json()["detail"][0]["loc"] == ["body", "organization_id"]
    chosen = await sign_in(reg, login, password, organization_id=other_id)
    assert chosen.status_code == 201 and chosen.json()["organization"]["org_role"] == "owner"

    # the owner removes the staff member: their sessions for it end, at once
    user_id = staff_session["user"]["user_id"]
    members_url = f"/organizations/{organization_id}/members"
    removed = await reg.client.delete(f"{members_url}/{user_id}", headers=boss)
    assert removed.status_code == 204
    assert await status(reg, staff) == 401
    assert await status(reg, reg.bearer(chosen.json()["token"])) == 200  # the other org's
    await revocation(
        stack_settings, organization_id, "membership_ended", staff_session["session"]["session_id"]
    )
    # the last owner stays
    boss_id = (await reg.ok("GET", "/session", boss))["user"]["user_id"]
    last = await reg.client.delete(f"{members_url}/{boss_id}", headers=boss)
    assert last.status_code == 409 and last.json()["field"] == "user_id"


async def test_authorities_sessions_carry_their_province_and_level(
    reg: Registration, stack_settings: CommonSettings
) -> None:
    organization_id, council = await reg.certifier("Quảng Ninh")
    me = await reg.ok("GET", "/session", council)
    assert has(
        me["organization"],
        kind="certifier",
        role="certifier",
        province="Quảng Ninh",
        level="provincial",
    )
    events = await credential_events(stack_settings, organization_id, lambda es: es)
    payload = events[0]["payload"]
    assert (payload["role"], payload["province"], payload["level"]) == (
        "certifier",
        "Quảng Ninh",
        "provincial",
    )
    central_id, central = await reg.certifier(None, level="central")
    assert (await reg.ok("GET", "/session", central))["organization"]["province"] is None
    inspector_id, inspector = await reg.inspector("Lào Cai")
    me = await reg.ok("GET", "/session", inspector)
    assert (me["organization"]["role"], me["organization"]["province"]) == ("inspector", "Lào Cai")
    staff = await reg.staff_of(council, organization_id)
    assert (await reg.ok("GET", "/session", staff))["organization"]["org_role"] == "staff"
    del central_id, inspector_id


# --- API keys and suspension --------------------------------------------------------------


async def test_api_keys_are_shown_once_act_as_staff_and_are_revoked_everywhere(
    reg: Registration, stack_settings: CommonSettings
) -> None:
    organization_id, boss = await reg.organization("organizer")
    url = f"/organizations/{organization_id}/api-keys"
    too_long = await reg.client.post(url, headers=boss, json={"label": "x", "expires_in_days": 366})
    assert too_long.status_code == 422
    key = await reg.ok("POST", url, boss, 201, json={"label": "kế toán", "expires_in_days": 30})
    assert key["token"].startswith("ocop_org_")
    as_key = reg.bearer(key["token"])
    assert (
        await reg.client.get(f"/organizations/{organization_id}", headers=as_key)
    ).status_code == 200
    # a key is staff: it cannot make keys or invite
    assert (
        await reg.client.post(url, headers=as_key, json={"label": "y", "expires_in_days": 1})
    ).status_code == 403
    assert (await reg.client.get("/session", headers=as_key)).status_code == 404  # not a session
    listed = await reg.ok("GET", url, boss)
    assert [k["key_id"] for k in listed] == [key["key_id"]] and "token" not in listed[0]

    events = await credential_events(
        stack_settings,
        organization_id,
        lambda es: any(e["payload"].get("kind") == "api_key" for e in es),
    )
    announced = next(e["payload"] for e in events if e["payload"].get("kind") == "api_key")
    assert announced["credential_id"] == key["key_id"] and announced["org_role"] == "staff"

    assert (await reg.client.delete(f"{url}/{key['key_id']}", headers=boss)).status_code == 204
    assert (
        await reg.client.get(f"/organizations/{organization_id}", headers=as_key)
    ).status_code == 401
    await revocation(stack_settings, organization_id, "key_revoked", key["key_id"])


async def test_a_suspended_organization_loses_every_credential_and_cannot_sign_in(
    reg: Registration, stack_settings: CommonSettings
) -> None:
    t = tag()
    body = await reg.ok("POST", "/exhibitors", {}, 201, json=holder_body(t))
    exhibitor_id = body["exhibitor"]["exhibitor_id"]
    holder = reg.bearer(body["token"])
    key = await reg.ok(
        "POST",
        f"/organizations/{exhibitor_id}/api-keys",
        holder,
        201,
        json={"label": "shop", "expires_in_days": 90},
    )
    url = f"/organizations/{exhibitor_id}/suspension"
    assert (await reg.client.post(url, headers=holder)).status_code == 403
    suspended = await reg.ok("POST", url, reg.admin)
    assert suspended["suspended"] is True
    assert await status(reg, holder) == 401
    assert (
        await reg.client.get(f"/organizations/{exhibitor_id}", headers=reg.bearer(key["token"]))
    ).status_code == 401
    refused = await sign_in(reg, f"an-{t}@example.vn", f"mat-khau-{t}")
    assert refused.status_code == 403
    event = await revocation(stack_settings, exhibitor_id, "suspended")
    assert event["everything_of_subject"] is True

    await reg.ok("DELETE", url, reg.admin)
    assert (await sign_in(reg, f"an-{t}@example.vn", f"mat-khau-{t}")).status_code == 201


# --- sessions end idle and at their absolute expiry (the clock injected) ---------------------


async def test_sessions_end_when_idle_and_at_their_absolute_expiry(
    reg: Registration,
    reg_uow: Any,
    reg_app: Any,
    reg_settings: Any,
    stack_settings: CommonSettings,
    admin_conn: asyncpg.Connection,
) -> None:
    policy: SessionPolicy = reg_settings.session_policy()
    tokens = reg_app[0].tokens  # the job empties its replica's token cache, as app.py wires it
    t = tag()
    body = await reg.ok("POST", "/exhibitors", {}, 201, json=holder_body(t))
    exhibitor_id = body["exhibitor"]["exhibitor_id"]
    busy = reg.bearer(body["token"])
    idle = reg.bearer((await sign_in(reg, f"an-{t}@example.vn", f"mat-khau-{t}")).json()["token"])
    busy_me = await reg.ok("GET", "/session", busy)
    idle_me = await reg.ok("GET", "/session", idle)
    start = clock.now()

    def principal(me: dict[str, Any]) -> Principal:
        return Principal(
            "exhibitor",
            exhibitor_id,
            user_id=me["user"]["user_id"],
            credential_id=me["session"]["session_id"],
        )

    seen = "select last_seen_at from registration.sessions where session_id = $1"
    busy_id = uuid.UUID(busy_me["session"]["session_id"])
    first_seen = await admin_conn.fetchval(seen, busy_id)
    # a use within the minute writes nothing; later ones restart the idle clock
    await activity_recorder(reg_uow, policy, lambda: start + timedelta(seconds=30))(
        principal(busy_me)
    )
    assert await admin_conn.fetchval(seen, busy_id) == first_seen
    await activity_recorder(reg_uow, policy, lambda: start + timedelta(minutes=20))(
        principal(busy_me)
    )
    assert await admin_conn.fetchval(seen, busy_id) == start + timedelta(minutes=20)

    # 31 minutes on: the idle one ends, the busy one (used 11 minutes ago) does not
    await expire_sessions(reg_uow, policy, start + timedelta(minutes=31), tokens)
    assert await status(reg, idle) == 401
    assert await status(reg, busy) == 200
    await revocation(stack_settings, exhibitor_id, "idle", idle_me["session"]["session_id"])
    # an idle session is not brought back by a late use
    await activity_recorder(reg_uow, policy, lambda: start + timedelta(minutes=32))(
        principal(idle_me)
    )

    # kept busy (used every 25 minutes), it still ends 12 hours after sign-in
    for minutes in range(45, 12 * 60, 25):
        at = start + timedelta(minutes=minutes)
        await activity_recorder(reg_uow, policy, lambda at=at: at)(principal(busy_me))
    assert await admin_conn.fetchval(seen, busy_id) > start + policy.absolute - policy.idle
    await expire_sessions(reg_uow, policy, start + policy.absolute - timedelta(minutes=1), tokens)
    assert await status(reg, busy) == 200
    await expire_sessions(reg_uow, policy, start + policy.absolute + timedelta(seconds=1), tokens)
    assert await status(reg, busy) == 401
    await revocation(stack_settings, exhibitor_id, "expired", busy_me["session"]["session_id"])
