"""First journeys in Chromium: the sign-in page in Vietnamese and its error summary, signing
in to the home page of one's organization, choosing among several organizations, the
language switch, signing out."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from .conftest import ADMIN_TOKEN, System, shoot

Check = Callable[[Any], None]


def test_a_wrong_password_shows_the_error_summary_in_vietnamese(
    web: System, page: Any, accessible: Check
) -> None:
    account = web.exhibitor()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    accessible(page)
    shoot(page, "sign-in")

    page.get_by_label("Địa chỉ email hoặc số điện thoại").fill(account.login)
    page.get_by_label("Mật khẩu").fill("khong-phai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()

    summary = page.locator(".ocop-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Có lỗi cần sửa")
    message = "Địa chỉ email, số điện thoại hoặc mật khẩu không đúng"
    expect(summary.get_by_role("link", name=message)).to_have_attribute("href", "#password")
    expect(page.locator("#password-error")).to_contain_text(message)
    expect(page.get_by_label("Địa chỉ email hoặc số điện thoại")).to_have_value(account.login)
    expect(page).to_have_title(re.compile(r"^Lỗi: Đăng nhập"))
    accessible(page)
    shoot(page, "wrong-password")

    summary.get_by_role("link", name=message).click()
    expect(page.locator("#password")).to_be_focused()


def test_signing_in_shows_the_organization_and_signing_out_ends_the_session(
    web: System, page: Any, accessible: Check
) -> None:
    account = web.exhibitor("Hợp tác xã Nấm Hương Bình Liêu")
    page.set_viewport_size({"width": 390, "height": 844})  # an exhibitor's phone
    page.goto("/account")
    expect(page).to_have_url(re.compile(r"/sign-in\?.*next=%2Faccount"))
    expect(page.get_by_text("Đăng nhập để tiếp tục.")).to_be_visible()
    page.get_by_label("Địa chỉ email hoặc số điện thoại").fill(account.login)
    page.get_by_label("Mật khẩu").fill(account.password)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page).to_have_url(re.compile(r"/account$"))
    page.goto("/")  # an exhibitor's home is the portal
    expect(page).to_have_url(re.compile(r"/exhibitor$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cổng thông tin đơn vị trưng bày")
    expect(page.get_by_test_id("acting-for")).to_contain_text("Hợp tác xã Nấm Hương Bình Liêu")
    expect(page.get_by_test_id("acting-for")).to_contain_text("đơn vị trưng bày")
    accessible(page)
    shoot(page, "home-phone")

    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["ocop_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    assert page.evaluate("document.cookie").find("ocop_session") == -1

    page.get_by_role("button", name="Đăng xuất").click()
    expect(page).to_have_url(re.compile(r"/sign-in\?notice=signed_out"))
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    with web.api("registration", session["value"]) as reg:
        assert reg.get("/session").status_code == 401  # ended at registration, not only here
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_the_language_switch(web: System, page: Any, accessible: Check) -> None:
    page.goto("/sign-in")
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-error")).to_contain_text("Enter your email address or phone number")
    accessible(page)
    shoot(page, "english")
    page.goto("/sign-in")  # remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("language-switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")


def test_a_person_of_two_organizations_chooses_which_one_to_act_for(
    web: System, page: Any, accessible: Check
) -> None:
    account = web.exhibitor("Hợp tác xã Miến Dong Bình Liêu")
    organizer_id = f"so-cong-thuong-{uuid.uuid4().hex[:8]}"
    with web.api("registration", ADMIN_TOKEN) as reg:
        created = reg.post(
            "/organizations",
            json={
                "kind": "organizer",
                "organization_id": organizer_id,
                "name": "Sở Công Thương Quảng Ninh",
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert created.status_code == 201, created.text
        code = created.json()["owner_invitation"]["code"]
    with web.api("registration") as reg:
        joined = reg.post(
            "/invitations/accept",
            json={"code": code, "login": account.login, "password": account.password},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert joined.status_code == 201, joined.text

    page.goto("/sign-in")
    page.get_by_label("Địa chỉ email hoặc số điện thoại").fill(account.login)
    page.get_by_label("Mật khẩu").fill(account.password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chọn tổ chức của bạn")
    page.get_by_role("button", name="Tiếp tục").click()  # nothing chosen
    expect(page.locator(".ocop-error-summary")).to_be_focused()
    accessible(page)
    page.get_by_label(organizer_id).check()
    page.get_by_label("Mật khẩu").fill(account.password)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_test_id("acting-for")).to_contain_text("Sở Công Thương Quảng Ninh")

    # From the account page, the names are known: switch back to the cooperative.
    page.goto("/account/organization")
    page.get_by_label("Hợp tác xã Miến Dong Bình Liêu").check()
    page.get_by_label("Mật khẩu").fill(account.password)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_test_id("acting-for")).to_contain_text("Hợp tác xã Miến Dong Bình Liêu")
    accessible(page)
    shoot(page, "switched")
