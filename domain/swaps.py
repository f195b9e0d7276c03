"""Skill swaps: "I teach you X, you teach me Y", two linked mentorships once accepted."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import NotAllowedError, SwapMismatchError, SwapNotPendingError
from domain.skill_profiles import Resolver, SkillProfile
from domain.skills import Skill


def check_reciprocal(
    proposer: SkillProfile,
    partner: SkillProfile,
    teaches: Skill,
    learns: Skill,
    vocabulary: Resolver,
) -> None:
    """The proposer offers what the partner needs and needs what the partner offers."""
    partner.check_offers(learns, vocabulary)
    if (
        teaches.name == learns.name
        or teaches.name not in proposer.offered(vocabulary)
        or teaches.name not in partner.needed(vocabulary)
        or learns.name not in proposer.needed(vocabulary)
    ):
        raise SwapMismatchError(teaches.name, learns.name)


class Swap(Aggregate):
    """A proposed exchange of skills between two people.

    Accepting it starts two mentorships; the swap is completed, a fact worth recognising,
    once each of them has a confirmed session.
    """

    TOPIC = "mafunzo.Swap"

    class Created(Aggregate.Created):  # base of Proposed; the library wants every topic named
        TOPIC = "mafunzo.Swap.Created"

    @event("Proposed", topic="mafunzo.Swap.Proposed")
    def __init__(
        self,
        proposer_id: UUID,
        partner_id: UUID,
        proposer_teaches: str,
        partner_teaches: str,
        sealed_message: str | None,
        at: datetime,
    ):
        self.proposer_id = proposer_id
        self.partner_id = partner_id
        self.proposer_teaches = proposer_teaches
        self.partner_teaches = partner_teaches
        self.status = "proposed"
        self.sides: dict[UUID, bool] = {}  # mentorship → has a confirmed session

    def accept(self, by: UUID, proposer_mentors: UUID, partner_mentors: UUID, at: datetime) -> None:
        """Only the partner accepts; the two mentorships are saved with the swap."""
        self.check_is_partner(by)
        self.check_is_pending()
        self._accept(by, proposer_mentors, partner_mentors, at)

    def decline(self, sealed_reason: str, by: UUID, at: datetime) -> None:
        self.check_is_partner(by)
        self.check_is_pending()
        self._decline(sealed_reason, by, at)

    def confirm_side(self, mentorship_id: UUID, at: datetime) -> None:
        """Note a side's first confirmed session; with both sides done, the swap is completed."""
        if self.sides.get(mentorship_id) is not False:
            return
        self._confirm_side(mentorship_id, at)
        if all(self.sides.values()):
            self._complete(self.proposer_id, self.partner_id, at)

    def check_is_partner(self, by: UUID) -> None:
        if by != self.partner_id:
            raise NotAllowedError(by)

    def check_is_pending(self) -> None:
        if self.status != "proposed":
            raise SwapNotPendingError(self.id)

    @event("Accepted", topic="mafunzo.Swap.Accepted")
    def _accept(
        self, by: UUID, proposer_mentors: UUID, partner_mentors: UUID, at: datetime
    ) -> None:
        self.status = "accepted"
        self.sides = {proposer_mentors: False, partner_mentors: False}

    @event("Declined", topic="mafunzo.Swap.Declined")
    def _decline(self, sealed_reason: str, by: UUID, at: datetime) -> None:
        self.status = "declined"

    @event("FirstSessionConfirmed", topic="mafunzo.Swap.FirstSessionConfirmed")
    def _confirm_side(self, mentorship_id: UUID, at: datetime) -> None:
        self.sides[mentorship_id] = True

    @event("Completed", topic="mafunzo.Swap.Completed")
    def _complete(self, proposer_id: UUID, partner_id: UUID, at: datetime) -> None:
        self.status = "completed"
