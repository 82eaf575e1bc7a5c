"""The floor plan and allocation pages against fakes of registration and booths: the plan
drawn to scale with states in words, the table, a booth's panel (full page and htmx
fragment), block/unblock/move/swap with their confirmation and the service's refusals in
Vietnamese by their codes, the import with per-field errors, the export (booths' own import
format), the engine's proposal on its own page (post, redirect, get) with the explanations
by their codes, the commit (a failed one shows the proposal again), the waitlist."""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from ocop_web.api import ApiError
from ocop_web.app import build
from ocop_web.pages.booth_codes import placement_text, reason_text, refusal_text
from ocop_web.pages.floorplan import draw
from ocop_web.settings import WebSettings

from .conftest import ORGANIZER, PASSWORD, FakeRegistration, csrf_of

FAIR = "3f1e0c5a-0000-4000-8000-00000000fa12"
HTX_A = "7b6f0c1e-0000-4000-8000-0000000000a1"
HTX_B = "7b6f0c1e-0000-4000-8000-0000000000b2"
APP_A = "a0000000-0000-4000-8000-0000000000a1"
APP_B = "a0000000-0000-4000-8000-0000000000b2"
RUN = "c0000000-0000-4000-8000-000000000001"


def booth_id(n: int) -> str:
    return f"b0000000-0000-4000-8000-{n:012d}"


PLAN_FILE: dict[str, Any] = {
    "zones": [
        {"code": "Z1", "name": "Khu 1 — Quảng Ninh", "kind": "district_cluster", "product_groups": [1, 2]},
    ],
    "booths": [
        {"code": f"A{i}", "zone": "Z1", "booth_type": "standard", "width_m": 3, "depth_m": 3,
         "price_vnd": 6_000_000, "x": 3.0 * (i - 1), "y": 0.0, "open_sides": 1}
        for i in range(1, 5)
    ],
}  # fmt: skip


PLACEMENT_REASONS: list[dict[str, Any]] = [
    {"code": "queue_place", "star": 4, "place": 1, "of": 2},
    {"code": "placed_requested_zone", "zone": "Z1"},
    {"code": "one_booth", "count": 1, "booth_type": "standard", "booths": ["A1"]},
]


class FakeFairRegistration(FakeRegistration):
    def __init__(self) -> None:
        super().__init__()
        self.memberships = [ORGANIZER]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "GET" and request.headers.get("authorization"):
            if path == "/organizer/fairs":
                return httpx.Response(200, json=[fair()])
            if path == f"/fairs/{FAIR}":
                return httpx.Response(200, json=fair())
            if path == f"/fairs/{FAIR}/applications":
                return httpx.Response(
                    200,
                    json=[
                        {"application_id": APP_A, "exhibitor_id": HTX_A, "exhibitor_name": "HTX Chè Đường Hoa"},
                        {"application_id": APP_B, "exhibitor_id": HTX_B, "exhibitor_name": "HTX Nấm Bình Liêu"},
                    ],
                )  # fmt: skip
        return super().__call__(request)


def fair() -> dict[str, Any]:
    return {
        "fair_id": FAIR,
        "name": "Hội chợ OCOP Quảng Ninh",
        "starts_at": "2026-04-10T01:00:00+00:00",
        "ends_at": "2026-04-15T10:00:00+00:00",
    }


