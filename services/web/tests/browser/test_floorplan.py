"""The organizer's floor plan and allocation in Chromium (issue 12's organizer journey, its
booths part): a fair with approved applicants (seeded through registration's API), the plan
loaded from a file and drawn, a booth blocked, the engine's proposal beside the plan, the
commit, the booths' new states on the plan, and booths' refusal to block an occupied booth
shown in Vietnamese."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import expect

from .conftest import ADMIN_TOKEN, System, shoot

Check = Callable[[Any], None]
VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOLDERS = (
    "Hợp tác xã Chè Đường Hoa",
    "Hợp tác xã Nấm Hương Bình Liêu",
    "Hợp tác xã Mật ong Ba Chẽ",
)

PLAN = {
    "zones": [
        {"code": "Z1", "name": "Khu 1 — Quảng Ninh", "kind": "district_cluster", "product_groups": [1, 2, 3, 4, 5, 6]},
        {"code": "Z3", "name": "Khu 3 — Dịch vụ", "kind": "services", "product_groups": []},
    ],
    "booths": [
        *({"code": f"A{i}", "zone": "Z1", "booth_type": "standard", "width_m": 3, "depth_m": 3,
           "price_vnd": 6_000_000, "x": 3.0 * (i - 1), "y": 0.0, "open_sides": 1} for i in range(1, 7)),
        *({"code": f"S{i}", "zone": "Z3", "booth_type": "standard", "width_m": 3, "depth_m": 2,
           "price_vnd": 0, "x": 3.0 * (i - 1), "y": 6.0, "open_sides": 1} for i in range(1, 3)),
    ],
}  # fmt: skip


def call(
    http: httpx.Client, method: str, path: str, token: str, expect: int = 200, **kw: Any
) -> Any:
    answer = http.request(
        method,
        path,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
        **kw,
    )
    assert answer.status_code == expect, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json()


def organization(web: System, kind: str, name: str, **extra: str) -> tuple[str, str, str]:
    """An organization the admin creates and whose owner accepts the invitation with a new
    account: (login, password, session token)."""
    tag = uuid.uuid4().hex[:8]
    login, password = f"{kind}-{tag}@example.vn", f"mat-khau-{tag}"
    with web.api("registration") as reg:
        created = call(
            reg,
            "POST",
            "/organizations",
            ADMIN_TOKEN,
            201,
            json={"kind": kind, "organization_id": f"{kind}-{tag}", "name": name, **extra},
        )
        accepted = reg.post(
            "/invitations/accept",
            json={
                "code": created["owner_invitation"]["code"],
                "account": {"name": "Trần Thị Bình", "email": login, "password": password},
            },
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert accepted.status_code == 201, accepted.text
    return login, password, str(accepted.json()["token"])


def seed_fair(web: System) -> tuple[str, str, str, str]:
    """An open fair of a new organizer with three approved applicants (one booth each, zone
    Z1): (fair id, organizer login, password, organizer token)."""
    login, password, organizer = organization(
        web, "organizer", "Sở Công Thương Quảng Ninh", province="Quảng Ninh"
    )
    _, _, council = organization(
        web, "certifier", "Hội đồng OCOP tỉnh Quảng Ninh", province="Quảng Ninh", level="provincial"
    )
    now = datetime.now(VN).replace(tzinfo=None, microsecond=0)
    with web.api("registration") as reg:
        fair = call(reg, "POST", "/fairs", organizer, 201, json={
            "name": "Hội chợ OCOP Quảng Ninh 2026", "kind": "fair", "venue": "Cung Quy hoạch, Hội chợ và Triển lãm tỉnh",
            "province": "Quảng Ninh", "applications_open_at": (now - timedelta(days=1)).isoformat(),
            "applications_close_at": (now + timedelta(days=10)).isoformat(),
            "starts_at": (now + timedelta(days=20)).isoformat(), "ends_at": (now + timedelta(days=25)).isoformat(),
            "rules": {"min_star": 3, "max_booths_per_holder": 2},
        })  # fmt: skip
        fair_id = str(fair["fair_id"])
        call(reg, "POST", f"/fairs/{fair_id}/lifecycle", organizer, json={"action": "open"})
        for n, name in enumerate(HOLDERS):
            holder = web.exhibitor(name)
            product = call(reg, "POST", "/products", holder.token, 201, json={
                "name": f"Sản phẩm {n + 1} của {name}", "group": 1, "unit": "hộp", "list_price_vnd": 120_000,
            })  # fmt: skip
            call(reg, "POST", f"/products/{product['product_id']}/certificates", council, 201, json={
                "number": f"QN-{uuid.uuid4().hex[:10]}", "star": 4 - n % 2, "issuing_level": "province",
                "issuing_body": "UBND tỉnh Quảng Ninh", "decision_number": f"{100 + n}/QĐ-UBND",
                "decision_date": "2025-06-01", "valid_from": "2025-06-01",
            })  # fmt: skip
            application = call(reg, "POST", f"/fairs/{fair_id}/applications", holder.token, 201,
                               json={"product_ids": [product["product_id"]],
                                     "booth_request": {"count": 1, "zone": "Z1"}})  # fmt: skip
            call(reg, "POST", f"/applications/{application['application_id']}/review", organizer,
                 json={"decision": "approved"})  # fmt: skip
    return fair_id, login, password, organizer


def eventually(check: Callable[[], bool], what: str, timeout: float = 90) -> None:
    """Booths learns of fairs, applications and sessions from registration's events."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"booths never saw {what}"
        time.sleep(0.5)


