"""A contract or memorandum linked to the trade meeting it came out of (issue 15), against a
fake registration: the contract form asks "Từ cuộc gặp giao thương nào?" among the fair's
meetings the caller sees (none by default), sends the one chosen as ``meeting_id``; each
meeting row opens the form with it chosen (``?meeting=``, ignored unless it names a listed
meeting); registration's refusal lands on the question; the summary and the contracts list
name the meeting (buyer and day)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.testclient import TestClient

from .conftest import csrf_of
from .money_tills_fakes import CHE, NAM
from .trade_fakes import TradeFakes, holder, org, trade_fakes

__all__ = ["holder", "org", "trade_fakes"]  # fixtures

BUYER = {
    "buyer_name": "Tanaka Hiroshi",
    "buyer_organization": "Aeon Việt Nam",
    "buyer_country": "JP",
    "buyer_province": "",
    "buyer_contact": "tanaka@example.jp",
}


def a_meeting(
    fakes: TradeFakes,
    exhibitor: str,
    buyer: str = "Tanaka Hiroshi",
    held_at: str = "2026-08-30T02:30:00Z",  # 09:30 in Viet Nam
) -> dict[str, Any]:
    """A meeting as registration keeps it (recorded earlier)."""
    meeting = {
        "meeting_id": str(uuid.uuid4()), "fair_id": fakes.fair_id, "exhibitor_id": exhibitor,
        "exhibitor_name": fakes.exhibitor_name(exhibitor),
        "buyer": {"name": buyer, "organization": "Aeon Việt Nam", "country": "JP",
                  "province": None, "contact": "tanaka@example.jp"},
        "held_at": held_at, "outcome": "agreed", "note": None,
        "recorded_at": "2026-08-30T03:00:00Z",
    }  # fmt: skip
    fakes.meetings.append(meeting)
    return meeting


def products_of(fakes: TradeFakes, exhibitor: str) -> list[str]:
    return sorted(fakes.exhibitor_products(exhibitor))


def error_on(html: str, field: str) -> str:
    found = re.search(rf'<p id="{field}-error" class="ocop-error-message">(.*?)</p>', html, re.S)
    assert found, f"no error on {field}"
    return re.sub(r"<[^>]+>", "", found.group(1)).replace("Lỗi:", "").strip()


def meeting_radios(html: str) -> dict[str, bool]:
    """The question's radios: value -> checked."""
    return {
        value: bool(checked)
        for value, checked in re.findall(
            r'<input class="ocop-radios__input" id="meeting[^"]*" name="meeting" type="radio"'
            r' value="([^"]*)"( checked)?>',
            html,
        )
    }


def hidden_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def contract_answers(fakes: TradeFakes, exhibitor: str | None, html: str) -> dict[str, Any]:
    data: dict[str, Any] = {"csrf_token": csrf_of(html), "contract_kind": "contract", **BUYER,
                            "product_ids": products_of(fakes, exhibitor or CHE),
                            "value": "120.000.000", "signed_on": "30/08/2026"}  # fmt: skip
    if exhibitor:
        data["exhibitor"] = exhibitor
    return data


