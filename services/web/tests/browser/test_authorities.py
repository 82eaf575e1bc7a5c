"""The authorities' journey in Chromium (issue 12): the platform's administrator creates a
provincial OCOP council; its owner accepts the invitation in the browser; the council imports
its register (one bad row shown in the report, then the valid rows imported), issues a 4★
certificate, tries a 5★ (refused: beyond its level, in Vietnamese next to the star field,
nothing issued) and revokes two certificates by one decision. axe-core on each page,
screenshots under artifacts/."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from .conftest import ADMIN_TOKEN, System, shoot

Check = Callable[[Any], None]
COLUMNS = (
    "holder_name,holder_kind,province,product_name,group,unit,list_price_vnd,"
    "certificate_number,star,issuing_level,issuing_body,decision_number,decision_date,valid_from"
)


def platform_admin(web: System) -> tuple[str, str]:
    """A person in the platform organization (role admin), invited with the bootstrap token."""
    tag = uuid.uuid4().hex[:8]
    login, password = f"quan-tri-{tag}@example.vn", f"mat-khau-quan-tri-{tag}"
    with web.api("registration", ADMIN_TOKEN) as reg:
        code = reg.post(
            "/organizations/platform/invitations",
            json={"org_role": "owner"},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert code.status_code == 201, code.text
        accepted = reg.post(
            "/invitations/accept",
            json={
                "code": code.json()["code"],
                "account": {"name": "Lê Quản Trị", "email": login, "password": password},
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert accepted.status_code == 201, accepted.text
    return login, password


def checked(accessible: Check) -> Check:
    """axe-core once the page has loaded and its fonts are in (a font swapping in moves
    the header's links while axe measures them)."""

    def check(page: Any) -> None:
        page.wait_for_load_state("load")
        page.evaluate("async () => { await document.fonts.ready; return true; }")
        accessible(page)

    return check


def sign_in(page: Any, login: str, password: str) -> None:
    page.goto("/sign-in")
    page.locator("#login").fill(login)
    page.locator("#password").fill(password)
    page.locator("form[action='/sign-in'] button[type=submit]").click()


def register_file(tmp: Path, tag: str) -> Path:
    holder = f"Hộ kinh doanh Chè Đường Hoa {tag}"
    rows = [
        COLUMNS,
        f"{holder},household_business,Quảng Ninh,Chè Đường Hoa túi 200 g {tag},2,túi,120.000,"
        f"QN-{tag}-01,4,province,UBND tỉnh Quảng Ninh,101/QĐ-UBND,01/06/2025,01/06/2025",
        f"{holder},household_business,Quảng Ninh,Chè xanh Đường Hoa hộp {tag},2,hộp,85.000,"
        f"QN-{tag}-02,3,province,UBND tỉnh Quảng Ninh,101/QĐ-UBND,01/06/2025,01/06/2025",
        f"{holder},household_business,Quảng Ninh,Trà hoa vàng {tag},2,hộp,450.000,"
        f"QN-{tag}-03,5,province,UBND tỉnh Quảng Ninh,101/QĐ-UBND,01/06/2025,01/06/2025",
    ]
    path = tmp / f"so-dang-ky-{tag}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_council_is_created_joins_imports_issues_and_revokes_by_decision(
    web: System, page: Any, accessible: Check, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:6]
    accessible = checked(accessible)
    login, password = platform_admin(web)

    # the administrator creates the provincial council
    sign_in(page, login, password)
    page.goto("/admin/organizations")
    accessible(page)
    page.locator("#kind-2").check()  # certification council
    page.locator("#name").fill(f"Hội đồng OCOP tỉnh Quảng Ninh {tag}")
    page.locator("#short_name").fill(f"hd-ocop-qn-{tag}")
    page.locator("#level").check()  # provincial
    page.locator("#province").fill("Quảng Ninh")
    page.get_by_role("button", name="Tạo tổ chức").click()
    code = page.get_by_test_id("invitation-code").inner_text().strip()
    expect(page.get_by_test_id("owner-invitation")).to_contain_text("/join")
    accessible(page)
    shoot(page, "council-created")
    page.locator("form[action='/sign-out'] button").click()

    # its owner accepts the invitation in the browser
    page.goto("/join")
    accessible(page)
    page.locator("#new_code").fill(code)
    page.locator("#account_name").fill("Phạm Thị Duyên")
    page.locator("#account_email").fill(f"duyen-{tag}@example.vn")
    page.locator("#account_password").fill(f"mot-cau-de-nho-{tag}")
    page.locator("form:has(#new_code) button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/certifier$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Giấy chứng nhận OCOP")
    accessible(page)

    # the register: one bad row (5★, beyond a province's council) reported, nothing imported
    page.goto("/certifier/import")
    accessible(page)
    page.locator("#file").set_input_files(str(register_file(tmp_path, tag)))
    page.get_by_role("button", name="Tải lên và kiểm tra").click()
    report = page.get_by_test_id("row-errors")
    expect(report).to_contain_text("Hạng sao")
    expect(report).to_contain_text("do Hội đồng OCOP Trung ương xét")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody tr td").first).to_have_text("4")
    expect(page.get_by_test_id("import-not-applied")).to_contain_text("Chưa có gì được nhập")
    accessible(page)
    shoot(page, "import-report")
    page.get_by_role("button", name="Nhập 2 dòng hợp lệ").click()
    expect(page.get_by_test_id("import-applied")).to_contain_text("Đã nhập 2 dòng")
    shoot(page, "import-applied")

    # found without diacritics; a 4★ certificate issued (renewed) through check your answers
    page.goto(f"/certifier?q=che+duong+hoa+{tag}")
    holder = page.get_by_test_id("holder")
    expect(holder).to_contain_text(f"Chè Đường Hoa túi 200 g {tag}")
    accessible(page)
    holder.locator(f"tr[data-product='Chè Đường Hoa túi 200 g {tag}'] a").first.click()
    page.get_by_role("button", name="Cấp lại giấy chứng nhận").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cấp giấy chứng nhận")
    accessible(page)
    page.locator("#number").fill(f"QN-{tag}-10")
    page.locator("#star-2").check()  # 4★
    page.locator("#decision_number").fill("202/QĐ-UBND")
    page.locator("#decision_date").fill("27/03/2026")
    page.locator("#valid_from").fill("01/04/2026")
    page.get_by_role("button", name="Tiếp tục").click()
    check = page.get_by_test_id("check-certificate")
    expect(check).to_contain_text("31/03/2029 (36 tháng)")
    expect(check.get_by_role("link", name=re.compile("Thay đổi"))).to_have_count(6)
    accessible(page)
    shoot(page, "issue-check")
    page.get_by_role("button", name="Cấp giấy chứng nhận").click()
    expect(page.get_by_role("status")).to_contain_text("Giấy chứng nhận đã được cấp")
    expect(page.get_by_test_id("certificate")).to_contain_text(f"QN-{tag}-10")

    # a 5★ on the other product: refused next to the star field, in Vietnamese
    page.goto(f"/certifier?q=duong+hoa+{tag}")
    green = page.locator(f"tr[data-product='Chè xanh Đường Hoa hộp {tag}']")
    green.get_by_role("link", name=re.compile("Cấp hoặc cấp lại")).click()
    page.locator("#number").fill(f"QN-{tag}-11")
    page.locator("#star-3").check()  # 5★
    page.locator("#decision_number").fill("203/QĐ-UBND")
    page.locator("#decision_date").fill("27/03/2026")
    page.locator("#valid_from").fill("01/04/2026")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("button", name="Cấp giấy chứng nhận").click()
    expect(page.locator("#star-error")).to_contain_text(
        "Hội đồng của bạn chỉ xét 3★ và 4★: 5★ do Hội đồng OCOP Trung ương xét"
    )
    expect(page.locator(".ocop-error-summary a[href='#star']")).to_be_visible()
    accessible(page)
    shoot(page, "five-stars-refused")

    # two certificates revoked by one decision
    page.goto(f"/certifier?q=duong+hoa+{tag}")
    page.locator(f"#tick-QN-{tag}-10").check()
    page.locator(f"#tick-QN-{tag}-02").check()
    page.get_by_role("button", name="Thu hồi các giấy chứng nhận đã chọn").click()
    numbers = page.locator("#certificate_numbers")
    expect(numbers).to_have_value(re.compile(rf"QN-{tag}-02"))
    assert sorted(numbers.input_value().split()) == [f"QN-{tag}-02", f"QN-{tag}-10"]
    page.locator("#reason").fill("Không còn đáp ứng tiêu chuẩn sau kiểm tra")
    page.locator("#decision_number").fill("305/QĐ-UBND")
    accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_test_id("check-numbers").locator("li")).to_have_count(2)
    accessible(page)
    shoot(page, "revocation-check")
    page.get_by_role("button", name="Thu hồi các giấy chứng nhận này").click()
    expect(page.get_by_role("status")).to_contain_text("305/QĐ-UBND")
    expect(page.get_by_test_id("revoked-numbers").locator("li")).to_have_count(2)
    page.goto(f"/certifier?q=duong+hoa+{tag}")
    expect(page.locator("[data-status='revoked']")).to_have_count(2)
    shoot(page, "revoked")