class FakeBooths:
    """Enough of booths: the plan, its booths' states, history, block/unblock/move/swap with
    the service's refusals, an allocation run and its commit, the waitlist."""

    def __init__(self) -> None:
        self.plan: dict[str, Any] | None = None
        self.occupant: dict[str, str] = {}  # booth id -> exhibitor id
        self.status: dict[str, str] = {}
        self.blocked: set[str] = set()
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[httpx.Request] = []
        self.committed = False
        self.commit_refused = False

    def load(self, plan: dict[str, Any] = PLAN_FILE) -> None:
        self.plan = copy.deepcopy(plan)
        for i, b in enumerate(self.plan["booths"], start=1):
            b["booth_id"] = booth_id(i)

    def state(self, bid: str) -> str:
        if bid in self.blocked:
            return "blocked"
        return self.status.get(bid, "available")

    def code(self, bid: str) -> str:
        assert self.plan
        return str(next(b["code"] for b in self.plan["booths"] if b["booth_id"] == bid))

    def audit(
        self,
        bid: str,
        action: str,
        reason: str,
        exhibitor: str | None = None,
        code: str | None = "organizer_note",
        params: dict[str, Any] | None = None,
    ) -> None:
        self.history.setdefault(bid, []).append(
            {"action": action, "exhibitor_id": exhibitor, "actor": "so-cong-thuong-quang-ninh",
             "reason": reason, "at": "2026-03-27T03:00:00+00:00", "reason_code": code,
             "reason_params": {"note": reason} if params is None and code == "organizer_note" else params or {}}
        )  # fmt: skip

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(request)
        path, method = request.url.path, request.method
        body: Any = json.loads(request.content) if request.content else {}
        prefix = f"/fairs/{FAIR}"
        if (method, path) == ("PUT", f"{prefix}/floorplan"):
            for i, b in enumerate(body["booths"]):
                if b["width_m"] <= 0:
                    return httpx.Response(422, json={"detail": [{"type": "value_error", "loc": ["body", "booths", str(i), "width_m"], "msg": "a booth has a positive width and depth"}]})  # fmt: skip
                if not isinstance(b["price_vnd"], int):
                    return httpx.Response(422, json={"detail": [{"type": "int_type", "loc": ["body", "booths", i, "price_vnd"], "msg": "Input should be a valid integer"}]})  # fmt: skip
            self.load(body)
            return httpx.Response(200, json={"fair_id": FAIR, "zones": len(body["zones"]), "booths": len(body["booths"])})  # fmt: skip
        if (method, path) == ("GET", f"{prefix}/floorplan") and request.url.params.get(
            "format"
        ) == "import":
            if self.plan is None:
                return httpx.Response(404, json={"detail": "no floor plan for this fair", "code": "floor_plan_not_found", "field": "fair_id"})  # fmt: skip
            return httpx.Response(200, json={
                "zones": self.plan["zones"],
                "booths": [{k: v for k, v in b.items() if k != "booth_id"} for b in self.plan["booths"]],
            })  # fmt: skip
        if (method, path) == ("GET", f"{prefix}/floorplan"):
            if self.plan is None:
                return httpx.Response(404, json={"detail": "no floor plan for this fair", "code": "floor_plan_not_found", "field": "fair_id"})  # fmt: skip
            out = copy.deepcopy(self.plan)
            for b in out["booths"]:
                b["state"] = self.state(b["booth_id"])
                b["neighbours"] = []
                if b["booth_id"] in self.occupant:
                    b["exhibitor_id"] = self.occupant[b["booth_id"]]
            return httpx.Response(200, json={"fair_id": FAIR, **out})
        found = re.fullmatch(rf"{prefix}/booths/([0-9a-f-]+)/(\w+)", path)
        if found:
            bid, action = found.groups()
            if action == "history":
                return httpx.Response(200, json=self.history.get(bid, []))
            code = self.code(bid)
            if action == "block":
                if bid in self.occupant:
                    return httpx.Response(409, json={"detail": f"booth {code} is {self.status[bid]} by an exhibitor: move the exhibitor to another booth (or release it) before blocking it", "code": "booth_occupied", "field": "booth_id"})  # fmt: skip
                self.blocked.add(bid)
                self.audit(bid, "blocked", body["reason"])
                return httpx.Response(200, json={"booth": code, "state": "blocked"})
            if action == "unblock":
                self.blocked.discard(bid)
                self.audit(bid, "unblocked", body["reason"])
                return httpx.Response(200, json={"booth": code, "state": "available"})
            if action == "move":
                target = body["to_booth_id"]
                if target in self.occupant or target in self.blocked:
                    return httpx.Response(409, json={"detail": "the target booth is taken, blocked or at another fair", "code": "target_not_free", "field": "to_booth_id"})  # fmt: skip
                self.occupant[target] = self.occupant.pop(bid)
                self.status[target] = self.status.pop(bid)
                return httpx.Response(200, json={"booth_id": target, "booth_code": self.code(target), "status": self.status[target]})  # fmt: skip
            if action == "swap":
                other = body["other_booth_id"]
                if other not in self.occupant:
                    return httpx.Response(409, json={"detail": "swap needs two occupied booths; move an exhibitor to a free one instead", "code": "swap_needs_two_occupied", "field": "other_booth_id"})  # fmt: skip
                self.occupant[bid], self.occupant[other] = self.occupant[other], self.occupant[bid]
                return httpx.Response(200, json=[{"booth_id": bid, "booth_code": code}, {"booth_id": other, "booth_code": self.code(other)}])  # fmt: skip
        if (method, path) == ("POST", f"{prefix}/allocations"):
            if self.plan is None:
                return httpx.Response(409, json={"detail": "load the floor plan first", "code": "no_floor_plan", "field": "fair_id"})  # fmt: skip
            return httpx.Response(201, json=self.proposal())
        if (method, path) == ("GET", f"/allocations/{RUN}"):
            committed_at = "2026-03-27T04:00:00+00:00" if self.committed else None
            return httpx.Response(200, json={**self.proposal(), "created_at": "2026-03-27T03:59:00+00:00", "committed_at": committed_at})  # fmt: skip
        if method == "GET" and path.startswith("/allocations/"):
            return httpx.Response(404, json={"detail": "no such allocation run", "code": "run_not_found", "field": "run_id"})  # fmt: skip
        if (method, path) == ("POST", f"/allocations/{RUN}/commit"):
            if self.commit_refused:
                return httpx.Response(409, json={"detail": "something new went wrong", "code": "some_new_refusal", "field": "run_id"})  # fmt: skip
            if self.committed:
                return httpx.Response(409, json={"detail": "this allocation was already committed", "code": "run_already_committed", "field": "run_id"})  # fmt: skip
            self.committed = True
            self.occupant[booth_id(1)] = HTX_A
            self.status[booth_id(1)] = "assigned"
            return httpx.Response(200, json={"run_id": RUN, "assigned": 1, "skipped_taken_booths": [], "waitlisted": 1, "payment_due_at": "2026-04-03T00:00:00+00:00"})  # fmt: skip
        if (method, path) == ("GET", f"{prefix}/waitlist"):
            rows = []
            if self.committed:
                rows = [{"fair_id": FAIR, "application_id": APP_B, "exhibitor_name": "HTX Nấm Bình Liêu", "rank": 1,
                         "reason": "3★, queue place 2: no zone had 1 standard booth(s) left after higher-priority placements",
                         "status": "waiting", "offered_booth": None, "offered_at": None, "reason_code": "no_room_left",
                         "reason_params": {"star": 3, "place": 2, "count": 1, "booth_type": "standard"}}]  # fmt: skip
            return httpx.Response(200, json=rows)
        return httpx.Response(404, json={"detail": "not found", "code": "not_found"})

    def proposal(self) -> dict[str, Any]:
        return {
            "run_id": RUN, "fair_id": FAIR, "solver": "mip_gap", "objective": 10, "greedy_objective": 9, "seconds": 0.42,
            "method": "mip_gap", "quality": 995, "quality_bound": 1000, "quality_gap": 0.0049, "greedy_quality": 900,
            "placements": [{"application_id": APP_A, "exhibitor_id": HTX_A, "zone": "Z1", "booth_ids": [booth_id(1)], "booth_codes": ["A1"],
                            "adjacent": True, "explanation": "4★, queue place 1 of 2 (star, then application time); zone Z1 as requested; 1 standard booth A1",
                            "reasons": PLACEMENT_REASONS}],
            "waitlist": [{"application_id": APP_B, "rank": 1, "reason": "3★, queue place 2: no zone had 1 standard booth(s) left after higher-priority placements",
                          "reason_code": "no_room_left", "reason_params": {"star": 3, "place": 2, "count": 1, "booth_type": "standard"}}],
        }  # fmt: skip


