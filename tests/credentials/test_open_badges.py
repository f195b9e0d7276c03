"""The Open Badge we build uses only defined terms and conforms; the structure check says why."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.credentials.linked_data import (
    OB_V3_CONTEXT,
    VC_V2_CONTEXT,
    check_terms,
    offline_document_loader,
)
from lms.credentials.open_badges import (
    CredentialContent,
    InvalidCredentialContentError,
    build_open_badge_credential,
    check_open_badge_structure,
)
from lms.credentials.status_list import status_entry

BASE_URL = "https://mafunzo.example"
REVOCATION_LIST = f"{BASE_URL}/status/revocation-1"
SUSPENSION_LIST = f"{BASE_URL}/status/suspension-1"
ISSUED_AT = datetime(2026, 3, 1, 12, tzinfo=UTC)
PROFILE = {"id": "did:web:mafunzo.example", "type": ["Profile"], "name": "Mafunzo", "url": BASE_URL}
SALT = "9f1c2e7a5b3d4c6e8f0a1b2c3d4e5f60"


def sample_content(**changes) -> CredentialContent:
    """A certificate for finishing a course, with every optional part filled in."""
    content = CredentialContent(
        credential_url=f"{BASE_URL}/credentials/Qm7x2vKp9sT4",
        achievement_url=f"{BASE_URL}/achievements/wikidata-basics",
        achievement_name="Misingi ya Wikidata — Wikidata basics",
        achievement_description="Creates and improves Wikidata items, with références.",
        criteria_narrative="Completed every module of *Wikidata basics* and its final quiz.",
        achievement_type="Certificate",
        image_url=f"{BASE_URL}/achievements/wikidata-basics/v1/image.png",
        subject_name="Amina Njeri",
        subject_email="amina@example.org",
        valid_from=ISSUED_AT,
        evidence=(
            ("Module 1: Items", "Completed on 2026-02-10."),
            ("Final quiz", "Passed on 2026-03-01 with 9 of 10."),
        ),
        status=(
            status_entry(REVOCATION_LIST, "revocation", 7),
            status_entry(SUSPENSION_LIST, "suspension", 7),
        ),
        language="sw",
    )
    return dataclasses.replace(content, **changes)


@pytest.fixture
def credential():
    return build_open_badge_credential(sample_content(), PROFILE, SALT)


def test_the_credential_says_what_open_badges_3_requires(credential):
    assert credential["@context"] == [VC_V2_CONTEXT, OB_V3_CONTEXT]
    assert credential["id"] == f"{BASE_URL}/credentials/Qm7x2vKp9sT4"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["name"] == "Misingi ya Wikidata — Wikidata basics"
    assert credential["issuer"] == PROFILE
    assert credential["validFrom"] == "2026-03-01T12:00:00Z"


def test_the_achievement_carries_its_criteria_type_image_and_language(credential):
    assert credential["credentialSubject"]["achievement"] == {
        "id": f"{BASE_URL}/achievements/wikidata-basics",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": "Misingi ya Wikidata — Wikidata basics",
        "description": "Creates and improves Wikidata items, with références.",
        "criteria": {
            "narrative": "Completed every module of *Wikidata basics* and its final quiz."
        },
        "image": {"id": f"{BASE_URL}/achievements/wikidata-basics/v1/image.png", "type": "Image"},
        "inLanguage": "sw",
    }


def test_the_learner_is_named_in_clear_and_their_email_only_salted_and_hashed(credential):
    subject = credential["credentialSubject"]
    expected_hash = hashlib.sha256(b"amina@example.org" + SALT.encode()).hexdigest()

    assert subject["type"] == ["AchievementSubject"]
    assert "id" not in subject
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": "Amina Njeri",
            "identityType": "name",
            "hashed": False,
        },
        {
            "type": "IdentityObject",
            "identityHash": f"sha256${expected_hash}",
            "identityType": "emailAddress",
            "hashed": True,
            "salt": SALT,
        },
    ]
    assert "amina@example.org" not in str(credential)


def test_without_an_email_only_the_name_identifies_the_learner():
    credential = build_open_badge_credential(sample_content(subject_email=None), PROFILE, SALT)

    [identifier] = credential["credentialSubject"]["identifier"]
    assert identifier["identityType"] == "name"
    assert SALT not in str(credential)


def test_evidence_lists_the_learning_facts(credential):
    assert credential["evidence"] == [
        {"type": ["Evidence"], "name": "Module 1: Items", "narrative": "Completed on 2026-02-10."},
        {
            "type": ["Evidence"],
            "name": "Final quiz",
            "narrative": "Passed on 2026-03-01 with 9 of 10.",
        },
    ]


def test_two_status_entries_are_a_list_and_one_is_a_single_object(credential):
    one = build_open_badge_credential(
        sample_content(status=(status_entry(REVOCATION_LIST, "revocation", 7),)), PROFILE, SALT
    )

    assert [entry["statusPurpose"] for entry in credential["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]
    assert one["credentialStatus"]["statusListCredential"] == REVOCATION_LIST


def test_optional_parts_left_out_are_absent():
    credential = build_open_badge_credential(
        sample_content(image_url=None, evidence=(), status=()), PROFILE, SALT
    )

    assert "image" not in credential["credentialSubject"]["achievement"]
    assert "evidence" not in credential
    assert "credentialStatus" not in credential
    assert check_open_badge_structure(credential) == []


@pytest.mark.parametrize(
    "content",
    [
        sample_content(),
        sample_content(subject_email=None, image_url=None, evidence=(), status=()),
        sample_content(achievement_type="Badge", language="pt-BR"),
    ],
    ids=["full", "minimal", "badge"],
)
def test_every_member_is_defined_by_the_two_contexts_and_the_structure_conforms(content):
    credential = build_open_badge_credential(content, PROFILE, SALT)

    check_terms(credential, offline_document_loader)
    assert check_open_badge_structure(credential) == []


@pytest.mark.parametrize(
    ("changes", "salt"),
    [
        ({"achievement_type": "Diploma"}, SALT),
        ({"achievement_type": "certificate"}, SALT),
        ({"subject_name": "  "}, SALT),
        ({"achievement_name": ""}, SALT),
        ({"achievement_description": ""}, SALT),
        ({"criteria_narrative": "\n"}, SALT),
        ({"language": "Kiswahili please"}, SALT),
        ({}, ""),
    ],
)
def test_content_open_badges_does_not_allow_is_refused_by_name(changes, salt):
    with pytest.raises(InvalidCredentialContentError):
        build_open_badge_credential(sample_content(**changes), PROFILE, salt)


def test_an_issuer_given_as_a_url_and_the_achievement_credential_alias_conform(credential):
    credential["issuer"] = "https://mafunzo.example/issuer"
    credential["type"] = ["VerifiableCredential", "AchievementCredential"]

    assert check_open_badge_structure(credential) == []


def _drop(*path):
    def change(document):
        *parents, name = path
        for parent in parents:
            document = document[parent]
        del document[name]

    return change


def _set(*path_and_value):
    *path, value = path_and_value

    def change(document):
        *parents, name = path
        for parent in parents:
            document = document[parent]
        document[name] = value

    return change


SUBJECT, ACHIEVEMENT = "credentialSubject", "achievement"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_drop("@context"), "@context"),
        (_set("@context", [OB_V3_CONTEXT, VC_V2_CONTEXT]), "@context"),
        (_set("@context", [VC_V2_CONTEXT]), "@context"),
        (_drop("id"), "id that is a URL"),
        (_set("type", ["VerifiableCredential"]), "OpenBadgeCredential"),
        (_set("type", "OpenBadgeCredential"), "VerifiableCredential"),
        (_set("name", 42), "name must be text"),
        (_drop("issuer", "id"), "issuer's id"),
        (_set("issuer", "type", ["Organisation"]), "Profile"),
        (_set("issuer", 42), "issuer must be"),
        (_drop("validFrom"), "validFrom"),
        (_set("validFrom", "1 March 2026"), "validFrom"),
        (_set("validUntil", "2027-03-01"), "validUntil"),
        (_set(SUBJECT, []), "one AchievementSubject"),
        (_set(SUBJECT, "type", ["Person"]), "AchievementSubject"),
        (_set(SUBJECT, "identifier", []), "id or at least one identifier"),
        (_set(SUBJECT, "identifier", {"type": "IdentityObject"}), "list of IdentityObjects"),
        (_set(SUBJECT, "identifier", 0, "type", "Identity"), "IdentityObject"),
        (_set(SUBJECT, "identifier", 0, "hashed", "no"), "true or false"),
        (_set(SUBJECT, "identifier", 1, "identityHash", "amina@example.org"), "sha256$"),
        (_drop(SUBJECT, "identifier", 0, "identityType"), "identityType"),
        (_set(SUBJECT, "identifier", 1, "salt", 7), "salt"),
        (_drop(SUBJECT, ACHIEVEMENT), "achievement object"),
        (_set(SUBJECT, ACHIEVEMENT, "id", "wikidata-basics"), "achievement's id"),
        (_set(SUBJECT, ACHIEVEMENT, "type", "Badge"), "Achievement"),
        (_drop(SUBJECT, ACHIEVEMENT, "name"), "name"),
        (_set(SUBJECT, ACHIEVEMENT, "description", ""), "description"),
        (_drop(SUBJECT, ACHIEVEMENT, "criteria"), "criteria"),
        (_set(SUBJECT, ACHIEVEMENT, "criteria", {}), "criteria"),
        (_set(SUBJECT, ACHIEVEMENT, "image", "https://mafunzo.example/i.png"), "Image"),
        (_set("evidence", 0, "type", "Proof"), "Evidence"),
        (_set("evidence", ["Passed"]), "Evidence"),
        (_set("credentialStatus", 0, "statusListIndex", 7), "numeric index"),
        (_set("credentialStatus", 1, "statusListIndex", "seven"), "numeric index"),
        (_set("credentialStatus", 0, "statusListCredential", "list-1"), "URL"),
        (_set("credentialStatus", ["revoked?"]), "credentialStatus entry"),
    ],
)
def test_each_missing_or_mistyped_member_is_named_in_plain_words(credential, change, words):
    change(credential)

    problems = check_open_badge_structure(credential)

    assert problems
    assert any(words in problem for problem in problems), problems


@pytest.mark.parametrize("document", [None, [], "credential", 42, True])
def test_something_that_is_not_an_object_is_not_a_credential(document):
    assert check_open_badge_structure(document) == ["The credential is not a JSON object."]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=10,
)
PATHS = [
    ("@context",),
    ("type",),
    ("issuer",),
    ("issuer", "type"),
    ("validFrom",),
    (SUBJECT,),
    (SUBJECT, "identifier"),
    (SUBJECT, "identifier", 0),
    (SUBJECT, ACHIEVEMENT),
    (SUBJECT, ACHIEVEMENT, "criteria"),
    (SUBJECT, ACHIEVEMENT, "image"),
    ("evidence",),
    ("credentialStatus",),
    ("credentialStatus", 1),
]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), value=JSON)
def test_any_value_anywhere_gives_a_list_of_problems_and_never_an_exception(
    credential, path, value
):
    document = copy.deepcopy(credential)
    _set(*path, value)(document)

    problems = check_open_badge_structure(document)

    assert isinstance(problems, list)
    assert all(isinstance(problem, str) and problem for problem in problems)
