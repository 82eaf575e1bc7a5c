"""The inspector's home, the platform administrator's organizations and every owner's
organization page (people, invitations, API keys) against a fake registration."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from .authority_fakes import Registration, client, post, registration, sign_in

__all__ = ["client", "registration"]  # fixtures


def test_the_inspector_sees_its_provinces_fairs_and_directory(
    client: TestClient, registration: Registration
) -> None:
    registration.acting = "inspector"
    c = sign_in(client)
    assert c.get("/", follow_redirects=False).headers["location"] == "/inspector"
    page = c.get("/inspector")
    assert page.status_code == 200
    assert "Hiện không có hội chợ nào của tỉnh" in page.text  # no fair to inspect now
    assert "Hợp tác xã Chè Đường Hoa" in page.text
    assert "Hợp tác xã Chè Cát Hải" not in page.text  # another province
    assert '<form method="post"' not in page.text.split('id="main"')[1]  # no fake actions


def test_the_admin_creates_a_provincial_council_and_sees_its_owners_code_once(
    client: TestClient, registration: Registration
) -> None:
    registration.acting = "admin"
    c = sign_in(client)
    assert c.get("/admin/organizations").status_code == 200
    answer = post(
        c,
        "/admin/organizations",
        {
            "kind": "certifier",
            "name": "Hội đồng OCOP tỉnh Quảng Ninh",
            "short_name": "",
            "level": "provincial",
            "province": "Quảng Ninh",
        },
    )
    assert answer.status_code == 200
    sent = json.loads(registration.sent("POST", "/organizations")[0].content)
    assert sent == {
        "kind": "certifier",
        "name": "Hội đồng OCOP tỉnh Quảng Ninh",
        "organization_id": "hoi-dong-ocop-tinh-quang-ninh",
        "level": "provincial",
        "province": "Quảng Ninh",
    }
    code = re.search(r'data-testid="invitation-code">([^<]+)<', answer.text)
    assert code and code.group(1).startswith("MOI-")
    assert "http://testserver/join" in answer.text
    again = c.get("/admin/organizations")
    assert code.group(1) not in again.text  # shown once


def test_the_admin_creates_a_retailer_whose_id_registration_makes(
    client: TestClient, registration: Registration
) -> None:
    registration.acting = "admin"
    c = sign_in(client)
    form = c.get("/admin/organizations")
    assert 'value="retailer"' in form.text
    assert "Nhà bán lẻ (chuỗi siêu thị)" in form.text  # the kind, in Vietnamese
    answer = post(
        c,
        "/admin/organizations",
        {"kind": "retailer", "name": "Siêu thị GO! Quảng Ninh", "short_name": "", "level": "",
         "province": ""},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    sent = json.loads(registration.sent("POST", "/organizations")[0].content)
    assert sent == {"kind": "retailer", "name": "Siêu thị GO! Quảng Ninh"}  # no slug: a UUID made
    (made,) = registration.organizations.values()
    assert made["kind"] == "retailer"
    code = re.search(r'data-testid="invitation-code">([^<]+)<', answer.text)
    assert code and code.group(1).startswith("MOI-")
    assert f'href="/admin/organizations/{made["organization_id"]}"' in answer.text
    # A short name typed in is sent; registration refuses it on that field.
    slug = post(
        c,
        "/admin/organizations",
        {"kind": "retailer", "name": "Big C", "short_name": "big-c"},
    )
    assert slug.status_code == 422
    assert 'id="short_name-error"' in slug.text
    assert len(registration.organizations) == 1


def test_the_create_form_names_what_is_missing_and_what_registration_refuses(
    client: TestClient, registration: Registration
) -> None:
    registration.acting = "admin"
    c = sign_in(client)
    missing = post(c, "/admin/organizations", {"kind": "certifier", "name": "Hội đồng"})
    assert missing.status_code == 422
    assert 'id="level-error"' in missing.text and "Chọn cấp của hội đồng" in missing.text
    assert not registration.sent("POST", "/organizations")
    registration.organizations["qltt-qn"] = {"organization_id": "qltt-qn"}
    taken = post(
        c,
        "/admin/organizations",
        {"kind": "inspector", "name": "QLTT", "short_name": "qltt-qn", "province": "Quảng Ninh"},
    )
    assert taken.status_code == 422
    assert 'id="short_name-error"' in taken.text and "đã có tổ chức dùng" in taken.text


def test_the_admin_finds_an_organization_suspends_it_after_confirming_and_reinstates_it(
    client: TestClient, registration: Registration
) -> None:
    registration.acting = "admin"
    registration.organizations["so-ct-qn"] = {
        "organization_id": "so-ct-qn",
        "kind": "organizer",
        "name": "Sở Công Thương Quảng Ninh",
        "role": "organizer",
        "province": None,
        "level": None,
        "suspended": False,
    }
    c = sign_in(client)
    unknown = c.get("/admin/organizations", params={"organization_id": "khong-co"})
    assert unknown.status_code == 422 and 'id="find_organization-error"' in unknown.text
    found = c.get(
        "/admin/organizations", params={"organization_id": "so-ct-qn"}, follow_redirects=False
    )
    assert found.headers["location"] == "/admin/organizations/so-ct-qn"
    confirm = c.get("/admin/organizations/so-ct-qn?confirm=suspend")
    assert 'data-testid="confirm-suspension"' in confirm.text
    assert not registration.sent("POST", "/organizations/so-ct-qn/suspension")
    done = post(c, "/admin/organizations/so-ct-qn/suspension", {})
    assert done.status_code == 303 and registration.organizations["so-ct-qn"]["suspended"]
    assert "Tạm ngừng" in c.get(done.headers["location"]).text
    back = post(c, "/admin/organizations/so-ct-qn/reinstatement", {})
    assert back.status_code == 303 and not registration.organizations["so-ct-qn"]["suspended"]
    assert registration.sent("DELETE", "/organizations/so-ct-qn/suspension")


def test_the_list_of_organizations_is_shown_when_registration_offers_one(
    client: TestClient, registration: Registration
) -> None:
    registration.acting = "admin"
    registration.lists_organizations = True
    registration.organizations["so-ct-qn"] = {
        "organization_id": "so-ct-qn",
        "kind": "organizer",
        "name": "Sở Công Thương Quảng Ninh",
        "suspended": True,
    }
    page = sign_in(client).get("/admin/organizations")
    table = re.search(r'data-testid="organizations">(.*?)</table>', page.text, re.S)
    assert table and "Sở Công Thương Quảng Ninh" in table.group(1)


def test_only_the_platforms_administrators_open_the_admin_pages(
    client: TestClient, registration: Registration
) -> None:
    c = sign_in(client)  # a certifying council
    assert c.get("/admin/organizations").status_code == 403
    assert post(c, "/admin/organizations", {"kind": "organizer", "name": "X"}).status_code == 403
    assert not registration.sent("POST", "/organizations")


def test_an_owner_invites_staff_sees_the_code_once_and_withdraws_it(
    client: TestClient, registration: Registration
) -> None:
    c = sign_in(client)
    page = c.get("/organization")
    assert page.status_code == 200 and "Trần Thị Bình" in page.text
    issued = post(c, "/organization/invitations", {"org_role": "staff"})
    assert issued.status_code == 200 and "MOI-NHANVIEN-12345" in issued.text
    assert "MOI-NHANVIEN-12345" not in c.get("/organization").text
    invitation = registration.invitations[0]["invitation_id"]
    withdrawn = post(c, f"/organization/invitations/{invitation}/withdrawal", {})
    assert withdrawn.status_code == 303
    path = f"/organizations/hoi-dong-ocop-quang-ninh/invitations/{invitation}"
    assert registration.sent("DELETE", path)


def test_an_owner_creates_an_api_key_sees_its_token_once_and_revokes_it(
    client: TestClient, registration: Registration
) -> None:
    c = sign_in(client)
    bad = post(c, "/organization/api-keys", {"label": "", "expires_in_days": "ba mươi"})
    assert bad.status_code == 422
    assert 'id="label-error"' in bad.text and 'id="expires_in_days-error"' in bad.text
    assert not registration.sent("POST", "/organizations/hoi-dong-ocop-quang-ninh/api-keys")
    too_long = post(c, "/organization/api-keys", {"label": "Kế toán", "expires_in_days": "400"})
    assert too_long.status_code == 422 and "từ 1 đến 365 ngày" in too_long.text
    made = post(c, "/organization/api-keys", {"label": "Phần mềm kế toán", "expires_in_days": "90"})
    assert made.status_code == 200 and "ocop_key_" in made.text
    assert "ocop_key_" not in c.get("/organization").text
    key = registration.keys[0]["key_id"]
    assert post(c, f"/organization/api-keys/{key}/revocation", {}).status_code == 303
    assert registration.keys[0]["revoked_at"]
    assert "Đã bị thu hồi" in c.get("/organization").text
