"""Crypto-shredding vault: personal data sealed with AES-GCM under one key per person."""

from __future__ import annotations

import base64
import json
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, Engine, LargeBinary, MetaData, Table, Uuid, select

# Kept apart from the read models: keys are not rebuildable, and projections rebuild freely.
vault_metadata = MetaData()
person_keys = Table(
    "person_keys",
    vault_metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("key", LargeBinary(32), nullable=False),
)


class PersonalDataVault:
    """Seals with a key per person; `forget` destroys the key, so the sealed events go dark."""

    def __init__(self, engine: Engine):
        self.engine = engine
        vault_metadata.create_all(engine)

    def seal(self, person_id: UUID, data: dict) -> str:
        nonce = os.urandom(12)
        plaintext = json.dumps(data, sort_keys=True).encode()
        key = self._keys([person_id]).get(person_id) or self._new_key(person_id)
        ciphertext = AESGCM(key).encrypt(nonce, plaintext, person_id.bytes)
        return base64.urlsafe_b64encode(nonce + ciphertext).decode()

    def unseal_all(self, sealed: dict[UUID, str]) -> dict[UUID, dict]:
        """The data of everyone not forgotten, with one key look-up for the lot."""
        keys = self._keys(list(sealed))
        opened = {p: _open(keys[p], p, token) for p, token in sealed.items() if p in keys}
        return {p: data for p, data in opened.items() if data is not None}

    def forget(self, person_id: UUID) -> None:
        with self.engine.begin() as conn:
            conn.execute(person_keys.delete().where(person_keys.c.person_id == person_id))

    def _keys(self, person_ids: list[UUID]) -> dict[UUID, bytes]:
        if not person_ids:
            return {}
        with self.engine.connect() as conn:
            found = conn.execute(
                select(person_keys.c.person_id, person_keys.c.key).where(
                    person_keys.c.person_id.in_(person_ids)
                )
            )
            return dict(found.all())

    def _new_key(self, person_id: UUID) -> bytes:
        key = AESGCM.generate_key(bit_length=256)
        with self.engine.begin() as conn:
            conn.execute(person_keys.insert().values(person_id=person_id, key=key))
        return key


def _open(key: bytes, person_id: UUID, token: str) -> dict | None:
    raw = base64.urlsafe_b64decode(token)
    try:
        return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], person_id.bytes))
    except InvalidTag:
        return None  # sealed under a key that was destroyed and replaced since
