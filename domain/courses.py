"""The Course aggregate: a slugged course whose content is published in immutable versions."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.content import CourseContent
from domain.errors import CourseVersionNotFoundError, InvalidContentError
from domain.translations import CourseTranslation

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
        # (version, language) → the latest translation, and the digest of each revision.
        self.translations: dict[tuple[int, str], dict] = {}
        self.translation_digests: dict[tuple[int, str], list[str]] = {}

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

    # --- translations: each of one version, into one language, in revisions ---------------

    def publish_translation(
        self, version: int, translation: CourseTranslation, by: UUID | None, at: datetime
    ) -> bool:
        """Publish a revision of a version's translation; the latest one again publishes
        nothing. A new version starts with no translation: each translates what it was made
        from."""
        self.check_has_version(version)
        translation.check_translates(self.content(version))
        key, digest = (version, translation.language), translation.digest()
        revisions = self.translation_digests.get(key, [])
        if revisions and revisions[-1] == digest:
            return False
        self._publish_translation(
            version, translation.language, len(revisions) + 1, translation.to_dict(), digest, by, at
        )
        return True

    def check_has_version(self, version: int) -> None:
        if type(version) is not int or not 1 <= version <= self.current_version:
            raise CourseVersionNotFoundError(version)

    def translation(self, version: int, language: str) -> CourseTranslation | None:
        found = self.translations.get((version, language))
        return CourseTranslation.from_dict(found) if found is not None else None

    def translation_revision(self, version: int, language: str) -> int:
        """How many revisions the translation has had; 0 when there is none."""
        return len(self.translation_digests.get((version, language), ()))

    @event("TranslationPublished", topic="mafunzo.Course.TranslationPublished")
    def _publish_translation(
        self,
        version: int,
        language: str,
        revision: int,
        content: dict,
        digest: str,
        by: UUID | None,
        at: datetime,
    ) -> None:
        self.translations[(version, language)] = content
        self.translation_digests.setdefault((version, language), []).append(digest)
