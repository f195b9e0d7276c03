"""The verifier reports each check honestly: a credential we issue verifies in both formats, any
change fails, revocation and suspension are told apart, and hostile input gets a report."""

from __future__ import annotations

import base64
import copy
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.credentials.data_integrity import add_proof
from lms.credentials.did_documents import did_document
from lms.credentials.jwt import encode_jwt
from lms.credentials.multikey import did_key, did_key_verification_method, encode_public_key
from lms.credentials.open_badges import build_open_badge_credential
from lms.credentials.signing import credential_jwt, sign_credential
from lms.credentials.status_list import status_list_credential
from lms.credentials.verification import (
    MAX_CREDENTIAL_LENGTH,
    VerificationContext,
    VerificationReport,
    offline_did_resolver,
    verify_credential_bytes,
    verify_credential_text,
)
from tests.credentials.samples import issuer_key, open_badge_credential
from tests.credentials.test_issuer import FIRST_RUN, issuer  # noqa: F401 - fixture
from tests.credentials.test_open_badges import (
    PROFILE,
    REVOCATION_LIST,
    SALT,
    SUSPENSION_LIST,
    sample_content,
)

ISSUED_AT = FIRST_RUN + timedelta(minutes=5)
NOW = ISSUED_AT + timedelta(days=30)
CHECK_NAMES = ["format", "proof", "issuer_key", "issuer", "dates", "status", "structure"]


class StatusLists:
    """The issuer's two published lists, re-signed whenever a bit changes, as the site serves."""

    def __init__(self, issuer):
        self.issuer = issuer
        self.set_bits = {REVOCATION_LIST: set(), SUSPENSION_LIST: set()}
        self.served = {}
        for url in self.set_bits:
            self.publish(url)

    def publish(self, url):
        purpose = "revocation" if url == REVOCATION_LIST else "suspension"
        unsigned = status_list_credential(
            url, purpose, self.set_bits[url], self.issuer.profile(), ISSUED_AT
        )
        self.served[url] = sign_credential(unsigned, self.issuer, ISSUED_AT)

    def set(self, url, index, on=True):
        (self.set_bits[url].add if on else self.set_bits[url].discard)(index)
        self.publish(url)

    def __call__(self, url):
        return self.served.get(url)


@pytest.fixture
def status_lists(issuer):
    return StatusLists(issuer)


@pytest.fixture
def context(issuer, status_lists):
    return VerificationContext(offline_did_resolver(issuer), status_lists, NOW)


def issue(issuer, **changes):
    document = build_open_badge_credential(sample_content(**changes), issuer.profile(), SALT)
    return sign_credential(document, issuer, ISSUED_AT)


@pytest.fixture
def signed(issuer):
    return issue(issuer)


def outcomes(report: VerificationReport) -> dict[str, str]:
    return {check.name: check.outcome for check in report.checks}


def message(report: VerificationReport, name: str) -> str:
    return next(str(check.message) for check in report.checks if check.name == name)


def verify(document, context):
    return verify_credential_text(json.dumps(document, ensure_ascii=False), context)


def test_a_credential_we_issued_verifies_with_every_check_passed(signed, context):
    report = verify(signed, context)

    assert report.verified
    assert [check.name for check in report.checks] == CHECK_NAMES
    assert set(outcomes(report).values()) == {"passed"}
    assert (report.format, report.status) == ("json", "active")
    assert report.credential == signed


def test_its_jwt_form_verifies_with_the_same_checks(signed, issuer, context):
    report = verify_credential_text(credential_jwt(signed, issuer), context)

    assert report.verified
    assert set(outcomes(report).values()) == {"passed"}
    assert (report.format, report.status) == ("jwt", "active")
    assert report.credential == {name: value for name, value in signed.items() if name != "proof"}


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_a_file_holding_either_form_verifies(signed, issuer, context, form):
    text = json.dumps(signed) if form == "json" else credential_jwt(signed, issuer)

    report = verify_credential_bytes(text.encode("utf-8"), context)

    assert report.verified
    assert report.format == form


def test_every_check_explains_itself_in_words_without_an_app_context(signed, context):
    for report in (verify(signed, context), verify_credential_text("nonsense", context)):
        assert all(len(str(check.message)) > 10 for check in report.checks)