def booths_accept(web: System, token: str, path: str) -> bool:
    with web.api("booths", token) as booths:
        return booths.get(path).status_code == 200


def test_the_organizer_loads_a_plan_blocks_a_booth_allocates_and_commits(
    web: System, page: Any, accessible: Check, tmp_path: Path
) -> None:
    fair_id, login, password, organizer = seed_fair(web)
    eventually(lambda: booths_accept(web, organizer, f"/fairs/{fair_id}/waitlist"), "the fair")
    plan_file = tmp_path / "so-do-gian-hang.json"
    plan_file.write_text(json.dumps(PLAN, ensure_ascii=False), encoding="utf-8")

    page.goto("/sign-in")
    page.get_by_label("Địa chỉ email hoặc số điện thoại").fill(login)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("acting-for")).to_contain_text("Sở Công Thương Quảng Ninh")
    session = {c["name"]: c["value"] for c in page.context.cookies()}["ocop_session"]
    eventually(lambda: booths_accept(web, session, f"/fairs/{fair_id}/waitlist"), "the session")

    # The fair's plan: none yet; loaded from a file, drawn with every booth free.
    page.get_by_role("navigation", name="Menu chính").get_by_role(
        "link", name="Sơ đồ gian hàng"
    ).click()
    fair_row = page.get_by_role("row").filter(has_text="Hội chợ OCOP Quảng Ninh 2026")
    fair_row.get_by_role("link", name=re.compile(r"^Sơ đồ gian hàng")).click()
    expect(page.get_by_test_id("no-plan")).to_be_visible()
    page.get_by_label("Tệp sơ đồ (JSON)").set_input_files(str(plan_file))
    page.get_by_role("button", name="Tải sơ đồ").click()
    expect(page.get_by_text("Đã tải sơ đồ: 2 khu, 8 gian hàng.")).to_be_visible()
    plan = page.get_by_test_id("plan-plan")
    expect(plan.get_by_role("link", name=re.compile(r", còn trống$"))).to_have_count(8)
    expect(plan.locator("text=Khu 1 — Quảng Ninh")).to_be_visible()
    expect(page.get_by_test_id("booth-table").locator("tbody tr")).to_have_count(8)
    accessible(page)
    shoot(page, "plan-loaded")

    # A booth blocked, through its panel, with a reason.
    plan.get_by_role("link", name="Gian hàng A6, còn trống").click()
    panel = page.get_by_test_id("booth-panel")
    expect(panel.get_by_role("heading", name="Gian hàng A6")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/floorplan/booths/"))
    panel.get_by_role("link", name="Khóa gian hàng này").click()
    panel.get_by_role("button", name="Khóa gian hàng").click()  # no reason given
    expect(panel.locator("#reason-error")).to_contain_text("Nhập lý do")
    expect(panel.locator(".ocop-error-summary")).to_be_focused()
    panel.get_by_label("Lý do").fill("Ổ điện hỏng, chờ sửa")
    accessible(page)
    panel.get_by_role("button", name="Khóa gian hàng").click()
    expect(page.get_by_text("Gian hàng A6 đã bị khóa.")).to_be_visible()
    expect(plan.get_by_role("link", name="Gian hàng A6, bị khóa")).to_be_visible()
    expect(panel.get_by_test_id("booth-history")).to_contain_text("Ổ điện hỏng, chờ sửa")
    shoot(page, "booth-blocked")

    # The engine: every approved application must have reached booths first.
    def all_applicants_seen() -> bool:
        with web.api("booths", organizer) as booths:
            answer = booths.post(
                f"/fairs/{fair_id}/allocations", headers={"Idempotency-Key": str(uuid.uuid4())}
            )
        found = answer.json() if answer.status_code == 201 else {}
        return len(found.get("placements", [])) + len(found.get("waitlist", [])) == len(HOLDERS)

    eventually(all_applicants_seen, "the approved applications")
    page.get_by_role("link", name="Phân gian hàng và danh sách chờ").click()
    page.get_by_role("button", name="Chạy máy phân bổ").click()
    # Post, redirect, get: the run has its own page, read again from booths.
    expect(page).to_have_url(re.compile(rf"/organizer/fairs/{fair_id}/allocation/runs/[0-9a-f-]+$"))
    expect(page.get_by_test_id("engine-time")).to_contain_text("Máy phân bổ trả lời trong")
    expect(page.get_by_test_id("placements").locator("tbody tr")).to_have_count(3)
    for name in HOLDERS:
        expect(page.get_by_test_id("placements")).to_contain_text(name)
    expect(page.get_by_test_id("placements")).to_contain_text("trong hàng đợi (theo số sao")
    proposed = page.get_by_test_id("plan-proposal")
    expect(proposed.get_by_role("link", name=re.compile(r", đề xuất, Hợp tác xã"))).to_have_count(3)
    expect(proposed.get_by_role("link", name="Gian hàng A6, bị khóa")).to_be_visible()
    expect(
        page.get_by_test_id("plan-current").get_by_role("link", name=re.compile(", còn trống$"))
    ).to_have_count(7)
    accessible(page)
    shoot(page, "proposal")
    page.reload()  # the proposal is booths' stored run: it shows again as it was
    expect(page.get_by_test_id("placements").locator("tbody tr")).to_have_count(3)
    run_page = page.url

    page.get_by_role("button", name="Xác nhận phân gian hàng").click()
    expect(
        page.get_by_text("Đã phân gian hàng: 3 gian hàng được phân, 0 đơn vào danh sách chờ.")
    ).to_be_visible()
    assigned = plan.get_by_role("link", name=re.compile(r", đã phân, Hợp tác xã"))
    expect(assigned).to_have_count(3)
    expect(page.get_by_test_id("booth-table")).to_contain_text("Đã phân")
    accessible(page)
    shoot(page, "committed")
    page.goto(run_page)  # a committed run says so, and offers no second commit
    expect(page.get_by_test_id("run-committed")).to_contain_text("Đã xác nhận")
    expect(page.get_by_role("button", name="Xác nhận phân gian hàng")).to_have_count(0)
    accessible(page)
    page.go_back()

    # An occupied booth cannot be blocked: booths says why, in Vietnamese.
    assigned.first.click()
    panel.get_by_role("link", name="Khóa gian hàng này").click()
    panel.get_by_label("Lý do").fill("Kiểm tra phòng cháy")
    panel.get_by_role("button", name="Khóa gian hàng").click()
    summary = panel.locator(".ocop-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(
        re.compile(
            r"Không thể khóa gian hàng A\d: một đơn vị trưng bày đang có gian này \(đã phân\)"
        )
    )
    expect(panel.get_by_test_id("panel-state")).to_contain_text("Đã phân")
    accessible(page)
    shoot(page, "occupied-block-refused")
