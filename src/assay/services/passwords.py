"""Password hashing with Argon2id (argon2-cffi), the memory-hard hash OWASP recommends.

The parameters are argon2-cffi's defaults (RFC 9106's low-memory profile: 64 MiB, 3 passes);
`needs_rehash` lets a sign-in upgrade a hash made with older parameters. Checking a password for
an unknown email still runs one hash, so timing does not tell which emails exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assay.model.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 1024  # hashing cost grows with length; refuse absurd inputs before hashing
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password anyone has")


def check_new(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"the password must have at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    check_new(password)
    return _hasher.hash(password)


def verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash (None: no password set; still costs a hash)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)