def leaf_paths(node, path=()):
    """The path to every scalar in a document, at every depth."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in leaf_paths(value, (*path, key))]
    if isinstance(node, list):
        return [p for i, value in enumerate(node) for p in leaf_paths(value, (*path, i))]
    return [path]


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, str) and value[-1:].isdigit():
        return value[:-1] + str((int(value[-1]) + 1) % 10)
    return value + "x"


SAMPLE_PATHS = leaf_paths(build_open_badge_credential(sample_content(), PROFILE, SALT))
PROOF_PATHS = [("proof", name) for name in ("type", "cryptosuite", "created", "proofPurpose")]


@pytest.mark.parametrize("path", SAMPLE_PATHS + PROOF_PATHS, ids=str)
def test_changing_any_member_at_any_depth_fails_the_proof(signed, context, path):
    target = signed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = changed(target[path[-1]])

    report = verify(signed, context)

    assert not report.verified
    assert outcomes(report)["proof"] == "failed"


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=str)
def test_changing_any_member_of_the_jwt_payload_fails_the_proof(signed, issuer, context, path):
    header, payload, signature = credential_jwt(signed, issuer).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    target = claims
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = changed(target[path[-1]])
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    report = verify_credential_text(f"{header}.{forged}.{signature}", context)

    assert not report.verified
    assert outcomes(report)["proof"] == "failed"


@pytest.mark.parametrize("member", ["name", "validFrom", "evidence", "credentialStatus", "issuer"])
def test_removing_a_signed_member_fails(signed, context, member):
    del signed[member]

    assert not verify(signed, context).verified


def test_adding_a_member_fails_the_proof(signed, context):
    signed["description"] = "Added after signing."

    assert outcomes(verify(signed, context))["proof"] == "failed"


def test_a_changed_signature_fails_the_proof(signed, issuer, context):
    token = credential_jwt(signed, issuer)
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]

    report = verify_credential_text(flipped, context)

    assert outcomes(report)["proof"] == "failed"
    assert not report.verified


def test_an_unknown_context_fails_closed(signed, context):
    signed["@context"].append("https://example.org/extra-terms.jsonld")

    report = verify(signed, context)

    assert not report.verified
    assert outcomes(report)["proof"] == "failed"
    assert "never fetched" in message(report, "proof")


def test_revoked_and_suspended_are_reported_apart(signed, context, status_lists):
    status_lists.set(SUSPENSION_LIST, 7)
    suspended = verify(signed, context)
    status_lists.set(SUSPENSION_LIST, 7, on=False)
    reinstated = verify(signed, context)
    status_lists.set(REVOCATION_LIST, 7)
    revoked = verify(signed, context)

    assert (suspended.status, outcomes(suspended)["status"]) == ("suspended", "failed")
    assert "suspended" in message(suspended, "status")
    assert (reinstated.status, reinstated.verified) == ("active", True)
    assert (revoked.status, outcomes(revoked)["status"]) == ("revoked", "failed")
    assert "revoked" in message(revoked, "status")
    assert not suspended.verified
    assert not revoked.verified


def test_revocation_is_reported_even_when_the_other_list_is_missing(signed, issuer, status_lists):
    status_lists.set(REVOCATION_LIST, 7)
    lists = {REVOCATION_LIST: status_lists(REVOCATION_LIST)}
    context = VerificationContext(offline_did_resolver(issuer), lists.get, NOW)

    assert verify(signed, context).status == "revoked"


def test_other_credentials_on_the_same_list_are_not_affected(issuer, context, status_lists):
    status_lists.set(REVOCATION_LIST, 8)

    assert verify(issue(issuer), context).status == "active"


def forged_list(status_lists, url, change):
    forged = copy.deepcopy(status_lists(url))
    change(forged)
    return forged


def resign_with(key, method):
    def change(document):
        del document["proof"]
        document.update(add_proof(document, key, method, ISSUED_AT))

    return change


STRANGER = Ed25519PrivateKey.generate()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["credentialSubject"].update(encodedList="uH4sI"), "signature"),
        (resign_with(STRANGER, did_key_verification_method(STRANGER.public_key())), "signature"),
        (lambda d: d.update(issuer=did_key(STRANGER.public_key())), "issuer"),
        (lambda d: d.update(id=SUSPENSION_LIST), "not the one named"),
        (lambda d: d.clear(), "not the one named"),
    ],
    ids=["tampered-bits", "signed-by-a-stranger", "other-issuer", "other-list", "empty"],
)
def test_a_status_list_that_cannot_be_trusted_leaves_the_status_unknown(
    signed, issuer, status_lists, change, words
):
    status_lists.set(REVOCATION_LIST, 7)
    lists = {
        REVOCATION_LIST: forged_list(status_lists, REVOCATION_LIST, change),
        SUSPENSION_LIST: status_lists(SUSPENSION_LIST),
    }
    context = VerificationContext(offline_did_resolver(issuer), lists.get, NOW)

    report = verify(signed, context)

    assert (report.status, outcomes(report)["status"]) == ("unknown", "not_checked")
    assert words in message(report, "status")


def test_a_list_for_the_wrong_purpose_leaves_the_status_unknown(signed, issuer, status_lists):
    lists = {REVOCATION_LIST: status_lists(SUSPENSION_LIST)}
    lists[SUSPENSION_LIST] = status_lists(SUSPENSION_LIST)
    context = VerificationContext(offline_did_resolver(issuer), lists.get, NOW)

    assert verify(signed, context).status == "unknown"


def test_an_unavailable_status_list_is_not_checked_and_says_so(signed, issuer):
    context = VerificationContext(offline_did_resolver(issuer), lambda url: None, NOW)

    report = verify(signed, context)

    assert (report.status, outcomes(report)["status"]) == ("unknown", "not_checked")
    assert REVOCATION_LIST in message(report, "status")
    assert report.verified, "the status is honestly unknown; every required check passed"


def test_credentials_signed_before_a_rotation_still_verify(signed, issuer, context):
    issuer.keys.rotate(ISSUED_AT + timedelta(days=1))
    newer = issue(issuer)

    assert verify(signed, context).verified
    assert verify(newer, context).verified
    assert newer["proof"]["verificationMethod"] != signed["proof"]["verificationMethod"]


def test_a_key_the_issuer_does_not_list_for_issuing_fails_issuer_key_only(signed, issuer):
    published = issuer.did_document()
    published["assertionMethod"] = []
    context = VerificationContext(
        lambda did: published if did == issuer.did else None, StatusLists(issuer), NOW
    )

    report = verify(signed, context)

    assert outcomes(report)["proof"] == "passed"
    assert outcomes(report)["issuer_key"] == "failed"
    assert not report.verified


def test_a_strangers_signature_on_our_issuers_name_fails_issuer_key(issuer, context):
    document = build_open_badge_credential(sample_content(), issuer.profile(), SALT)
    forged = add_proof(
        document, STRANGER, did_key_verification_method(STRANGER.public_key()), ISSUED_AT
    )

    report = verify(forged, context)

    assert outcomes(report)["proof"] == "passed"
    assert outcomes(report)["issuer_key"] == "failed"
    assert not report.verified


def test_a_jwt_whose_kid_is_not_the_issuers_fails_issuer_key(signed, context):
    unsecured = {name: value for name, value in signed.items() if name != "proof"}
    token = encode_jwt(unsecured, STRANGER, did_key_verification_method(STRANGER.public_key()))

    report = verify_credential_text(token, context)

    assert outcomes(report)["proof"] == "passed"
    assert outcomes(report)["issuer_key"] == "failed"
    assert not report.verified


def test_an_issuer_that_cannot_be_resolved_fails_closed(context):
    key = Ed25519PrivateKey.generate()
    elsewhere = "did:web:elsewhere.example"
    document = build_open_badge_credential(
        sample_content(status=()), {"id": elsewhere, "type": ["Profile"]}, SALT
    )
    signed = add_proof(document, key, f"{elsewhere}#{encode_public_key(key.public_key())}", NOW)

    report = verify(signed, context)

    assert outcomes(report)["issuer"] == "failed"
    assert outcomes(report)["proof"] == "not_checked"
    assert elsewhere in message(report, "issuer")
    assert not report.verified


def test_a_did_key_issuer_resolves_offline(context):
    credential = open_badge_credential(did_key(issuer_key().public_key()))
    method = did_key_verification_method(issuer_key().public_key())
    signed = add_proof(credential, issuer_key(), method, ISSUED_AT)

    report = verify(signed, context)

    assert report.verified
    assert outcomes(report)["issuer"] == "passed"
    assert (outcomes(report)["status"], report.status) == ("not_checked", "unknown")


def test_a_relative_method_in_a_did_document_is_understood(signed, issuer):
    key = issuer.keys.current()
    published = did_document(issuer.did, [(f"#{key.key_id}", key.key_id)])
    context = VerificationContext(
        lambda did: published if did == issuer.did else None, StatusLists(issuer), NOW
    )

    assert verify(signed, context).verified


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_a_credential_not_valid_yet_fails_the_dates_only(issuer, context, form):
    signed = issue(issuer, valid_from=NOW + timedelta(days=1))
    text = json.dumps(signed) if form == "json" else credential_jwt(signed, issuer)

    report = verify_credential_text(text, context)

    assert outcomes(report)["dates"] == "failed"
    assert outcomes(report)["proof"] == "passed"
    assert "not valid until" in message(report, "dates")
    assert not report.verified


@pytest.mark.parametrize("form", ["json", "jwt"])
def test_an_expired_credential_fails_the_dates_only(issuer, context, form):
    document = build_open_badge_credential(sample_content(), issuer.profile(), SALT)
    document["validUntil"] = "2026-03-02T00:00:00Z"
    signed = sign_credential(document, issuer, ISSUED_AT)
    text = json.dumps(signed) if form == "json" else credential_jwt(signed, issuer)

    report = verify_credential_text(text, context)

    assert outcomes(report)["dates"] == "failed"
    assert outcomes(report)["proof"] == "passed"
    assert "expired" in message(report, "dates")


def test_a_signed_document_that_is_not_an_open_badge_fails_the_structure(issuer, context):
    document = build_open_badge_credential(sample_content(), issuer.profile(), SALT)
    document["credentialSubject"]["type"] = ["AchievementSubject", "Achievement"]
    del document["credentialSubject"]["achievement"]["criteria"]
    signed = sign_credential(document, issuer, ISSUED_AT)

    report = verify(signed, context)

    assert outcomes(report)["proof"] == "passed"
    assert outcomes(report)["structure"] == "failed"
    assert "criteria" in message(report, "structure")
    assert not report.verified


def unreadable(report: VerificationReport) -> bool:
    statuses = set(outcomes(report).values())
    return outcomes(report)["format"] == "failed" and statuses == {"failed", "not_checked"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "[]",
        "42",
        "null",
        '"a string"',
        "{",
        '{"a": 1, "a": 2}',
        '{"validFrom": NaN}',
        "{" + '"a":{' * 50_000 + "}" * 50_001,
        "[" * 100_000,
        "x" * (MAX_CREDENTIAL_LENGTH + 1),
        "eyJ.eyJ.c2ln",
        "e30.WzFd.c2ln",
        "a.b.c.d",
        None,
        b"{}",
    ],
    ids=lambda text: repr(text)[:30],
)
def test_malformed_or_oversized_input_gets_a_report_with_format_failed(context, text):
    report = verify_credential_text(text, context)

    assert unreadable(report)
    assert not report.verified
    assert report.credential is None
    assert [check.name for check in report.checks] == CHECK_NAMES


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\x00", b"GIF89a", b"{" * 10, b"ey.ey.ey"])
def test_files_that_hold_no_credential_get_a_report_with_format_failed(context, data):
    report = verify_credential_bytes(data, context)

    assert not report.verified
    assert outcomes(report)["format"] == "failed"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=12,
)
HOSTILE_PATHS = [
    (),
    ("@context",),
    ("id",),
    ("type",),
    ("issuer",),
    ("issuer", "id"),
    ("validFrom",),
    ("validUntil",),
    ("credentialSubject",),
    ("credentialSubject", "identifier"),
    ("credentialSubject", "achievement"),
    ("credentialSubject", "achievement", "criteria"),
    ("evidence",),
    ("credentialStatus",),
    ("credentialStatus", 0),
    ("credentialStatus", 0, "statusListIndex"),
    ("credentialStatus", 0, "statusListCredential"),
    ("proof",),
    ("proof", "verificationMethod"),
    ("proof", "proofValue"),
]


def replaced(document, path, value):
    if not path:
        return value
    document = copy.deepcopy(document)
    target = document
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return document


HYPOTHESIS = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@HYPOTHESIS
@given(path=st.sampled_from(HOSTILE_PATHS), value=JSON)
def test_wrong_types_at_any_level_give_a_report_never_an_exception(signed, context, path, value):
    report = verify_credential_text(json.dumps(replaced(signed, path, value)), context)

    assert isinstance(report, VerificationReport)
    assert [check.name for check in report.checks] == CHECK_NAMES
    assert not report.verified


@HYPOTHESIS
@given(text=st.text(max_size=300) | st.builds(lambda v: json.dumps(v), JSON))
def test_arbitrary_text_gives_a_report(context, text):
    report = verify_credential_text(text, context)

    assert [check.name for check in report.checks] == CHECK_NAMES
    assert not report.verified


@HYPOTHESIS
@given(
    parts=st.lists(
        st.binary(max_size=40) | st.builds(lambda v: json.dumps(v).encode(), JSON),
        min_size=3,
        max_size=3,
    )
)
def test_arbitrary_tokens_give_a_report(context, parts):
    token = ".".join(base64.urlsafe_b64encode(p).rstrip(b"=").decode() or "A" for p in parts)

    report = verify_credential_text(token, context)

    assert not report.verified


@HYPOTHESIS
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_give_a_report(context, data):
    assert not verify_credential_bytes(data, context).verified