@pytest.fixture
def booths() -> FakeBooths:
    return FakeBooths()


@pytest.fixture
def organizer(booths: FakeBooths) -> Iterator[TestClient]:
    registration = FakeFairRegistration()
    app = build(
        WebSettings(env="test", check_assets=False, log_format="console", log_level="WARNING"),
        transports={
            "registration": httpx.MockTransport(registration),
            "booths": httpx.MockTransport(booths),
            "sales": httpx.MockTransport(registration),
        },
    )
    with TestClient(app, base_url="http://testserver") as c:
        page = c.get("/sign-in")
        signed = c.post(
            "/sign-in",
            data={"login": "an@example.vn", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        yield c


PLAN_URL = f"/organizer/fairs/{FAIR}/floorplan"


def booth_url(n: int, action: str = "") -> str:
    return f"{PLAN_URL}/booths/{booth_id(n)}" + (f"/{action}" if action else "")


def test_the_organizers_fairs_link_to_their_plan_and_allocation(organizer: TestClient) -> None:
    page = organizer.get("/organizer/floorplans")
    assert page.status_code == 200
    assert "Hội chợ OCOP Quảng Ninh" in page.text
    assert f'href="{PLAN_URL}"' in page.text
    assert f'href="/organizer/fairs/{FAIR}/allocation"' in page.text
    assert 'href="/organizer/floorplans"' in page.text  # in the menu


def test_a_fair_without_a_plan_offers_the_import(organizer: TestClient) -> None:
    page = organizer.get(PLAN_URL)
    assert page.status_code == 200
    assert 'data-testid="no-plan"' in page.text
    assert 'enctype="multipart/form-data"' in page.text
    assert "<svg" not in page.text.split('id="main"')[1]


def test_the_plan_is_drawn_to_scale_with_states_in_words(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    booths.blocked.add(booth_id(2))
    booths.occupant[booth_id(3)] = HTX_A
    booths.status[booth_id(3)] = "confirmed"
    page = organizer.get(PLAN_URL)
    assert page.status_code == 200
    html = page.text
    svg = re.search(r"<svg class=\"ocop-plan__svg\".*?</svg>", html, re.S)
    assert svg
    # 4 booths 3 m wide side by side: each as wide as 3 m at one scale, 3 m apart.
    rects = re.findall(
        r'<rect class="ocop-booth__shape" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg.group(0)
    )
    xs, widths = [float(x) for x, _ in rects], {w for _, w in rects}
    assert len(rects) == 4 and len(widths) == 1
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1]) == pytest.approx(float(widths.pop()) + 2)
    assert 'aria-label="Gian hàng A1, còn trống"' in html
    assert 'aria-label="Gian hàng A2, bị khóa"' in html
    assert 'aria-label="Gian hàng A3, đã xác nhận, HTX Chè Đường Hoa"' in html
    for word in ("Còn trống", "Đang giữ", "Đã phân", "Đã xác nhận", "Bị khóa"):
        assert word in html  # the legend
    assert "Z1 · Khu 1 — Quảng Ninh" in html  # the zone, named
    table = re.search(
        r'<table class="ocop-table" data-testid="booth-table">.*?</table>', html, re.S
    )
    assert table and "6.000.000" in table.group(0) and "HTX Chè Đường Hoa" in table.group(0)
    assert "style=" not in html and "<script>" not in html
    assert 'src="/static/js/floorplan.js' in html


def test_a_booths_panel_is_a_page_without_javascript_and_a_fragment_with_htmx(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    booths.occupant[booth_id(1)] = HTX_A
    booths.status[booth_id(1)] = "assigned"
    booths.audit(
        booth_id(1),
        "assigned",
        f"allocation {RUN}: 4★, queue place 1 of 2 (star, then application time); 1 standard booth A1",
        HTX_A,
        code="allocated",
        params={"run_id": RUN, "reasons": [PLACEMENT_REASONS[0], PLACEMENT_REASONS[2]]},
    )
    booths.audit(booth_id(1), "released", "hold expired", HTX_B, code="hold_expired")
    booths.audit(booth_id(1), "blocked", "kept from before codes", code=None)
    full = organizer.get(booth_url(1))
    assert full.status_code == 200
    assert "<html" in full.text and "ocop-booth--selected" in full.text
    assert 'data-testid="panel-occupant">HTX Chè Đường Hoa' in full.text
    assert "Đã phân: HTX Chè Đường Hoa" in full.text  # the history, with its name
    assert "Phân bổ: 4★, thứ 1/2 trong hàng đợi" in full.text  # and its reason in words
    assert "1 gian tiêu chuẩn: A1" in full.text
    assert "Hết thời gian giữ gian" in full.text  # hold_expired, by its code
    assert "kept from before codes" in full.text  # free text without a code: as written
    fragment = organizer.get(
        booth_url(1), headers={"HX-Request": "true", "HX-Target": "booth-panel"}
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.text and 'data-testid="booth-panel"' in fragment.text
    for action in ("block", "move", "swap"):
        assert f'href="{booth_url(1, action)}"' in fragment.text
    assert "unblock" not in fragment.text


def test_blocking_asks_for_a_reason_and_confirmation_then_blocks(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    confirm = organizer.get(booth_url(2, "block"))
    assert confirm.status_code == 200
    assert "Khóa gian hàng này" in confirm.text and 'name="reason"' in confirm.text
    token = csrf_of(confirm.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', confirm.text)
    assert key
    empty = organizer.post(booth_url(2, "block"), data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 422
    assert 'href="#reason"' in empty.text and 'id="reason-error"' in empty.text
    assert "Nhập lý do" in empty.text
    assert booths.blocked == set()
    done = organizer.post(
        booth_url(2, "block"),
        data={"csrf_token": token, "reason": "Ổ điện hỏng", "idempotency_key": key.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert booths.blocked == {booth_id(2)}
    call = [c for c in booths.calls if c.url.path.endswith("/block")][-1]
    assert json.loads(call.content) == {"reason": "Ổ điện hỏng"}
    assert call.headers["idempotency-key"] == key.group(1)
    after = organizer.get(done.headers["location"])
    assert "Gian hàng A2 đã bị khóa." in after.text
    assert 'aria-label="Gian hàng A2, bị khóa"' in after.text
    assert f'href="{booth_url(2, "unblock")}"' in after.text


def test_blocking_an_occupied_booth_shows_the_services_refusal_in_vietnamese(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    booths.occupant[booth_id(1)] = HTX_A
    booths.status[booth_id(1)] = "assigned"
    token = csrf_of(organizer.get(booth_url(1, "block")).text)
    refused = organizer.post(
        booth_url(1, "block"),
        data={"csrf_token": token, "reason": "Sửa chữa"},
        headers={"HX-Request": "true", "HX-Target": "booth-panel"},
    )
    assert refused.status_code == 422
    message = (
        "Không thể khóa gian hàng A1: một đơn vị trưng bày đang có gian này (đã phân). "
        "Hãy chuyển đơn vị đó sang gian khác trước"
    )
    assert message in refused.text
    assert "<html" not in refused.text and 'data-module="error-summary"' in refused.text
    assert 'value="Sửa chữa"' in refused.text  # what was typed is kept
    assert booths.blocked == set()


def test_moving_names_the_free_booths_and_the_refusal_lands_on_the_field(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    booths.occupant[booth_id(1)] = HTX_A
    booths.status[booth_id(1)] = "held"
    booths.occupant[booth_id(3)] = HTX_B
    booths.status[booth_id(3)] = "assigned"
    confirm = organizer.get(booth_url(1, "move"))
    options = re.findall(r'<option value="([^"]*)"', confirm.text)
    assert options == ["", booth_id(2), booth_id(4)]  # the free ones
    token = csrf_of(confirm.text)
    nothing = organizer.post(booth_url(1, "move"), data={"csrf_token": token, "reason": "x"})
    assert nothing.status_code == 422 and 'id="to_booth_id-error"' in nothing.text
    taken = organizer.post(
        booth_url(1, "move"),
        data={"csrf_token": token, "reason": "Gần lối vào", "to_booth_id": booth_id(3)},
    )
    assert taken.status_code == 422
    assert 'id="to_booth_id-error"' in taken.text
    assert "Chọn một gian trống của hội chợ này: gian đó đã có người hoặc bị khóa" in taken.text
    moved = organizer.post(
        booth_url(1, "move"),
        data={"csrf_token": token, "reason": "Gần lối vào", "to_booth_id": booth_id(4)},
        headers={"HX-Request": "true"},
    )
    assert moved.status_code == 204
    assert moved.headers["HX-Redirect"] == f"{booth_url(1)}?done=move&code=A4"
    assert booths.occupant == {booth_id(4): HTX_A, booth_id(3): HTX_B}


def test_swapping_with_a_free_booth_is_refused_by_the_service(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    booths.occupant[booth_id(1)] = HTX_A
    booths.status[booth_id(1)] = "held"
    token = csrf_of(organizer.get(booth_url(1, "swap")).text)
    refused = organizer.post(
        booth_url(1, "swap"),
        data={"csrf_token": token, "reason": "Đổi", "other_booth_id": booth_id(2)},
    )
    assert refused.status_code == 422
    assert "Cả hai gian phải có đơn vị trưng bày mới đổi chỗ được" in refused.text
    assert 'id="other_booth_id-error"' in refused.text


def test_an_unknown_action_is_not_found(organizer: TestClient, booths: FakeBooths) -> None:
    booths.load()
    assert organizer.get(booth_url(1, "demolish")).status_code == 404


def upload(client: TestClient, content: bytes, name: str = "so-do.json") -> httpx.Response:
    token = csrf_of(client.get(PLAN_URL).text)
    answer: httpx.Response = client.post(
        PLAN_URL,
        data={"csrf_token": token},
        files={"file": (name, content, "application/json")},
        follow_redirects=False,
    )
    return answer


def test_importing_a_plan_loads_it_and_says_so(organizer: TestClient, booths: FakeBooths) -> None:
    answer = upload(organizer, json.dumps(PLAN_FILE).encode())
    assert answer.status_code == 303
    assert booths.plan is not None and len(booths.plan["booths"]) == 4
    page = organizer.get(answer.headers["location"])
    assert "Đã tải sơ đồ: 1 khu, 4 gian hàng." in page.text


def test_a_file_that_is_not_json_is_refused_before_any_call(
    organizer: TestClient, booths: FakeBooths
) -> None:
    answer = upload(organizer, b"\xff\xfe not json")
    assert answer.status_code == 422
    assert 'href="#file"' in answer.text and 'id="file-error"' in answer.text
    assert "Tệp không phải sơ đồ" in answer.text
    assert not [c for c in booths.calls if c.method == "PUT"]
    token = csrf_of(organizer.get(PLAN_URL).text)
    nothing = organizer.post(PLAN_URL, data={"csrf_token": token})
    assert nothing.status_code == 422 and "Chọn tệp sơ đồ (JSON)" in nothing.text


def test_the_services_per_field_errors_are_listed_in_words(
    organizer: TestClient, booths: FakeBooths
) -> None:
    bad = copy.deepcopy(PLAN_FILE)
    bad["booths"][2]["width_m"] = 0
    answer = upload(organizer, json.dumps(bad).encode())
    assert answer.status_code == 422
    problems = re.search(r'data-testid="import-problems">.*?</table>', answer.text, re.S)
    assert problems
    assert "Gian hàng 3 (A3), chiều rộng (m)" in problems.group(0)
    assert "Chiều rộng và chiều sâu phải lớn hơn 0" in problems.group(0)
    assert booths.plan is None
    bad = copy.deepcopy(PLAN_FILE)
    bad["booths"][0]["price_vnd"] = "sáu triệu"
    answer = upload(organizer, json.dumps(bad).encode())
    assert "Gian hàng 1 (A1), giá (₫)" in answer.text
    assert "Giá (₫) phải là số nguyên" in answer.text


def test_the_export_downloads_the_plan_in_the_imports_format(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    booths.blocked.add(booth_id(1))
    answer = organizer.get(f"{PLAN_URL}.json")
    assert answer.status_code == 200
    assert answer.headers["content-disposition"] == f'attachment; filename="floorplan-{FAIR}.json"'
    assert answer.json() == PLAN_FILE  # importable again: no ids, states or neighbours
    export = [c for c in booths.calls if c.url.path == f"/fairs/{FAIR}/floorplan"][-1]
    assert export.url.params["format"] == "import"  # booths' own import format, as it is


def test_the_allocation_runs_redirects_to_the_proposal_and_commits(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    url = f"/organizer/fairs/{FAIR}/allocation"
    page = organizer.get(url)
    assert page.status_code == 200
    assert "Chạy máy phân bổ" in page.text and 'hx-indicator="#allocation-running"' in page.text
    assert "Chưa có ai trong danh sách chờ." in page.text
    token = csrf_of(page.text)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key and key.group(1)  # one run per click, even clicked twice
    ran = organizer.post(
        url, data={"csrf_token": token, "idempotency_key": key.group(1)}, follow_redirects=False
    )
    assert ran.status_code == 303  # post, redirect, get
    assert ran.headers["location"] == f"{url}/runs/{RUN}"
    run = [c for c in booths.calls if c.url.path == f"/fairs/{FAIR}/allocations"][-1]
    assert run.headers["idempotency-key"] == key.group(1)
    proposal = organizer.get(ran.headers["location"])
    assert proposal.status_code == 200
    html = proposal.text
    assert "Máy phân bổ trả lời trong 0,42 giây" in html
    # the engine's method and proven gap, in words
    assert "đã được chứng minh là kém phương án tốt nhất không quá 0,49 %" in html
    assert 'data-testid="plan-current"' in html and 'data-testid="plan-proposal"' in html
    assert 'aria-label="Gian hàng A1, đề xuất, HTX Chè Đường Hoa"' in html
    assert (  # the placement's reasons by their codes
        "4★, thứ 1/2 trong hàng đợi (theo số sao, rồi thời điểm nộp đơn); khu Z1, như đơn đề nghị; 1 gian tiêu chuẩn: A1"
        in html
    )
    assert "HTX Nấm Bình Liêu" in html
    assert "3★, thứ 2 trong hàng đợi: không khu nào còn đủ 1 gian tiêu chuẩn" in html
    assert 'data-testid="run-committed"' not in html
    assert f'action="{url}/runs/{RUN}/commit"' in html
    assert booths.occupant == {}  # nothing changes until the commit
    htmx = organizer.post(url, data={"csrf_token": token}, headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"] == f"{url}/runs/{RUN}"
    committed = organizer.post(
        f"{url}/runs/{RUN}/commit", data={"csrf_token": token}, follow_redirects=False
    )
    assert committed.status_code == 303
    plan = organizer.get(committed.headers["location"])
    assert "Đã phân gian hàng: 1 gian hàng được phân, 1 đơn vào danh sách chờ." in plan.text
    assert 'aria-label="Gian hàng A1, đã phân, HTX Chè Đường Hoa"' in plan.text
    again = organizer.post(f"{url}/runs/{RUN}/commit", data={"csrf_token": token})
    assert again.status_code == 422 and "Phương án phân bổ này đã được xác nhận" in again.text
    assert 'data-testid="placements"' in again.text  # the proposal again, beside the refusal
    shown = organizer.get(f"{url}/runs/{RUN}")
    assert 'data-testid="run-committed"' in shown.text and "27/03/2026 11:00" in shown.text
    assert f'action="{url}/runs/{RUN}/commit"' not in shown.text  # committed: no commit again
    waitlist = organizer.get(url)
    assert 'data-testid="waitlist"' in waitlist.text and "Đang chờ" in waitlist.text
    assert "3★, thứ 2 trong hàng đợi: không khu nào còn đủ 1 gian tiêu chuẩn" in waitlist.text


def test_a_failed_commit_shows_the_proposal_again_with_the_services_words(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    booths.commit_refused = True  # a refusal whose code this web app does not know yet
    url = f"/organizer/fairs/{FAIR}/allocation/runs/{RUN}"
    token = csrf_of(organizer.get(url).text)
    refused = organizer.post(f"{url}/commit", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "Dịch vụ gian hàng từ chối việc này: something new went wrong" in refused.text
    assert 'data-testid="placements"' in refused.text and "HTX Chè Đường Hoa" in refused.text
    assert f'action="{url}/commit"' in refused.text  # may be tried again
    assert booths.occupant == {}


def test_another_fairs_or_an_unknown_run_is_not_found(
    organizer: TestClient, booths: FakeBooths
) -> None:
    booths.load()
    other = "3f1e0c5a-0000-4000-8000-00000000fa99"
    assert organizer.get(f"/organizer/fairs/{other}/allocation/runs/{RUN}").status_code == 404
    unknown = "c0000000-0000-4000-8000-000000000999"
    assert organizer.get(f"/organizer/fairs/{FAIR}/allocation/runs/{unknown}").status_code == 404


def test_running_without_a_plan_is_refused_in_words(
    organizer: TestClient, booths: FakeBooths
) -> None:
    url = f"/organizer/fairs/{FAIR}/allocation"
    page = organizer.get(url)
    assert 'data-testid="no-plan"' in page.text
    refused = organizer.post(url, data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 422
    assert "Hãy tải sơ đồ gian hàng của hội chợ trước" in refused.text


def test_reasons_and_refusals_are_worded_by_their_codes() -> None:
    assert placement_text(PLACEMENT_REASONS, "english") == (
        "4★, thứ 1/2 trong hàng đợi (theo số sao, rồi thời điểm nộp đơn); khu Z1, như đơn đề nghị; 1 gian tiêu chuẩn: A1"
    )
    # an unknown piece: the service's own explanation, whole
    unknown = [*PLACEMENT_REASONS, {"code": "placed_by_magic"}]
    assert placement_text(unknown, "zone Z1 as requested; by magic") == (
        "zone Z1 as requested; by magic"
    )
    assert placement_text([], "as written") == "as written"
    groups = {3: "Dược liệu"}.get
    assert reason_text(
        "placed_group_zone", {"zone": "Z2", "group": 3}, "x", lambda g: groups(g) or str(g)
    ) == ("Khu Z2 dành cho nhóm sản phẩm Dược liệu")
    assert reason_text("organizer_note", {"note": "Ổ điện hỏng"}, "Ổ điện hỏng") == "Ổ điện hỏng"
    assert (
        reason_text("moved", {"note": "Gần lối vào", "from_booth": "A1"}, "x")
        == "Gần lối vào (chuyển đến đây từ gian A1)"
    )
    assert reason_text("waitlist_offer", {}, "offered (rank ?)") == "offered (rank ?)"  # no rank
    assert reason_text(None, {}, "free text") == "free text"
    assert reason_text("something_new", {"a": 1}, "new text") == "new text"
    assert reason_text("amount_above_limit", {"limit": 10**12}, "x") == (
        "Số tiền vượt quá 1.000.000.000.000\xa0₫"
    )
    occupied = ApiError(409, {"detail": "booth A1 is held...", "code": "booth_occupied"})
    assert refusal_text(occupied, code="A1", state="đang giữ") == (
        "Không thể khóa gian hàng A1: một đơn vị trưng bày đang có gian này (đang giữ). "
        "Hãy chuyển đơn vị đó sang gian khác trước"
    )
    # the page did not name the booth: the service's words rather than a broken sentence
    assert refusal_text(occupied) == "Dịch vụ gian hàng từ chối việc này: booth A1 is held..."
    unknown_code = ApiError(409, {"detail": "a new rule", "code": "new_rule"})
    assert refusal_text(unknown_code) == "Dịch vụ gian hàng từ chối việc này: a new rule"


def test_the_drawing_keeps_small_booths_readable() -> None:
    plan = {
        "zones": [{"code": "Z", "name": "Z", "kind": "services"}],
        "booths": [
            {"booth_id": str(uuid.uuid4()), "code": "S1", "zone": "Z", "width_m": 1.5,
             "depth_m": 1.5, "x": 0, "y": 0, "state": "available"},
            {"booth_id": str(uuid.uuid4()), "code": "S2", "zone": "Z", "width_m": 6,
             "depth_m": 3, "x": 1.5, "y": 0, "state": "held"},
        ],
    }  # fmt: skip
    drawing = draw(plan, key="k", title="t", href="/b/{booth_id}")
    small, large = drawing.booths
    assert small.w >= 72 and large.w == pytest.approx(4 * small.w)
    assert drawing.states[:5] == ["available", "held", "assigned", "confirmed", "blocked"]
