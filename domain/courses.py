"""The Course aggregate: a slugged course whose content is published in immutable versions."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.content import CourseContent
from domain.errors import InvalidContentError

COURSE_NAMESPACE = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/course")


def course_id_for(slug: str) -> UUID:
    """One course per slug: the id is derived from it, so a second create conflicts."""
    return uuid5(COURSE_NAMESPACE, slug)


class Course(Aggregate):
    TOPIC = "mafunzo.Course"

    @staticmethod
    def create_id(slug: str, by: UUID | None, at: datetime) -> UUID:
        return course_id_for(slug)

    @event("Created", topic="mafunzo.Course.Created")
    def __init__(self, slug: str, by: UUID | None, at: datetime):
        self.slug = slug
        self.versions: list[dict] = []
        self.digests: list[str] = []

    @property
    def current_version(self) -> int:
        return len(self.versions)

    def content(self, version: int | None = None) -> CourseContent:
        return CourseContent.from_dict(self.versions[(version or self.current_version) - 1])

    def is_published(self) -> bool:
        return bool(self.versions)

    def publish(self, content: CourseContent, by: UUID | None, at: datetime) -> bool:
        """Publish content as a new version; identical content publishes nothing."""
        self.check_content_is_valid(content)
        digest = content.digest()
        if self.digests and self.digests[-1] == digest:
            return False
        self._publish_version(self.current_version + 1, content.to_dict(), digest, by, at)
        return True

    def check_content_is_valid(self, content: CourseContent) -> None:
        if content.slug != self.slug:
            raise InvalidContentError(f"content for {content.slug!r} published to {self.slug!r}")
        if not content.modules or not all(m.slides for m in content.modules):
            raise InvalidContentError("a course needs modules, and every module slides")

    @event("VersionPublished", topic="mafunzo.Course.VersionPublished")
    def _publish_version(
        self, version: int, content: dict, digest: str, by: UUID | None, at: datetime
    ) -> None:
        self.versions.append(content)
        self.digests.append(digest)