def test_the_contract_form_asks_which_meeting_among_those_the_caller_sees(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    che = a_meeting(trade_fakes, CHE)
    nam = a_meeting(trade_fakes, NAM, buyer="Lee Min-ho", held_at="2026-08-31T07:00:00Z")
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    assert form.status_code == 200
    assert "Từ cuộc gặp giao thương nào?" in form.text
    assert meeting_radios(form.text) == {"": True, che["meeting_id"]: False,
                                         nam["meeting_id"]: False}  # fmt: skip
    assert "Không gắn với cuộc gặp nào" in form.text
    # the organizer's: each named with its buyer, when (Viet Nam's time) and its exhibitor
    assert "Lee Min-ho, Aeon Việt Nam" in form.text and "31/08/2026 14:00" in form.text
    assert trade_fakes.exhibitor_name(NAM) in form.text
    # the question comes after the exhibitor and before the buyer
    assert form.text.index('name="exhibitor"') < form.text.index('name="meeting"')
    assert form.text.index('name="meeting"') < form.text.index('name="buyer_name"')


def test_an_exhibitor_is_offered_its_own_meetings_only(
    holder: TestClient, trade_fakes: TradeFakes
) -> None:
    own = a_meeting(trade_fakes, CHE)
    other = a_meeting(trade_fakes, NAM, buyer="Lee Min-ho")
    form = holder.get(f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    assert form.status_code == 200
    assert set(meeting_radios(form.text)) == {"", own["meeting_id"]}
    assert other["meeting_id"] not in form.text and "Lee Min-ho" not in form.text


def test_without_meetings_the_question_is_not_asked(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    assert form.status_code == 200
    assert 'name="meeting"' not in form.text and "Từ cuộc gặp giao thương nào?" not in form.text
    check = org.post(
        f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/check",
        data=contract_answers(trade_fakes, CHE, form.text),
    )
    assert check.status_code == 200, check.text
    assert 'data-field="exhibitor"' in check.text and 'data-field="meeting"' not in check.text


def test_more_than_ten_meetings_are_offered_in_a_select(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    made = [a_meeting(trade_fakes, CHE, buyer=f"Người mua {n}") for n in range(11)]
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    assert meeting_radios(form.text) == {}
    select = re.search(r'<select [^>]*name="meeting".*?</select>', form.text, re.S)
    assert select, "no select of meetings"
    values = re.findall(r'<option value="([^"]*)"( selected)?>', select.group(0))
    assert values[0] == ("", " selected")  # none by default
    assert {v for v, _ in values[1:]} == {m["meeting_id"] for m in made}


def test_a_chosen_meeting_is_sent_as_meeting_id_and_named_on_the_summary_and_list(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    meeting = a_meeting(trade_fakes, CHE)
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    data = {**contract_answers(trade_fakes, CHE, form.text), "meeting": meeting["meeting_id"]}
    check = org.post(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/check", data=data)
    assert check.status_code == 200, check.text
    row = re.search(r'data-field="meeting">([^<]*)<', check.text)
    assert row and row.group(1) == "Tanaka Hiroshi – 30/08/2026"
    assert "Cuộc gặp giao thương" in check.text and "/trade/contracts/new?" in check.text
    assert trade_fakes.posted == []  # nothing recorded before it is confirmed
    hidden = hidden_of(check.text)
    assert hidden["meeting"] == meeting["meeting_id"]
    done = org.post(
        f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts",
        data=hidden,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    body = trade_fakes.posted[0][1]
    assert body["meeting_id"] == meeting["meeting_id"] and body["exhibitor_id"] == CHE
    page = org.get(done.headers["location"])
    contracts = re.search(r'data-testid="contracts".*?</table>', page.text, re.S)
    assert contracts
    linked = re.search(r'data-meeting="([^"]+)">(.*?)</span>', contracts.group(0), re.S)
    assert linked and linked.group(1) == meeting["meeting_id"]
    assert re.sub(r"<[^>]+>", "", linked.group(2)) == (
        "Từ cuộc gặp với Tanaka Hiroshi ngày 30/08/2026"
    )
    assert f'href="#meeting-{meeting["meeting_id"]}"' in contracts.group(0)
    assert f'id="meeting-{meeting["meeting_id"]}"' in page.text


def test_by_default_no_meeting_is_sent(holder: TestClient, trade_fakes: TradeFakes) -> None:
    a_meeting(trade_fakes, CHE)
    form = holder.get(f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    data = {**contract_answers(trade_fakes, None, form.text), "meeting": ""}
    check = holder.post(f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts/check", data=data)
    assert check.status_code == 200, check.text
    row = re.search(r'data-field="meeting">([^<]*)<', check.text)
    assert row and row.group(1) == "Không gắn với cuộc gặp nào"
    done = holder.post(
        f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts",
        data=hidden_of(check.text),
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    body = trade_fakes.posted[0][1]
    assert "meeting_id" not in body and "exhibitor_id" not in body
    page = holder.get(done.headers["location"])
    assert "data-meeting=" not in page.text and "Từ cuộc gặp với" not in page.text


def test_a_meeting_row_opens_the_contract_form_with_it_chosen(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    a_meeting(trade_fakes, CHE, buyer="Lee Min-ho")
    meeting = a_meeting(trade_fakes, NAM, held_at="2026-08-31T02:00:00Z")
    page = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade")
    links = re.findall(
        r'<a href="([^"]+)"[^>]*data-testid="contract-from-meeting">(.*?)<', page.text
    )
    base = f"/organizer/fairs/{trade_fakes.fair_id}/trade"
    wanted = f"{base}/contracts/new?meeting={meeting['meeting_id']}"
    assert (wanted, "Ghi hợp đồng từ cuộc gặp này") in links and len(links) == 2
    form = org.get(wanted)
    assert form.status_code == 200
    radios = meeting_radios(form.text)
    assert radios[meeting["meeting_id"]] is True and radios[""] is False
    # the meeting's buyer and exhibitor are filled in
    assert 'name="buyer_name" type="text" value="Tanaka Hiroshi"' in form.text
    assert re.search(rf'<option value="{NAM}" selected>', form.text)
    assert 'value="tanaka@example.jp"' in form.text
    assert re.search(r'<option value="JP" selected>', form.text)


def test_an_exhibitor_opens_the_form_from_its_own_meeting(
    holder: TestClient, trade_fakes: TradeFakes
) -> None:
    meeting = a_meeting(trade_fakes, CHE)
    page = holder.get(f"/exhibitor/fairs/{trade_fakes.fair_id}/trade")
    assert f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts/new?meeting=" in page.text
    form = holder.get(
        f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts/new",
        params={"meeting": meeting["meeting_id"].upper()},  # any spelling of the UUID
    )
    assert meeting_radios(form.text)[meeting["meeting_id"]] is True
    assert 'name="exhibitor"' not in form.text


def test_a_meeting_in_the_query_that_is_not_listed_is_ignored(
    holder: TestClient, trade_fakes: TradeFakes
) -> None:
    own = a_meeting(trade_fakes, CHE, buyer="Người mua của mình")
    others = a_meeting(trade_fakes, NAM, buyer="Lee Min-ho")  # not the exhibitor's own
    url = f"/exhibitor/fairs/{trade_fakes.fair_id}/trade/contracts/new"
    for wrong in ("not-a-uuid", str(uuid.uuid4()), others["meeting_id"], "", "' onmouseover='x"):
        form = holder.get(url, params={"meeting": wrong})
        assert form.status_code == 200, wrong
        assert meeting_radios(form.text) == {"": True, own["meeting_id"]: False}, wrong
        assert "Lee Min-ho" not in form.text, wrong  # nothing of it filled in
        assert 'name="buyer_name" type="text" value=""' in form.text, wrong


def test_registrations_refusal_of_the_meeting_lands_on_the_question(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    meeting = a_meeting(trade_fakes, CHE)
    trade_fakes.unlinkable.add(meeting["meeting_id"])
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    data = {**contract_answers(trade_fakes, CHE, form.text), "meeting": meeting["meeting_id"],
            "contract_id": str(uuid.uuid4())}  # fmt: skip
    sent = org.post(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts", data=data)
    assert sent.status_code == 422
    assert len(trade_fakes.posted) == 1
    assert trade_fakes.posted[0][1]["meeting_id"] == meeting["meeting_id"]
    assert trade_fakes.contracts == []
    assert error_on(sent.text, "meeting") == (
        "Chọn một cuộc gặp của đơn vị trưng bày tại hội chợ này, hoặc “Không gắn với cuộc gặp nào”"
    )
    summary = re.search(r'class="ocop-error-summary.*?</div>\s*</div>', sent.text, re.S)
    assert summary and 'href="#meeting"' in summary.group(0)
    assert meeting_radios(sent.text)[meeting["meeting_id"]] is True  # the answer is kept


def test_a_meeting_of_another_exhibitor_or_not_listed_is_named_before_any_call(
    org: TestClient, trade_fakes: TradeFakes
) -> None:
    nam = a_meeting(trade_fakes, NAM)
    form = org.get(f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/new")
    url = f"/organizer/fairs/{trade_fakes.fair_id}/trade/contracts/check"
    mismatched = org.post(url, data={**contract_answers(trade_fakes, CHE, form.text),
                                     "meeting": nam["meeting_id"]})  # fmt: skip
    assert mismatched.status_code == 422
    assert error_on(mismatched.text, "meeting") == (
        "Chọn cuộc gặp của đơn vị trưng bày đã chọn, hoặc “Không gắn với cuộc gặp nào”"
    )
    for unknown in (str(uuid.uuid4()), "not-a-uuid"):
        refused = org.post(url, data={**contract_answers(trade_fakes, CHE, form.text),
                                      "meeting": unknown})  # fmt: skip
        assert refused.status_code == 422, unknown
        assert error_on(refused.text, "meeting").startswith("Chọn một cuộc gặp"), unknown
    assert trade_fakes.posted == []
