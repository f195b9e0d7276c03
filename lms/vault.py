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
        ciphertext = AESGCM(self._key(person_id, create=True)).encrypt(
            nonce, plaintext, person_id.bytes
        )
        return base64.urlsafe_b64encode(nonce + ciphertext).decode()

    def unseal(self, person_id: UUID, sealed: str) -> dict | None:
        """The data, or None once the person has been forgotten."""

        key = self._key(person_id, create=False)
        if key is None:
            return None
        raw = base64.urlsafe_b64decode(sealed)
        try:
            return json.loads(AESGCM(key).decrypt(raw[:12], raw[12:], person_id.bytes))
        except InvalidTag:
            return None

    def forget(self, person_id: UUID) -> None:
        with self.engine.begin() as conn:
            conn.execute(person_keys.delete().where(person_keys.c.person_id == person_id))

    def _key(self, person_id: UUID, create: bool) -> bytes | None:
        with self.engine.begin() as conn:
            key = conn.execute(
                select(person_keys.c.key).where(person_keys.c.person_id == person_id)
            ).scalar()
            if key is None and create:
                key = AESGCM.generate_key(bit_length=256)
                conn.execute(person_keys.insert().values(person_id=person_id, key=key))
            return key
