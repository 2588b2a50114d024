"""Passwords in tests: Argon2 with the app's own parameters, each result
worked out once per worker.

Argon2 is slow on purpose — 64 MiB and three passes a hash, a tenth of a
second or more on a small machine — and a suite hashes the same few
passwords thousands of times (every ``trellis_make_user``) and checks the
same wrong ones again and again (the sign-in throttling tests). The test
apps' hasher remembers: a password it has hashed gets the same hash again
(a real one, from the same parameters; only the salt is no longer new),
and a (hash, password) pair it has checked gets the same answer. Every
result is the one Argon2 gave.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

__all__ = ["RememberingHasher", "_remembering_password_hasher"]


class RememberingHasher(PasswordHasher):
    """An Argon2 ``PasswordHasher`` that works each hash and check out once."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._hashes: dict[str | bytes, str] = {}
        self._checks: dict[tuple[str | bytes, str | bytes], bool] = {}

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        if salt is not None:
            return super().hash(password, salt=salt)
        if password not in self._hashes:
            self._hashes[password] = super().hash(password)
        return self._hashes[password]

    def verify(self, hash: str | bytes, password: str | bytes):  # noqa: A002 - argon2's name
        key = (hash, password)
        if key not in self._checks:
            try:
                super().verify(hash, password)
            except VerifyMismatchError:
                self._checks[key] = False
                raise
            self._checks[key] = True
        if not self._checks[key]:
            raise VerifyMismatchError("The password does not match the supplied hash")
        return True


@pytest.fixture(scope="session", autouse=True)
def _remembering_password_hasher():
    """Every test app hashes and checks passwords with a
    :class:`RememberingHasher` of the app's own Argon2 parameters."""
    from core import security

    hasher = RememberingHasher.from_parameters(security._hasher._parameters)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(security, "_hasher", hasher)
        yield hasher
