"""Course versions: publishing changed content makes a version, the same content nothing."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain.courses import Course, course_id_for
from domain.errors import InvalidContentError
from tests.domain.test_enrolments import course

AT = datetime(2026, 5, 3, tzinfo=UTC)


def test_publishing_the_same_content_twice_makes_one_version():
    c = Course("c", None, AT)
    assert c.publish(course(), None, AT) is True
    assert c.publish(course(), None, AT) is False
    assert c.current_version == 1


def test_changed_content_is_a_new_version_and_old_versions_stay_readable():
    c = Course("c", None, AT)
    c.publish(course(), None, AT)
    changed = replace(course(), title="C, revised")
    c.publish(changed, None, AT)
    assert c.current_version == 2
    assert c.content(1).title == "C"
    assert c.content(2).title == "C, revised"


def test_a_course_id_is_derived_from_its_slug():
    assert Course("c", None, AT).id == course_id_for("c")


def test_content_without_modules_or_for_another_slug_is_refused():
    c = Course("c", None, AT)
    with pytest.raises(InvalidContentError):
        c.publish(replace(course(), modules=()), None, AT)
    with pytest.raises(InvalidContentError):
        c.publish(replace(course(), slug="other"), None, AT)
    assert c.current_version == 0
