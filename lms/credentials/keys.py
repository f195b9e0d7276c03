"""The issuer's Ed25519 signing keys: one PKCS8 PEM file each in the keys folder (LMS_KEYS_DIR)."""

from __future__ import annotations

import os
import re
import secrets
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from lms.credentials.errors import CredentialError, InvalidDateTimeError
from lms.credentials.multikey import encode_public_key

# The creation time leads the name, so sorting names sorts keys oldest first.
_KEY_FILE = re.compile(r"ed25519-(?P<created>\d{8}T\d{12})-[0-9a-f]{8}\.pem")
_NAME_TIME = "%Y%m%dT%H%M%S%f"
_GROUP_OR_OTHERS = 0o077


class KeyStoreError(CredentialError):
    """The keys folder or a key in it cannot be used."""


class InsecureKeyFileError(KeyStoreError):
    """A key file can be read or written by someone other than its owner."""


class UnreadableKeyError(KeyStoreError):
    """A key file does not hold an Ed25519 private key in PKCS8 PEM."""


class UnknownKeyError(KeyStoreError):
    """No key of this issuer has that key id."""


@dataclass(frozen=True)
class IssuerKey:
    """One signing key; `key_id` is its Multikey `publicKeyMultibase` (z6Mk…)."""

    key_id: str
    private_key: Ed25519PrivateKey = field(repr=False, compare=False)
    public_key: Ed25519PublicKey = field(repr=False, compare=False)
    created: datetime


class IssuerKeys:
    """Every key the issuer ever made, newest signing; old ones stay to verify what they signed."""

    def __init__(self, keys_dir: Path):
        self.keys_dir = keys_dir
        self._read: dict[str, IssuerKey] = {}

    @classmethod
    def open(cls, keys_dir: Path, now: datetime) -> IssuerKeys:
        """The keys in `keys_dir`, making the folder (0700) and a first key when there is none."""
        if not keys_dir.exists():
            keys_dir.mkdir(parents=True, exist_ok=True)
            keys_dir.chmod(0o700)
        keys = cls(keys_dir)
        if not keys.all():
            keys.rotate(now)
        return keys

    def all(self) -> tuple[IssuerKey, ...]:
        """Every key, oldest first."""
        # Read the folder each time: `lms keys rotate` runs in another process than the server.
        names = sorted(name for name in os.listdir(self.keys_dir) if _KEY_FILE.fullmatch(name))
        self._read = {name: self._read.get(name) or self._load(name) for name in names}
        return tuple(self._read.values())

    def current(self) -> IssuerKey:
        """The newest key: the one that signs."""
        keys = self.all()
        if not keys:
            raise UnknownKeyError(f"there is no signing key in {self.keys_dir}")
        return keys[-1]

    def rotate(self, now: datetime) -> IssuerKey:
        """Make a new key that signs from now on; the older keys stay for verification."""
        if now.tzinfo is None:
            raise InvalidDateTimeError("a naive datetime is ambiguous: give it a timezone")
        created = now.astimezone(UTC)
        if keys := self.all():
            # A clock that stalls or steps back must not put the new key before the current one.
            created = max(created, keys[-1].created + timedelta(microseconds=1))
        name = f"ed25519-{created.strftime(_NAME_TIME)}-{secrets.token_hex(4)}.pem"
        self._write_new(name, Ed25519PrivateKey.generate())
        return self._load(name)

    def private_key_for(self, key_id: str) -> Ed25519PrivateKey:
        """The private key whose Multikey is `key_id`."""
        for key in self.all():
            if key.key_id == key_id:
                return key.private_key
        raise UnknownKeyError(f"no key of this issuer has the id {key_id!r}")

    def _load(self, name: str) -> IssuerKey:
        path = self.keys_dir / name
        try:
            with path.open("rb") as file:
                if stat.S_IMODE(os.fstat(file.fileno()).st_mode) & _GROUP_OR_OTHERS:
                    raise InsecureKeyFileError(
                        f"{path} is open to others: allow its owner only (chmod 600 {path})"
                    )
                pem = file.read()
        except OSError as error:
            raise UnreadableKeyError(f"{path} cannot be read: {error.strerror}") from None
        try:
            private_key = load_pem_private_key(pem, password=None)
        except (ValueError, TypeError):
            # Not chained: the library's message is not needed, and nothing of the file may leak.
            raise UnreadableKeyError(f"{path} is not an unencrypted PKCS8 PEM key") from None
        if not isinstance(private_key, Ed25519PrivateKey):
            raise UnreadableKeyError(f"{path} holds a key that is not Ed25519")
        public_key = private_key.public_key()
        return IssuerKey(encode_public_key(public_key), private_key, public_key, _created(path))

    def _write_new(self, name: str, private_key: Ed25519PrivateKey) -> None:
        pem = private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        # mkstemp makes the file 0600; a reader never sees it half written under its final name.
        fd, temporary = tempfile.mkstemp(dir=self.keys_dir, prefix=".new-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(pem)
                file.flush()
                os.fsync(file.fileno())
            # link, not replace: it is as atomic, and fails rather than overwrite an existing key.
            os.link(temporary, self.keys_dir / name)
        finally:
            os.unlink(temporary)
        _sync_folder(self.keys_dir)


def _created(path: Path) -> datetime:
    try:
        created = datetime.strptime(_KEY_FILE.fullmatch(path.name)["created"], _NAME_TIME)
    except ValueError:
        raise UnreadableKeyError(f"{path} is not named after a real creation time") from None
    return created.replace(tzinfo=UTC)


def _sync_folder(folder: Path) -> None:
    """Make the new name durable: a key lost in a crash would orphan what it signed."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
