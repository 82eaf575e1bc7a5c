"""The pages against a fake registration: sign-in and its errors, the organization choice,
sign-out, the 401 path, CSRF on every form, security headers, the language switch."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ocop_shared.authz import api_routes
from ocop_web.session import SESSION_COOKIE, local_path

from .conftest import ORGANIZER, PASSWORD, TOKEN, FakeRegistration, csrf_of


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/account", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?notice=sign_in_required&next=%2Faccount"


def test_the_sign_in_page_is_vietnamese_with_strict_headers(client: TestClient) -> None:
    page = client.get("/sign-in")
    assert page.status_code == 200
    assert '<html lang="vi">' in page.text
    assert "Đăng nhập" in page.text
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert "<script>" not in page.text and "style=" not in page.text
    assert "ocop_visitor=" in page.headers["set-cookie"]
    assert "HttpOnly" in page.headers["set-cookie"]


def test_a_wrong_password_shows_the_error_summary_and_the_field_error(client: TestClient) -> None:
    page = client.get("/sign-in")
    answer = client.post(
        "/sign-in",
        data={"login": "an@example.vn", "password": "sai", "csrf_token": csrf_of(page.text)},
    )
    assert answer.status_code == 422
    message = "Địa chỉ email, số điện thoại hoặc mật khẩu không đúng"
    summary = re.search(r'<div class="ocop-error-summary".*?</div>', answer.text, re.S)
    assert summary and f'<a href="#password">{message}</a>' in summary.group(0)
    assert 'id="password-error"' in answer.text and answer.text.count(message) == 2
    assert 'value="an@example.vn"' in answer.text  # the login is kept, the password is not
    assert "sai" not in re.findall(r'value="([^"]*)"', answer.text)


def test_empty_fields_are_named_before_any_call(
    client: TestClient, registration: FakeRegistration
) -> None:
    page = client.get("/sign-in")
    answer = client.post(
        "/sign-in", data={"login": "", "password": "", "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 422
    assert "Nhập địa chỉ email hoặc số điện thoại của bạn" in answer.text
    assert "Nhập mật khẩu của bạn" in answer.text
    assert not registration.calls


def test_signing_in_sets_an_http_only_cookie_and_goes_back(client: TestClient) -> None:
    page = client.get("/sign-in?next=/account")
    answer = client.post(
        "/sign-in",
        data={
            "login": "an@example.vn",
            "password": PASSWORD,
            "next": "/account",
            "csrf_token": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/account"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; https gets Secure
    account = client.get("/account")
    assert "Hợp tác xã Chè Đường Hoa" in account.text


def test_each_role_lands_on_its_own_home_after_signing_in(
    client: TestClient, registration: FakeRegistration
) -> None:
    """No page asked for: an exhibitor lands on the portal, an organizer on the console, the
    authorities on theirs (also through ``/``)."""
    homes = {
        "exhibitor": "/exhibitor",
        "organizer": "/organizer",
        "certifier": "/certifier",
        "inspector": "/inspector",
        "admin": "/admin",
    }
    for role, home in homes.items():
        registration.memberships = [{**ORGANIZER, "role": role}]
        page = client.get("/sign-in")
        answer = client.post(
            "/sign-in",
            data={"login": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert answer.status_code == 303 and answer.headers["location"] == home, role
        assert client.get("/", follow_redirects=False).headers["location"] == home, role


def test_a_person_of_several_organizations_chooses_one(
    client: TestClient, registration: FakeRegistration
) -> None:
    registration.memberships.append(ORGANIZER)
    page = client.get("/sign-in")
    choose = client.post(
        "/sign-in",
        data={"login": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert choose.status_code == 200
    assert "Chọn tổ chức của bạn" in choose.text
    assert 'value="so-cong-thuong-quang-ninh"' in choose.text
    answer = client.post(
        "/sign-in",
        data={
            "login": "an@example.vn",
            "password": PASSWORD,
            "choosing": "1",
            "organization_id": "so-cong-thuong-quang-ninh",
            "csrf_token": csrf_of(choose.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    sent = registration.calls[-1]
    assert b'"organization_id":"so-cong-thuong-quang-ninh"' in sent.content


def test_calls_carry_the_token_and_the_correlation_id(
    signed_in: TestClient, registration: FakeRegistration
) -> None:
    signed_in.get("/account", headers={"X-Correlation-ID": "corr-123"})
    call = registration.calls[-1]
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.headers["x-correlation-id"] == "corr-123"


def test_a_401_from_a_service_sends_the_person_to_sign_in(
    signed_in: TestClient, registration: FakeRegistration
) -> None:
    registration.live = False  # signed out elsewhere
    answer = signed_in.get("/account", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?notice=expired&next=%2Faccount"
    assert f'{SESSION_COOKIE}=""' in answer.headers["set-cookie"]
    page = signed_in.get(answer.headers["location"])
    assert "Phiên đăng nhập đã kết thúc" in page.text
    htmx = signed_in.get("/account", headers={"HX-Request": "true"}, follow_redirects=False)
    assert htmx.headers["HX-Redirect"].startswith("/sign-in?notice=")


def test_sign_out_ends_the_session_at_registration(
    signed_in: TestClient, registration: FakeRegistration
) -> None:
    home = signed_in.get("/account")
    answer = signed_in.post(
        "/sign-out", data={"csrf_token": csrf_of(home.text)}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?notice=signed_out"
    assert (registration.calls[-1].method, registration.calls[-1].url.path) == (
        "DELETE",
        "/session",
    )
    assert registration.calls[-1].headers["idempotency-key"]
    assert not registration.live


def test_the_password_change_maps_the_services_errors_onto_fields(signed_in: TestClient) -> None:
    page = signed_in.get("/account/password")
    token = csrf_of(page.text)
    wrong = signed_in.post(
        "/account/password",
        data={
            "current_password": "sai-roi-day",
            "new_password": "mot-mat-khau-moi",
            "new_password_again": "mot-mat-khau-moi",
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in wrong.text
    assert '<a href="#current_password">' in wrong.text
    weak = signed_in.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "ngan",
            "new_password_again": "ngan",
            "csrf_token": token,
        },
    )
    assert weak.status_code == 422 and '<a href="#new_password">Chọn mật khẩu mạnh hơn' in weak.text
    differ = signed_in.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "mot-mat-khau-moi",
            "new_password_again": "khac-han",
            "csrf_token": token,
        },
    )
    assert "Hai mật khẩu mới không giống nhau" in differ.text
    done = signed_in.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "mot-mat-khau-moi",
            "new_password_again": "mot-mat-khau-moi",
            "csrf_token": token,
        },
    )
    assert done.status_code == 200 and "Mật khẩu của bạn đã được đổi." in done.text


def test_every_form_route_refuses_a_missing_or_foreign_csrf_token(signed_in: TestClient) -> None:
    app = signed_in.app
    unsafe = [
        (method, path)
        for path, route in api_routes(app.routes)  # type: ignore[attr-defined]
        for method in route.methods
        if method not in ("GET", "HEAD")
    ]
    assert ("POST", "/sign-in") in unsafe
    for method, path in unsafe:
        assert signed_in.request(method, path, data={"x": "1"}).status_code == 403, path
        assert signed_in.request(method, path, data={"csrf_token": "forged"}).status_code == 403, (
            path
        )
    token = csrf_of(signed_in.get("/account").text)
    cross = signed_in.post(
        "/sign-out", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    by_header = signed_in.post("/sign-out", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert by_header.status_code == 303


def test_a_token_of_another_visitor_is_refused(client: TestClient) -> None:
    token = csrf_of(client.get("/sign-in").text)
    client.cookies.clear()
    client.get("/sign-in")  # a new visitor cookie
    answer = client.post("/sign-in", data={"login": "a", "password": "b", "csrf_token": token})
    assert answer.status_code == 403


def test_the_language_switch_keeps_the_page_and_remembers(client: TestClient) -> None:
    answer = client.get("/sign-in?next=/account&lang=en", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Faccount"
    assert "ocop_lang=en" in answer.headers["set-cookie"]
    page = client.get("/sign-in")
    assert '<html lang="en">' in page.text and "Sign in" in page.text
    assert 'href="/sign-in?lang=vi"' in page.text and "Tiếng Việt" in page.text


def test_only_local_paths_are_followed_after_sign_in() -> None:
    assert local_path("/fairs?x=1") == "/fairs?x=1"
    for foreign in ("https://evil.example", "//evil.example", "/\\evil.example", "", None):
        assert local_path(foreign) == "/"


def test_unknown_pages_answer_404_in_vietnamese(client: TestClient) -> None:
    page = client.get("/khong-co")
    assert page.status_code == 404 and "Không tìm thấy trang" in page.text
