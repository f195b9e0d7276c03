"""Opening the sealed personal data of a batch of events with the vault."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from uuid import UUID

from domain.people import PersonalDataVault


def unseal_batch(
    vault: PersonalDataVault,
    events: Sequence,
    sealed_of: Callable[[object], tuple[UUID, str] | None],
) -> dict[int, dict]:
    """Each sealed event's data by its index in `events`; the forgotten's are absent.

    `sealed_of(event)` gives (person id, sealed value), or None for an event that seals
    nothing. The vault opens one value per person per call, so a person's second sealed
    event in a batch goes in a second call.
    """
    rounds: list[dict[UUID, tuple[int, str]]] = []
    seen: Counter[UUID] = Counter()
    for index, e in enumerate(events):
        found = sealed_of(e)
        if found is None:
            continue
        person_id, token = found
        n = seen[person_id]
        seen[person_id] += 1
        if n == len(rounds):
            rounds.append({})
        rounds[n][person_id] = (index, token)
    opened: dict[int, dict] = {}
    for sealed in rounds:
        data = vault.unseal_all({p: token for p, (_, token) in sealed.items()})
        opened.update({sealed[p][0]: found for p, found in data.items()})
    return opened
