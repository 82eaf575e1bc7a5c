"""Password hashing: argon2id through pwdlib, off the event loop (a hash takes tens of
milliseconds of CPU). An unknown login is verified against a dummy hash, so it takes as long
as a wrong password and the answer's timing does not tell which logins exist."""

from __future__ import annotations

import asyncio

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))
_DUMMY_HASH = _hasher.hash("not anybody's password: the unknown login's stand-in")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches; with no hash (an unknown login) it still runs a
    verification, against the dummy hash, and answers False."""
    if password_hash is None:
        await asyncio.to_thread(_hasher.verify, password, _DUMMY_HASH)
        return False
    try:
        return await asyncio.to_thread(_hasher.verify, password, password_hash)
    except Exception:  # an unreadable stored hash is a wrong password, not a server error
        return False
