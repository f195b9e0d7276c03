"""The rules of accounts, told without Flask or SQL: what people may type, roles, reset links,
and being forgotten."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import (
    InvalidDisplayNameError,
    InvalidEmailError,
    InvalidLanguageError,
    InvalidPasswordError,
    InvalidUsernameError,
    OwnAdminRoleError,
    PasswordIsUsernameError,
    PersonForgottenError,
    ResetLinkExpiredError,
    ResetLinkNotFoundError,
    ResetLinkUsedError,
    UnknownRoleError,
)
from domain.people import (
    Person,
    Profile,
    check_password,
    normalise_username,
    reset_token_digest,
    username_id_for,
)

AT = datetime(2026, 5, 3, 18, 0, tzinfo=UTC)
LATER = AT + timedelta(hours=1)
ADMIN = uuid4()


@pytest.fixture
def person() -> Person:
    p = Person(uuid4(), "sealed", ("learner",), AT)
    p.collect_events()
    return p


def names(person: Person) -> list[str]:
    return [type(e).__name__ for e in person.collect_events()]


# --- what people type ----------------------------------------------------------------------


def test_usernames_are_the_same_whatever_their_case_or_surrounding_spaces():
    assert normalise_username("  Zawadi.K ") == "zawadi.k"
    assert username_id_for("ZAWADI_k") == username_id_for("zawadi_K")


@pytest.mark.parametrize("good", ["abc", "a" * 40, "Zawadi.K-2_x", "Ñandú"])
def test_usernames_of_letters_digits_dots_dashes_and_underscores_are_accepted(good):
    normalise_username(good)


@pytest.mark.parametrize("bad", ["", "ab", "a" * 41, "has space", "semi;colon", "<b>", "a@b.c"])
def test_other_usernames_are_refused(bad):
    with pytest.raises(InvalidUsernameError):
        normalise_username(bad)


def test_a_display_name_is_trimmed_and_kept_as_written():
    assert Profile.of("  Amina Njeri ", "en").display_name == "Amina Njeri"
    assert Profile.of("سارة", "en").display_name == "سارة"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 81, "Amina\nNjeri", "Amina\x00", "a\u2028b"])
def test_display_names_empty_too_long_or_with_control_characters_are_refused(bad):
    with pytest.raises(InvalidDisplayNameError):
        Profile.of(bad, "en")


def test_an_email_is_optional_and_an_empty_one_means_none():
    assert Profile.of("Amina", "en", "").email is None
    assert Profile.of("Amina", "en", None).email is None
    assert Profile.of("Amina", "en", " amina@example.org ").email == "amina@example.org"


@pytest.mark.parametrize(
    "bad", ["amina", "amina@", "@example.org", "a b@example.org", "a@b", "a\x00@example.org"]
)
def test_emails_that_do_not_look_like_one_are_refused(bad):
    with pytest.raises(InvalidEmailError):
        Profile.of("Amina", "en", bad)


def test_an_email_longer_than_254_characters_is_refused():
    with pytest.raises(InvalidEmailError):
        Profile.of("Amina", "en", "a" * 250 + "@example.org")


@pytest.mark.parametrize("bad", ["", "english", "EN", "e", "en_US", "../../etc"])
def test_a_language_must_look_like_a_language_tag(bad):
    with pytest.raises(InvalidLanguageError):
        Profile.of("Amina", bad)


@pytest.mark.parametrize("bad", ["short", "x" * 201, ""])
def test_passwords_are_10_to_200_characters(bad):
    with pytest.raises(InvalidPasswordError):
        check_password(bad, "amina")
    check_password("x" * 10, "amina")
    check_password("x" * 200, "amina")


def test_a_password_cannot_be_the_username_in_any_case():
    with pytest.raises(PasswordIsUsernameError):
        check_password("Zawadi.Kenya", "zawadi.kenya")


# --- roles ---------------------------------------------------------------------------------


def test_roles_always_include_learner_and_come_in_their_usual_order(person):
    person.change_roles(("admin", "mentor"), ADMIN, AT)
    assert person.roles == ("learner", "mentor", "admin")
    assert names(person) == ["RolesChanged"]


def test_giving_the_same_roles_again_records_nothing(person):
    person.change_roles(("mentor",), ADMIN, AT)
    person.collect_events()
    person.change_roles(("learner", "mentor"), ADMIN, AT)
    assert names(person) == []


def test_unknown_roles_are_refused(person):
    with pytest.raises(UnknownRoleError):
        person.change_roles(("mentor", "superuser"), ADMIN, AT)
    assert names(person) == []


def test_an_admin_cannot_take_their_own_admin_role_away(person):
    person.change_roles(("admin",), ADMIN, AT)
    with pytest.raises(OwnAdminRoleError):
        person.change_roles(("mentor",), person.id, AT)
    person.change_roles(("mentor",), ADMIN, AT)  # another admin can
    assert "admin" not in person.roles


# --- password reset links ------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_once(person):
    digest = reset_token_digest("token")
    person.issue_password_reset(digest, AT + timedelta(hours=24), ADMIN, AT)
    person.reset_password("sealed-new", digest, LATER)
    assert names(person) == ["PasswordResetIssued", "PasswordReset"]
    with pytest.raises(ResetLinkUsedError):
        person.reset_password("sealed-again", digest, LATER)


def test_a_reset_link_expires(person):
    digest = reset_token_digest("token")
    person.issue_password_reset(digest, AT + timedelta(hours=24), ADMIN, AT)
    with pytest.raises(ResetLinkExpiredError):
        person.reset_password("sealed", digest, AT + timedelta(hours=24))


def test_an_unknown_reset_link_is_refused(person):
    with pytest.raises(ResetLinkNotFoundError):
        person.reset_password("sealed", reset_token_digest("guess"), AT)


def test_a_newer_reset_link_or_a_password_change_replaces_the_open_one(person):
    first, second = reset_token_digest("first"), reset_token_digest("second")
    person.issue_password_reset(first, AT + timedelta(hours=24), ADMIN, AT)
    person.issue_password_reset(second, AT + timedelta(hours=24), ADMIN, AT)
    with pytest.raises(ResetLinkUsedError):
        person.reset_password("sealed", first, LATER)
    person.change_password("sealed", LATER)
    with pytest.raises(ResetLinkUsedError):
        person.reset_password("sealed", second, LATER)


def test_the_log_keeps_only_the_digest_of_a_reset_token(person):
    digest = reset_token_digest("the-token")
    person.issue_password_reset(digest, AT + timedelta(hours=24), ADMIN, AT)
    (issued,) = person.collect_events()
    assert issued.token_digest == digest != "the-token"
    assert len(digest) == 64


# --- being forgotten -----------------------------------------------------------------------


def test_a_forgotten_person_can_change_nothing_more(person):
    person.forget(AT)
    person.forget(LATER)
    assert names(person) == ["Forgotten"]
    for change in (
        lambda: person.change_profile("sealed", LATER),
        lambda: person.change_password("sealed", LATER),
        lambda: person.change_roles(("mentor",), ADMIN, LATER),
        lambda: person.issue_password_reset("d", LATER, ADMIN, LATER),
    ):
        with pytest.raises(PersonForgottenError):
            change()
    assert names(person) == []
