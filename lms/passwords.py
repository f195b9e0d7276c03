"""Password hashing with argon2id."""

import functools
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from domain.people import check_password

# OWASP's argon2id setting (19 MiB, 2 passes, 1 lane) rather than argon2-cffi's default
# (64 MiB, 3 passes, 4 lanes): measured side by side on a busy 2-core box, the default took
# ~1.1 s per verification against ~0.12 s, and 64 MiB per concurrent sign-in, which a small
# deployment feels. Hashes carry their own parameters, so older ones still verify.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def new_password_hash(password: str, username: str) -> str:
    """Check a new password against the rules, then hash it: only the hash goes further."""
    check_password(password, username)
    return hash_password(password)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether the password is right. With no account (None), a dummy hash is verified all
    the same, so the time taken does not tell whether a username exists."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))
