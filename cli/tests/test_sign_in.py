"""The CLI's sign-in, sign-out and whoami, and which credential a command acts with: --token,
else the signed-in session, else the demo's person (signed in again with the demo's saved
password once its session has ended). Against a stand-in for registration's session routes
(httpx's MockTransport), so no stack is needed."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from ocop_cli import main
from ocop_cli.client import Client

PASSWORD = "ha-long-bay-2024"
ORGANIZER = "so-cong-thuong-quang-ninh-abc123"


@dataclass
class Registration:
    """Sessions as registration keeps them: sign-in opens one, sign-out ends it."""

    live: dict[str, str] = field(default_factory=dict)  # token -> login
    seen: list[tuple[str, str, str | None]] = field(default_factory=list)

    def session(self, login: str) -> dict[str, object]:
        org = {"organization_id": ORGANIZER, "kind": "organizer", "name": "Sở Công Thương",
               "role": "organizer", "org_role": "owner"}  # fmt: skip
        return {
            "session": {
                "session_id": "7d1c1f0e-8a37-4a0e-9d38-6f0c5b1c2a11",
                "expires_at": "2026-01-01T12:00:00Z",
                "idle_expires_at": "2026-01-01T00:30:00Z",
            },
            "user": {"user_id": "u1", "name": "Nguyễn Thị Hoa", "email": login, "phone": None},
            "organization": org,
            "memberships": [org],
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization", "").removeprefix("Bearer ") or None
        route = (request.method, request.url.path)
        self.seen.append((*route, auth))
        if route == ("POST", "/sessions"):
            body = json.loads(request.content)
            if body["password"] != PASSWORD:
                detail = {"detail": "wrong login or password"}
                return httpx.Response(401, json=detail)
            token = f"ocop_ses_{len(self.live)}"
            self.live[token] = body["login"]
            return httpx.Response(201, json={"token": token, **self.session(body["login"])})
        if auth not in self.live:
            return httpx.Response(401, json={"detail": "not signed in"})
        if route == ("GET", "/session"):
            return httpx.Response(200, json=self.session(self.live[auth]))
        if route == ("DELETE", "/session"):
            del self.live[auth]
            return httpx.Response(204)
        if route == ("GET", "/organizer/fairs"):
            return httpx.Response(200, json=[])
        return httpx.Response(404, json={"detail": "not found"})


@pytest.fixture
def registration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registration]:
    stand_in = Registration()
    monkeypatch.setattr(main, "STATE", tmp_path / "demo.json")
    monkeypatch.setattr(main, "SESSION", tmp_path / "cli-session.json")
    monkeypatch.setattr(main, "Client", partial(Client, transport=httpx.MockTransport(stand_in)))
    monkeypatch.delenv("OCOP_TOKEN", raising=False)
    yield stand_in


def ocop(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(main.app, list(args), input=stdin)
    assert result.exit_code == 0, result.output
    return result.output


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_signed_in_session_is_kept_private_and_used_until_sign_out(
    registration: Registration,
) -> None:
    ocop("sign-in", "--login", "hoa@ocop-demo.test", "--password-stdin", stdin=PASSWORD + "\n")
    kept = json.loads(main.SESSION.read_text())
    assert kept["token"] in registration.live and private(main.SESSION)

    assert "Nguyễn Thị Hoa" in ocop("whoami")
    ocop("fairs")
    assert registration.seen[-1] == ("GET", "/organizer/fairs", kept["token"])
    given = CliRunner().invoke(main.app, ["fairs", "--token", "ocop_key_unknown"])
    assert registration.seen[-1][2] == "ocop_key_unknown"  # --token wins over the session
    assert given.exit_code == 1 and "ocop sign-in" in given.output  # 401 says what to do

    ocop("sign-out")
    assert registration.seen[-1] == ("DELETE", "/session", kept["token"])
    assert not main.SESSION.exists() and kept["token"] not in registration.live


def test_a_wrong_password_keeps_nothing(registration: Registration) -> None:
    result = CliRunner().invoke(
        main.app, ["sign-in", "--login", "hoa@ocop-demo.test", "--password-stdin"], input="no\n"
    )
    assert result.exit_code == 1 and "wrong login or password" in result.output
    assert not main.SESSION.exists()


def test_without_a_session_the_demo_organizer_signs_in_again_when_its_session_ended(
    registration: Registration,
) -> None:
    account = {"login": "sct@ocop-demo.test", "password": PASSWORD, "organization_id": ORGANIZER}
    main.write_private(
        main.STATE,
        json.dumps({"organizer_token": "ocop_ses_ended", "accounts": {"organizer": account}}),
    )
    main.STATE.chmod(0o644)  # an older file's mode is made private again when written
    ocop("fairs")
    state = json.loads(main.STATE.read_text())
    fresh = state["organizer_token"]
    assert fresh in registration.live and private(main.STATE)
    assert registration.seen[-1] == ("GET", "/organizer/fairs", fresh)

    ocop("fairs")  # the saved session is used while it lasts: no second sign-in
    assert [r for r in registration.seen if r[:2] == ("POST", "/sessions")] == [
        ("POST", "/sessions", None)
    ]


def test_no_credential_at_all_says_how_to_get_one(registration: Registration) -> None:
    result = CliRunner().invoke(main.app, ["fairs"])
    assert result.exit_code == 2 and "ocop sign-in" in result.output
    assert registration.seen == []
