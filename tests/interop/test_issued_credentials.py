"""Credentials issued through the application, checked by independent implementations as well as
ours: Digital Bazaar's stack resolves our did:web from our DID document and reads our signed
status lists; panva's jose checks the VC-JWT. Tampering, revocation, suspension and key rotation
come out the same on both sides."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key

from lms.credentials.dates import format_datetime, parse_datetime
from lms.credentials.errors import InvalidDateTimeError
from lms.credentials.issuing import status_list_url
from lms.credentials.local import signed_status_list, verification_context
from lms.credentials.signing import credential_jwt
from lms.credentials.verification import (
    FAILED,
    PASSED,
    VerificationReport,
    verify_credential_text,
)
from lms.services import build_services
from lms.settings import Settings
from tests.application.test_credentials import complete, definition, held, publish
from tests.factories import Clock, register

# Every member of a credential the application issues, at every depth, as a path of keys and
# indices; a test below keeps this list equal to what a real credential holds.
MEMBER_PATHS = [
    "@context.0",
    "@context.1",
    "id",
    "type.0",
    "type.1",
    "name",
    "issuer.id",
    "issuer.type.0",
    "issuer.name",
    "issuer.url",
    "validFrom",
    "credentialSubject.type.0",
    "credentialSubject.identifier.0.type",
    "credentialSubject.identifier.0.identityHash",
    "credentialSubject.identifier.0.identityType",
    "credentialSubject.identifier.0.hashed",
    "credentialSubject.achievement.id",
    "credentialSubject.achievement.type.0",
    "credentialSubject.achievement.achievementType",
    "credentialSubject.achievement.name",
    "credentialSubject.achievement.description",
    "credentialSubject.achievement.criteria.narrative",
    "credentialSubject.achievement.inLanguage",
    "credentialSubject.achievement.image.id",
    "credentialSubject.achievement.image.type",
    "evidence.0.type.0",
    "evidence.0.name",
    "evidence.0.narrative",
    *(
        f"credentialStatus.{n}.{member}"
        for n in (0, 1)
        for member in ("id", "type", "statusPurpose", "statusListIndex", "statusListCredential")
    ),
    "proof.type",
    "proof.cryptosuite",
    "proof.created",
    "proof.verificationMethod",
    "proof.proofPurpose",
    "proof.proofValue",
]


def settings_in(folder) -> Settings:
    return Settings(
        database_url=f"sqlite:///{folder / 'mafunzo.db'}",
        secret_key="test-secret",
        keys_dir=folder / "keys",
        instance_dir=folder,
        testing=True,
    )


class Deployment:
    """One deployment with a course and its achievement, issuing real credentials."""

    def __init__(self, services):
        self.services = services
        self.organiser = register(services, roles=("organiser",))[0]
        self.course_id = publish(services)
        services.caught_up(
            services.app.define_achievement(definition(self.course_id), self.organiser)
        )

    def issue(self):
        """A new learner completes the course; their credential as the read model holds it."""
        learner, _ = register(self.services)
        complete(self.services, learner, self.course_id)
        [credential] = held(self.services, learner)
        return credential

    def published(self, credential: dict[str, Any]) -> list[dict[str, Any]]:
        """What a verifier fetches for `credential`: our DID document and its status lists."""
        prefix = status_list_url(self.services.issuer.base_url, "")
        list_ids = [
            e["statusListCredential"].removeprefix(prefix) for e in credential["credentialStatus"]
        ]
        now = self.services.app.clock()
        lists = [signed_status_list(self.services, list_id, now) for list_id in list_ids]
        return [self.services.issuer.did_document(), *lists]

    def our_report(self, text: str) -> VerificationReport:
        return verify_credential_text(text, verification_context(self.services))


@pytest.fixture
def deployment(sqlite_settings):
    services = build_services(sqlite_settings)
    yield Deployment(services)
    services.close()


@pytest.fixture(scope="module")
def shared_deployment(tmp_path_factory):
    """For tests that only read: one deployment and one credential, issued once (so outside
    the per-test `sqlite_settings`)."""
    services = build_services(settings_in(tmp_path_factory.mktemp("deployment")))
    deployment = Deployment(services)
    yield deployment, json.loads(deployment.issue().document)
    services.close()


def their_verdict(node_tools, deployment: Deployment, credential: dict[str, Any]) -> dict:
    return node_tools.verify(credential, deployment.published(credential))


def public_jwk(deployment: Deployment, credential: dict[str, Any]) -> dict[str, str]:
    key = deployment.services.issuer.key_for(credential["proof"]["verificationMethod"])
    x = base64.urlsafe_b64encode(key.public_key.public_bytes_raw()).rstrip(b"=").decode()
    return {"kty": "OKP", "crv": "Ed25519", "x": x}


def outcome(report: VerificationReport, name: str) -> str:
    return next(check.outcome for check in report.checks if check.name == name)


def test_digital_bazaar_verifies_a_credential_we_issued_and_reads_its_status(
    node_tools, shared_deployment
):
    deployment, credential = shared_deployment

    assert their_verdict(node_tools, deployment, credential) == {
        "verified": True,
        "error": None,
        "status": {"revocation": False, "suspension": False},
    }
    report = deployment.our_report(json.dumps(credential))
    assert report.verified
    assert report.status == "active"


def test_jose_verifies_the_jwt_form_of_a_credential_we_issued(node_tools, shared_deployment):
    deployment, credential = shared_deployment
    token = credential_jwt(credential, deployment.services.issuer)

    result = node_tools.verify_jwt(token, public_jwk(deployment, credential))

    assert result["verified"], result["error"]
    assert result["header"]["kid"] == credential["proof"]["verificationMethod"]
    unsecured = {name: value for name, value in credential.items() if name != "proof"}
    assert {name: result["payload"][name] for name in unsecured} == unsecured
    assert deployment.our_report(token).verified


def forge_learner_name(credential):
    credential["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"


def forge_achievement_name(credential):
    credential["credentialSubject"]["achievement"]["name"] = "Wikidata grandmaster"


def forge_valid_from(credential):
    credential["validFrom"] = "2020-01-01T00:00:00Z"


FORGERIES = [forge_learner_name, forge_achievement_name, forge_valid_from]


@pytest.mark.parametrize("forge", FORGERIES)
def test_digital_bazaar_and_we_reject_a_tampered_credential(node_tools, shared_deployment, forge):
    deployment, credential = shared_deployment
    tampered = copy.deepcopy(credential)
    forge(tampered)

    verdict = their_verdict(node_tools, deployment, tampered)

    assert verdict["verified"] is False
    assert "Invalid signature" in verdict["error"]
    assert outcome(deployment.our_report(json.dumps(tampered)), "proof") == FAILED


@pytest.mark.parametrize("forge", FORGERIES)
def test_jose_and_we_reject_a_tampered_jwt(node_tools, shared_deployment, forge):
    deployment, credential = shared_deployment
    header, payload, signature = credential_jwt(credential, deployment.services.issuer).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forge(claims)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    token = f"{header}.{forged}.{signature}"

    verdict = node_tools.verify_jwt(token, public_jwk(deployment, credential))

    assert verdict["verified"] is False
    assert "signature verification failed" in verdict["error"]
    assert outcome(deployment.our_report(token), "proof") == FAILED


@pytest.mark.parametrize(
    ("change_status", "state", "bits"),
    [
        ("revoke_credential", "revoked", {"revocation": True, "suspension": False}),
        ("suspend_credential", "suspended", {"revocation": False, "suspension": True}),
    ],
)
def test_a_revoked_or_suspended_credential_is_reported_so_by_both(
    node_tools, deployment, change_status, state, bits
):
    held_credential = deployment.issue()
    services = deployment.services
    change = getattr(services.app, change_status)
    services.caught_up(change(held_credential.credential_id, "Under review", deployment.organiser))
    credential = json.loads(held_credential.document)

    report = deployment.our_report(held_credential.document)

    assert report.status == state
    assert not report.verified
    assert their_verdict(node_tools, deployment, credential)["status"] == bits


def test_after_a_key_rotation_old_and_new_credentials_verify_on_both_sides(node_tools, deployment):
    services = deployment.services
    old = json.loads(deployment.issue().document)
    old_key = services.issuer.keys.current()
    new_key = services.issuer.keys.rotate(services.app.clock())
    new = json.loads(deployment.issue().document)

    assert old["proof"]["verificationMethod"] == services.issuer.verification_method_id(old_key)
    assert new["proof"]["verificationMethod"] == services.issuer.verification_method_id(new_key)
    for credential in (old, new):
        assert deployment.our_report(json.dumps(credential)).verified
        assert their_verdict(node_tools, deployment, credential)["verified"] is True


def test_the_did_document_lists_every_key_in_the_keys_folder_for_issuing(deployment):
    services = deployment.services
    services.issuer.keys.rotate(services.app.clock())

    did_document = services.issuer.did_document()

    methods = {method["id"]: method for method in did_document["verificationMethod"]}
    assert did_document["assertionMethod"] == list(methods)
    published = {raw_public_key(m["publicKeyMultibase"]) for m in methods.values()}
    in_files = {
        load_pem_private_key(path.read_bytes(), password=None).public_key().public_bytes_raw()
        for path in services.settings.keys_dir.glob("*.pem")
    }
    assert len(in_files) == 2
    assert published == in_files


def raw_public_key(multikey: str) -> bytes:
    """The 32 key bytes of a `z6Mk…` Multikey: base58btc, after the ed25519-pub multicodec."""
    decoded = base58.b58decode(multikey.removeprefix("z"))
    assert multikey.startswith("z") and decoded[:2] == b"\xed\x01"
    return decoded[2:]


def test_the_member_paths_are_every_member_of_a_real_credential(shared_deployment):
    _deployment, credential = shared_deployment

    assert sorted(member_paths(credential)) == sorted(MEMBER_PATHS)


@pytest.mark.parametrize("path", MEMBER_PATHS)
def test_changing_any_member_of_a_real_credential_fails_our_verification(shared_deployment, path):
    deployment, credential = shared_deployment
    tampered = copy.deepcopy(credential)
    *parents, last = [int(key) if key.isdigit() else key for key in path.split(".")]
    container = tampered
    for key in parents:
        container = container[key]
    container[last] = changed(container[last])

    report = deployment.our_report(json.dumps(tampered))

    assert not report.verified
    assert outcome(report, "proof") != PASSED


def member_paths(node: Any, path: tuple = ()) -> list[str]:
    """Paths to every scalar in a JSON value, keys and indices joined by dots."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return [".".join(map(str, path))]
    return [found for key, value in items for found in member_paths(value, (*path, key))]


