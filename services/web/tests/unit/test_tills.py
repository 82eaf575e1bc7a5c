"""The organizer's tills against fake services: the list with each status in words, a till
enrolled for pairing for an occupied booth and its pairing QR code (the one-time pairing code
in the fragment of ``<web>/till/pair#…``, shown once with its expiry; no device token on any
page), bad input on its field in Vietnamese with nothing enrolled, a new pairing code,
suspending and unpairing behind a confirmation."""

from __future__ import annotations

import base64
import re

from fastapi.testclient import TestClient

from .conftest import csrf_of
from .money_tills_fakes import BOOTH_A, BOOTH_FREE, Fakes, fakes, organizer3

__all__ = ["fakes", "organizer3"]  # fixtures


def enrol(organizer3: TestClient, fakes: Fakes, booth: str, label: str) -> tuple[str, object]:
    url = f"/organizer/fairs/{fakes.fair_id}/tills"
    page = organizer3.get(url)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text)
    assert key
    answer = organizer3.post(
        url,
        data={
            "csrf_token": csrf_of(page.text),
            "idempotency_key": key.group(1),
            "booth": booth,
            "till_label": label,
        },
    )
    return answer.text, answer


def test_a_till_enrolled_shows_its_pairing_qr_code_once(
    organizer3: TestClient, fakes: Fakes
) -> None:
    page = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/tills")
    assert page.status_code == 200
    assert "Chưa có quầy thu ngân nào" in page.text
    # only occupied booths can be chosen, named with their exhibitor
    assert "A-01 – Hợp tác xã Chè Đường Hoa" in page.text and "C-03" not in page.text
    html, answer = enrol(organizer3, fakes, BOOTH_A, "Quầy 1")
    assert answer.status_code == 201, html  # type: ignore[attr-defined]
    assert fakes.writes()[-1][2] == {"booth_id": BOOTH_A, "label": "Quầy 1", "pairing": True}
    url = re.search(r'data-testid="pairing-url">([^<]+)<', html)
    assert url and url.group(1) == "http://testserver/till/pair#K7Q2-M4XD-9PRT"
    assert 'data-testid="pairing-code">K7Q2-M4XD-9PRT<' in html
    assert "có hiệu lực 24 giờ, cho một thiết bị" in html
    assert "30/08/2026 08:30" in html  # the expiry, in Viet Nam time
    assert "ocop_dev_" not in html  # no device credential exists until a device pairs
    qr = re.search(
        r'<img class="ocop-till-pairing__qr" src="data:image/svg\+xml;base64,([^"]+)"', html
    )
    assert qr
    svg = base64.b64decode(qr.group(1)).decode()
    assert svg.startswith("<svg") and "<script" not in svg and "style=" not in svg
    assert 'alt="Mã QR ghép nối của quầy Quầy 1 tại gian hàng A-01"' in html
    assert "Mã này chỉ hiển thị một lần" in html
    listed = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/tills")
    assert 'data-till-status="active"' in listed.text and "Đang hoạt động" in listed.text
    assert "K7Q2-M4XD-9PRT" not in listed.text  # never shown again


def test_bad_input_is_shown_on_its_field_in_vietnamese_and_nothing_is_enrolled(
    organizer3: TestClient, fakes: Fakes
) -> None:
    html, answer = enrol(organizer3, fakes, "", "")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert 'id="booth-error"' in html and "Chọn gian hàng mà quầy thu ngân bán hàng cho" in html
    assert 'id="till_label-error"' in html and "Nhập tên quầy thu ngân, ví dụ Quầy 1" in html
    assert fakes.writes() == []
    html, answer = enrol(organizer3, fakes, BOOTH_FREE, "Quầy 9")
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert 'id="booth-error"' in html and "Không có đơn vị nào đang sử dụng gian hàng này" in html
    html, answer = enrol(organizer3, fakes, BOOTH_A, "Q" * 81)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert 'id="till_label-error"' in html and "không quá 80 ký tự" in html
    assert fakes.terminals[fakes.fair_id] == []


def test_suspend_and_unpair_behind_a_confirmation(organizer3: TestClient, fakes: Fakes) -> None:
    enrol(organizer3, fakes, BOOTH_A, "Quầy 1")
    till = fakes.terminals[fakes.fair_id][0]
    base = f"/organizer/fairs/{fakes.fair_id}/tills/{till['terminal_id']}"
    confirm = organizer3.get(f"{base}/suspend")
    assert confirm.status_code == 200
    assert "Tạm ngừng quầy thu ngân này" in confirm.text
    assert till["status"] == "active"  # nothing yet
    done = organizer3.post(
        f"{base}/suspend", data={"csrf_token": csrf_of(confirm.text)}, follow_redirects=False
    )
    assert done.status_code == 303
    after = organizer3.get(done.headers["location"])
    assert "Đã tạm ngừng quầy thu ngân" in after.text
    assert 'data-till-status="suspended"' in after.text and "Tạm ngừng" in after.text
    confirm = organizer3.get(f"{base}/unpair")
    assert "Hủy ghép nối quầy thu ngân này" in confirm.text
    done = organizer3.post(
        f"{base}/unpair", data={"csrf_token": csrf_of(confirm.text)}, follow_redirects=False
    )
    assert done.status_code == 303
    assert till["status"] == "unpaired"
    assert ("DELETE", f"/terminals/{till['terminal_id']}", None) in fakes.calls
    # another fair's or an unknown till: not found
    assert (
        organizer3.get(f"/organizer/fairs/{fakes.fair_id}/tills/{BOOTH_A}/suspend").status_code
        == 404
    )


def test_a_new_pairing_code_behind_a_confirmation_that_says_the_device_is_signed_out(
    organizer3: TestClient, fakes: Fakes
) -> None:
    enrol(organizer3, fakes, BOOTH_A, "Quầy 1")
    till = fakes.terminals[fakes.fair_id][0]
    base = f"/organizer/fairs/{fakes.fair_id}/tills/{till['terminal_id']}"
    listed = organizer3.get(f"/organizer/fairs/{fakes.fair_id}/tills")
    assert f'href="{base}/pairing-code"' in listed.text
    confirm = organizer3.get(f"{base}/pairing-code")
    assert confirm.status_code == 200
    assert "Mã ghép nối mới cho quầy thu ngân này" in confirm.text
    assert "bị đăng xuất ngay" in confirm.text
    assert "codes" not in till  # nothing yet
    done = organizer3.post(f"{base}/pairing-code", data={"csrf_token": csrf_of(confirm.text)})
    assert done.status_code == 201
    assert till["codes"] == 1
    assert ("POST", f"/terminals/{till['terminal_id']}/pairing-code", None) in fakes.calls
    assert 'data-testid="renewed"' in done.text
    assert 'data-testid="pairing-url">http://testserver/till/pair#N3WC-0DE0-0000<' in done.text
    assert "30/08/2026 09:00" in done.text
    assert "N3WC-0DE0-0000" not in organizer3.get(f"/organizer/fairs/{fakes.fair_id}/tills").text
    # A suspended till gets none: said, nothing issued.
    till["status"] = "suspended"
    refused = organizer3.post(f"{base}/pairing-code", data={"csrf_token": csrf_of(confirm.text)})
    assert refused.status_code == 409
    assert "đã thay đổi" in refused.text and till["codes"] == 1
