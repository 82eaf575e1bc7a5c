"""The password policy: long enough, not the login, not one character repeated, not one of the
passwords every attacker tries first. Pure: hashing lives in the application
(``application/passwords.py``, argon2id)."""

from __future__ import annotations

from collections.abc import Iterable

from ocop_shared.errors import InvalidField

MIN_LENGTH = 10
MAX_LENGTH = 128

# Common passwords long enough to pass the length rule (shorter ones fail it anyway), from the
# published most-used lists, with the Vietnamese favourites ("mật khẩu", "anh yêu em", ...).
# Compared case-insensitively.
COMMON_PASSWORDS: frozenset[str] = frozenset(
    {
        "0123456789",
        "0987654321",
        "1029384756",
        "1111111111",
        "1122334455",
        "1234512345",
        "1234554321",
        "1234567890",
        "12345678910",
        "123456789a",
        "123456789@",
        "1234567890a",
        "1234567890q",
        "123123123123",
        "123321123321",
        "1234qwer1234",
        "12qwaszx12",
        "1q2w3e4r5t",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "1qazxsw23edc",
        "9876543210",
        "a123456789",
        "aa123456789",
        "abc1234567",
        "abcd123456",
        "abcd1234567",
        "abcdefghij",
        "admin12345",
        "admin123456",
        "administrator",
        "anhyeuem123",
        "anhyeuemnhieu",
        "asdfghjkl1",
        "asdfghjkl;",
        "asdfghjkl123",
        "baseball123",
        "batman12345",
        "changeme123",
        "dragon12345",
        "emyeuanh123",
        "football123",
        "hanoi12345",
        "iloveyou12",
        "iloveyou123",
        "letmein123",
        "master12345",
        "matkhau123",
        "matkhau1234",
        "matkhau12345",
        "michael1234",
        "monkey12345",
        "motconvit123",
        "p@ssw0rd123",
        "passw0rd123",
        "password01",
        "password12",
        "password123",
        "password1234",
        "password12345",
        "password!",
        "princess123",
        "q1w2e3r4t5",
        "q1w2e3r4t5y6",
        "qazwsxedc123",
        "qazwsxedcrfv",
        "qwert12345",
        "qwerty1234",
        "qwerty12345",
        "qwerty123456",
        "qwertyuiop",
        "qwertyuiop123",
        "saigon1234",
        "sunshine123",
        "superman123",
        "trustno1234",
        "vietnam123",
        "vietnam1234",
        "welcome123",
        "yeuemnhieu",
        "zaq12wsxcde",
        "zxcvbnm123",
        "zxcvbnm1234",
    }
)


def check_password(password: str, *, field: str, logins: Iterable[str] = ()) -> None:
    """Refuses a weak password with the reason, naming ``field`` (say ``owner.password``)."""
    if len(password) < MIN_LENGTH:
        raise InvalidField(field, f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidField(field, f"at most {MAX_LENGTH} characters")
    if len(set(password)) == 1:
        raise InvalidField(field, "not one character repeated")
    lowered = password.casefold()
    for login in logins:
        login = login.casefold().strip()
        if not login:
            continue
        candidates = {login}
        if "@" in login:
            candidates.add(login.split("@", 1)[0])
        if login.startswith("+84"):
            candidates |= {login[1:], login[3:], "0" + login[3:]}
        if lowered in candidates:
            raise InvalidField(field, "must not be the email or phone number signed in with")
    if lowered in COMMON_PASSWORDS:
        raise InvalidField(field, "one of the most common passwords; choose another")