def changed(value: Any) -> Any:
    """The smallest believable change: a flipped flag, a date a second later, a letter."""
    if isinstance(value, bool):
        return not value
    try:
        return format_datetime(parse_datetime(value) + timedelta(seconds=1))
    except InvalidDateTimeError:
        return value[:-1] + ("b" if value[-1] == "a" else "a")


# A status list is signed while a verification runs, so after the moment the verification checks
# for; a list valid only from the next second would leave the status unknown.
JUST_BEFORE_A_SECOND = datetime(2026, 3, 1, 12, 0, 0, 999_000, tzinfo=UTC)


@pytest.fixture
def clock():
    return Clock(JUST_BEFORE_A_SECOND)


@pytest.fixture
def clocked_deployment(sqlite_settings, clock):
    services = build_services(sqlite_settings, clock=clock)
    yield Deployment(services)
    services.close()


def test_a_verification_just_before_the_second_turns_still_reads_the_status(
    clocked_deployment, clock
):
    document = clocked_deployment.issue().document
    context = verification_context(clocked_deployment.services)
    clock.advance(timedelta(milliseconds=2))

    report = verify_credential_text(document, context)

    assert report.status == "active"


def test_a_list_signed_for_a_later_verification_does_not_fail_an_earlier_one(
    clocked_deployment, clock
):
    document = clocked_deployment.issue().document
    earlier = verification_context(clocked_deployment.services)
    clock.advance(timedelta(milliseconds=2))
    later = verification_context(clocked_deployment.services)

    reports = [verify_credential_text(document, context) for context in (later, earlier)]

    assert [report.status for report in reports] == ["active", "active"]
