"""A stored answer is sealed under its principal's key: only that principal and key open it,
and a changed byte or a row moved under another key fails to open."""

from __future__ import annotations

import os

import pytest
from cryptography.exceptions import InvalidTag

from ocop_shared.idempotency import KeyId

ANSWER = b'{"token": "ocop_exhibitor_secret"}'


def test_a_sealed_answer_opens_with_its_key_and_hides_its_content() -> None:
    key, nonce = KeyId.of("exhibitor:e-1", "key-1"), os.urandom(12)
    sealed = key.seal(nonce, ANSWER)
    assert b"secret" not in sealed
    assert key.open(nonce, sealed) == ANSWER


@pytest.mark.parametrize(
    "other", [KeyId.of("exhibitor:e-2", "key-1"), KeyId.of("exhibitor:e-1", "key-2")]
)
def test_another_principal_or_key_cannot_open_it(other: KeyId) -> None:
    nonce = os.urandom(12)
    sealed = KeyId.of("exhibitor:e-1", "key-1").seal(nonce, ANSWER)
    with pytest.raises(InvalidTag):
        other.open(nonce, sealed)


def test_a_changed_byte_fails_to_open() -> None:
    key, nonce = KeyId.of("exhibitor:e-1", "key-1"), os.urandom(12)
    sealed = bytearray(key.seal(nonce, ANSWER))
    sealed[3] ^= 1
    with pytest.raises(InvalidTag):
        key.open(nonce, bytes(sealed))
