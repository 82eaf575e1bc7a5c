"""Password hashing: argon2id through pwdlib, off the event loop (a hash takes tens of
milliseconds of CPU). An unknown login is verified against a dummy hash, so it takes as long
as a wrong password and the answer's timing does not tell which logins exist."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

# argon2id with pwdlib's parameters (64 MiB, 3 passes, 4 lanes: ~0.2 s of CPU a hash);
# ``configure(light=True)`` (8 MiB, 1 pass, 1 lane: ~100 times cheaper) is for development and
# test stacks only, whose demo and suites create hundreds of accounts; production refuses it
# (app settings). A stored hash names its own parameters, so either verifies the other's.
_STANDARD = Argon2Hasher()
_LIGHT = Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1)
_hasher = PasswordHash((_STANDARD,))
_DUMMY_HASH = _hasher.hash("not anybody's password: the unknown login's stand-in")
# Hashing runs on two threads of its own, not the loop's default pool (up to cpu + 4 threads):
# each thread's malloc arena keeps the last light hash's 8 MiB block resident (glibc serves
# blocks under 32 MiB from the arena once one has been freed), which was 6 x 8 MiB = 48 MiB of
# registration's RSS on a 2-core machine; a standard hash's 64 MiB block is mapped and
# returned each time, so two threads also bound a burst of sign-ins to 2 x 64 MiB. Hashing is
# CPU-bound: more threads than cores would not sign anyone in sooner.
_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")


def configure(*, light: bool) -> None:
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHash((_LIGHT, _STANDARD) if light else (_STANDARD, _LIGHT))
    _DUMMY_HASH = _hasher.hash("not anybody's password: the unknown login's stand-in")


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_THREADS, _hasher.hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches; with no hash (an unknown login) it still runs a
    verification, against the dummy hash, and answers False."""
    if password_hash is None:
        await asyncio.get_running_loop().run_in_executor(
            _THREADS, _hasher.verify, password, _DUMMY_HASH
        )
        return False
    try:
        return await asyncio.get_running_loop().run_in_executor(
            _THREADS, _hasher.verify, password, password_hash
        )
    except Exception:  # an unreadable stored hash is a wrong password, not a server error
        return False
