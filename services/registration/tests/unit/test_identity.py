"""Identity's pure rules: the password policy, logins, organizations, session expiry, the
sign-in backoff, one-time codes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from ocop_registration.domain import identity
from ocop_registration.domain.identity import (
    AccountDraft,
    Invitation,
    ResetCode,
    SessionPolicy,
    SessionTimes,
)
from ocop_registration.domain.passwords import check_password
from ocop_shared.errors import InvalidField

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
POLICY = SessionPolicy(absolute=timedelta(hours=12), idle=timedelta(minutes=30))


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("ngan-qua", "at least 10"),
        ("x" * 129, "at most 128"),
        ("aaaaaaaaaaaa", "repeated"),
        ("Password123", "common"),
        ("matkhau123", "common"),
        ("QWERTYUIOP", "common"),
        ("an.nguyen.vn@example.vn", "email or phone"),
        ("AN.NGUYEN.VN", "email or phone"),
        ("0912345678", "email or phone"),
        ("+84912345678", "email or phone"),
    ],
)
def test_a_weak_password_is_refused_naming_the_field_and_why(password: str, reason: str) -> None:
    with pytest.raises(InvalidField) as refused:
        check_password(
            password, field="owner.password", logins=["an.nguyen.vn@example.vn", "+84912345678"]
        )
    assert refused.value.field == "owner.password"
    assert reason in refused.value.message


@pytest.mark.parametrize(
    "password", ["che-shan-tuyet-2026", "x" * 10 + "y", "Mật khẩu dài và riêng", "a" * 127 + "b"]
)
def test_a_good_password_passes(password: str) -> None:
    check_password(password, field="password", logins=["an.nguyen@example.vn"])


# --- logins and accounts ----------------------------------------------------------------------


def test_a_login_is_a_folded_email_or_an_e164_phone() -> None:
    assert identity.parse_login("  An.Nguyen@Example.VN ").email == "an.nguyen@example.vn"
    for spelled in ("0912 345 678", "+84 912-345-678", "84912345678", "(091) 234.5678"):
        assert identity.parse_login(spelled).phone == "+84912345678", spelled
    with pytest.raises(InvalidField) as refused:
        identity.parse_login("12345")
    assert refused.value.field == "login"


def test_an_account_needs_an_email_or_a_phone_and_names_the_field() -> None:
    with pytest.raises(InvalidField) as refused:
        identity.new_account(AccountDraft("An", None, None, "x"), prefix="owner")
    assert refused.value.field == "owner.email"
    with pytest.raises(InvalidField) as refused:
        identity.new_account(AccountDraft("An", None, "12", "x"), prefix="account")
    assert refused.value.field == "account.phone"
    account = identity.new_account(
        AccountDraft("Nguyễn  Văn An", "AN@EXAMPLE.VN", "0912345678", "x"), prefix="owner"
    )
    assert (account.name, account.email, account.phone) == (
        "Nguyễn Văn An",
        "an@example.vn",
        "+84912345678",
    )


# --- organizations ------------------------------------------------------------------------------


def test_organizations_take_their_members_role_and_an_authoritys_scope() -> None:
    council = identity.new_organization(
        "certifier", "hoi-dong-ocop-qn", "Hội đồng OCOP", "Quảng Ninh", "provincial"
    )
    assert (council.role, council.scope_province, council.scope_level) == (
        "certifier",
        "Quảng Ninh",
        "provincial",
    )
    central = identity.new_organization("certifier", "hoi-dong-tw", "Hội đồng", "Hà Nội", "central")
    assert (central.scope_province, central.scope_level) == (None, "central")
    inspector = identity.new_organization("inspector", "qltt-lc", "QLTT", "Lào Cai")
    assert (inspector.role, inspector.scope_province, inspector.scope_level) == (
        "inspector",
        "Lào Cai",
        None,
    )
    organizer = identity.new_organization("organizer", "so-cong-thuong-qn", "Sở", "Quảng Ninh")
    assert (organizer.role, organizer.scope_province) == ("organizer", None)
    holder = identity.Organization(str(uuid.uuid4()), "holder", "HTX", "Quảng Ninh")
    assert (holder.role, holder.scope_province) == ("exhibitor", None)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("holder", "htx", "HTX"), "kind"),
        (("platform", "platform", "P"), "kind"),
        (("organizer", "Có Dấu", "Sở"), "organization_id"),
        (("organizer", "x", "Sở"), "organization_id"),
        (("organizer", "so-ct", "Sở", None, "central"), "level"),
        (("certifier", "hd", "HĐ"), "level"),
        (("certifier", "hd", "HĐ", None, "provincial"), "province"),
        (("inspector", "qltt", "QLTT"), "province"),
    ],
)
def test_a_bad_organization_is_refused_naming_the_field(args: tuple[str, ...], field: str) -> None:
    with pytest.raises(InvalidField) as refused:
        identity.new_organization(*args)
    assert refused.value.field == field


# --- sessions ------------------------------------------------------------------------------------


def test_a_session_ends_idle_or_at_its_absolute_expiry() -> None:
    times = identity.session_times(T0, POLICY)
    assert times.expires_at == T0 + timedelta(hours=12)
    assert times.idle_expires_at(POLICY) == T0 + timedelta(minutes=30)
    assert identity.session_ended(times, T0 + timedelta(minutes=29), POLICY) is None
    assert identity.session_ended(times, T0 + timedelta(minutes=30), POLICY) == "idle"

    used = SessionTimes(T0, T0 + timedelta(hours=11, minutes=50), times.expires_at)
    assert identity.session_ended(used, T0 + timedelta(hours=11, minutes=59), POLICY) is None
    assert identity.session_ended(used, T0 + timedelta(hours=12), POLICY) == "expired"
    # the idle deadline never passes the absolute one
    assert used.idle_expires_at(POLICY) == times.expires_at


def test_a_use_is_recorded_at_most_once_a_minute_and_never_revives_an_idle_session() -> None:
    times = identity.session_times(T0, POLICY)
    assert not identity.needs_touch(times, T0 + timedelta(seconds=59), POLICY)
    assert identity.needs_touch(times, T0 + timedelta(seconds=60), POLICY)
    assert not identity.needs_touch(times, T0 + timedelta(minutes=31), POLICY)
    assert not identity.needs_touch(times, T0 + timedelta(hours=13), POLICY)


# --- sign-in backoff ------------------------------------------------------------------------


def test_after_five_failures_each_attempt_waits_twice_as_long_up_to_fifteen_minutes() -> None:
    assert [identity.throttle_wait(n).total_seconds() for n in range(4, 11)] == [
        0,
        1,
        2,
        4,
        8,
        16,
        32,
    ]
    assert identity.throttle_wait(15) == timedelta(minutes=15)
    assert identity.throttle_wait(10_000) == timedelta(minutes=15)


def test_retry_after_counts_from_the_last_failure() -> None:
    assert identity.retry_after(0, None, T0) is None
    assert identity.retry_after(4, T0, T0) is None
    assert identity.retry_after(5, T0, T0) == 1
    assert identity.retry_after(5, T0, T0 + timedelta(seconds=1)) is None
    assert identity.retry_after(8, T0, T0 + timedelta(seconds=2.5)) == 6  # 8 s, rounded up
    assert identity.retry_after(30, T0, T0) == 900


# --- one-time codes and API keys ----------------------------------------------------------------


def test_an_invitation_code_works_once_before_it_expires_unless_withdrawn() -> None:
    open_ = Invitation(uuid.uuid4(), "so-ct", "staff", T0, T0 + timedelta(days=7))
    assert identity.check_code(open_, T0 + timedelta(days=6)) is open_
    cases = {
        "no such": None,
        "already been used": Invitation(
            uuid.uuid4(), "so-ct", "staff", T0, T0 + timedelta(days=7), used_at=T0
        ),
        "withdrawn": Invitation(
            uuid.uuid4(), "so-ct", "staff", T0, T0 + timedelta(days=7), revoked_at=T0
        ),
    }
    for reason, invitation in cases.items():
        with pytest.raises(InvalidField, match=reason) as refused:
            identity.check_code(invitation, T0)
        assert refused.value.field == "code"
    with pytest.raises(InvalidField, match="expired"):
        identity.check_code(open_, T0 + timedelta(days=7))


def test_a_reset_code_is_for_one_person_once_within_its_hour() -> None:
    person = uuid.uuid4()
    code = ResetCode(uuid.uuid4(), person, "so-ct", T0 + timedelta(hours=1))
    assert identity.check_reset_code(code, person, T0) is code
    for reason, args in {
        "no such": (code, uuid.uuid4(), T0),
        "no such reset": (None, person, T0),
        "expired": (code, person, T0 + timedelta(hours=1)),
        "already been used": (
            ResetCode(code.code_id, person, "so-ct", code.expires_at, used_at=T0),
            person,
            T0,
        ),
    }.items():
        with pytest.raises(InvalidField, match=reason):
            identity.check_reset_code(*args)  # type: ignore[arg-type]


def test_an_api_key_lasts_one_to_365_days() -> None:
    assert identity.api_key_expiry(T0, 365) == T0 + timedelta(days=365)
    for days in (0, 366):
        with pytest.raises(InvalidField) as refused:
            identity.api_key_expiry(T0, days)
        assert refused.value.field == "expires_in_days"
