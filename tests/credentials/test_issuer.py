"""The issuer is the did:web of its base URL, and its DID document publishes every key it has."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials.issuer import InvalidIssuerUrlError, Issuer, did_web_for
from lms.credentials.keys import IssuerKeys
from lms.credentials.multikey import decode_public_key, encode_public_key

BASE_URL = "https://mafunzo.example"
FIRST_RUN = datetime(2026, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def issuer(tmp_path):
    """This deployment at BASE_URL, with one key made on first run."""
    return Issuer(BASE_URL, "Mafunzo (test)", IssuerKeys.open(tmp_path / "keys", FIRST_RUN))


def did_web_document_url(did: str) -> str:
    """Where a did:web resolver fetches the document (did:web method specification, 3.2)."""
    host, *path = did.removeprefix("did:web:").split(":")
    return f"https://{unquote(host)}/" + ("/".join(path) if path else ".well-known") + "/did.json"


def raw(public_key) -> bytes:
    return public_key.public_bytes_raw()


@pytest.mark.parametrize(
    ("base_url", "did"),
    [
        ("https://mafunzo.example", "did:web:mafunzo.example"),
        ("https://mafunzo.example/", "did:web:mafunzo.example"),
        ("https://Mafunzo.Example", "did:web:mafunzo.example"),
        ("http://127.0.0.1:5000", "did:web:127.0.0.1%3A5000"),
        ("https://hub.example.org:8443/wiki/lms", "did:web:hub.example.org%3A8443:wiki:lms"),
    ],
)
def test_the_did_is_the_did_web_of_the_base_url(base_url, did):
    assert did_web_for(base_url) == did


@pytest.mark.parametrize(
    "base_url",
    [
        "",
        "mafunzo.example",
        "ftp://mafunzo.example",
        "https://",
        "https://user:secret@mafunzo.example",
        "https://mafunzo.example?hub=1",
        "https://mafunzo.example#top",
        "https://mafunzo.example:99999",
        "https://[::1]:5000",
        "https://mafunzo.example/two%20words",
        "https://mafunzo.example//hub",
        "https://-bad-.example",
        42,
        None,
    ],
)
def test_a_base_url_did_web_cannot_carry_is_refused_by_name(base_url):
    with pytest.raises(InvalidIssuerUrlError):
        did_web_for(base_url)


def test_an_issuer_with_such_a_base_url_cannot_be_made(tmp_path):
    keys = IssuerKeys.open(tmp_path / "keys", FIRST_RUN)

    with pytest.raises(InvalidIssuerUrlError):
        Issuer("https://mafunzo.example?x=1", "Mafunzo", keys)


def test_the_profile_names_the_issuer_by_its_did(issuer):
    assert issuer.profile() == {
        "id": "did:web:mafunzo.example",
        "type": ["Profile"],
        "name": "Mafunzo (test)",
        "url": BASE_URL,
    }


def test_the_did_document_lists_every_key_for_issuing_and_login(issuer):
    issuer.keys.rotate(FIRST_RUN + timedelta(days=90))
    keys = issuer.keys.all()

    document = issuer.did_document()

    methods = [f"did:web:mafunzo.example#{key.key_id}" for key in keys]
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == "did:web:mafunzo.example"
    assert [method["id"] for method in document["verificationMethod"]] == methods
    assert document["assertionMethod"] == methods
    assert document["authentication"] == methods
    for method, key in zip(document["verificationMethod"], keys, strict=True):
        assert method["type"] == "Multikey"
        assert method["controller"] == "did:web:mafunzo.example"
        assert raw(decode_public_key(method["publicKeyMultibase"])) == raw(key.public_key)


@pytest.mark.parametrize(
    ("base_url", "path"),
    [
        ("https://mafunzo.example", "/.well-known/did.json"),
        ("http://127.0.0.1:5000/", "/.well-known/did.json"),
        ("https://hub.example.org/wiki/mafunzo", "/wiki/mafunzo/did.json"),
    ],
)
def test_the_document_is_served_where_did_web_resolvers_look(tmp_path, base_url, path):
    issuer = Issuer(base_url, "Mafunzo", IssuerKeys.open(tmp_path / "keys", FIRST_RUN))

    assert issuer.did_document_path() == path
    assert urlsplit(did_web_document_url(issuer.did)).path == path


def test_only_our_own_verification_methods_give_a_public_key(issuer):
    key = issuer.keys.current()
    stranger = encode_public_key(Ed25519PrivateKey.generate().public_key())

    assert raw(issuer.public_key_for(issuer.verification_method_id(key))) == raw(key.public_key)
    assert issuer.public_key_for(f"did:web:elsewhere.example#{key.key_id}") is None
    assert issuer.public_key_for(f"did:key:{key.key_id}#{key.key_id}") is None
    assert issuer.public_key_for(f"{issuer.did}#{stranger}") is None
    assert issuer.public_key_for(issuer.did) is None
    assert issuer.public_key_for(None) is None


def test_a_rotated_key_still_gives_its_public_key(issuer):
    old = issuer.keys.current()
    issuer.keys.rotate(FIRST_RUN + timedelta(days=1))

    assert raw(issuer.public_key_for(issuer.verification_method_id(old))) == raw(old.public_key)
