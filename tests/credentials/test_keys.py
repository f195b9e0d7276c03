"""Signing keys live in owner-only PEM files; rotation adds a key and never loses an old one."""

from __future__ import annotations

import stat
import traceback
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from lms.credentials.errors import InvalidDateTimeError
from lms.credentials.keys import (
    InsecureKeyFileError,
    IssuerKeys,
    UnknownKeyError,
    UnreadableKeyError,
)
from lms.credentials.multikey import decode_public_key, encode_private_key, encode_public_key

FIRST_RUN = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def raw(public_key) -> bytes:
    return public_key.public_bytes_raw()


def pem(private_key) -> bytes:
    return private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


@pytest.fixture
def keys_dir(tmp_path):
    return tmp_path / "instance" / "keys"


@pytest.fixture
def keys(keys_dir):
    return IssuerKeys.open(keys_dir, FIRST_RUN)


def test_the_first_run_makes_an_owner_only_folder_holding_one_owner_only_key(keys_dir, keys):
    [key_file] = keys_dir.iterdir()

    assert mode(keys_dir) == 0o700
    assert mode(key_file) == 0o600
    assert key_file.name.startswith("ed25519-20260301T120000")
    assert key_file.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert [key.created for key in keys.all()] == [FIRST_RUN]


def test_opening_again_reads_the_same_key_and_makes_no_other(keys_dir, keys):
    reopened = IssuerKeys.open(keys_dir, FIRST_RUN + timedelta(days=1))

    assert [key.key_id for key in reopened.all()] == [keys.current().key_id]


def test_the_key_id_is_the_multikey_of_the_public_key(keys):
    key = keys.current()

    assert key.key_id.startswith("z6Mk")
    assert raw(decode_public_key(key.key_id)) == raw(key.public_key)
    assert raw(key.private_key.public_key()) == raw(key.public_key)


def test_rotation_adds_a_newer_current_key_and_leaves_the_old_file_untouched(keys_dir, keys):
    first = keys.current()
    [first_file] = keys_dir.iterdir()
    first_bytes = first_file.read_bytes()

    second = keys.rotate(FIRST_RUN + timedelta(days=90))

    assert keys.current() == second != first
    assert [key.key_id for key in keys.all()] == [first.key_id, second.key_id]
    assert first_file.read_bytes() == first_bytes
    assert sorted(mode(path) for path in keys_dir.iterdir()) == [0o600, 0o600]


def test_rotation_on_a_stalled_or_backward_clock_still_makes_the_new_key_current(keys):
    first = keys.current()

    same_moment = keys.rotate(FIRST_RUN)
    earlier = keys.rotate(FIRST_RUN - timedelta(hours=1))

    assert [key.key_id for key in keys.all()] == [first.key_id, same_moment.key_id, earlier.key_id]
    assert keys.current() == earlier


def test_a_rotation_by_another_process_is_seen_without_reopening(keys_dir, keys):
    server = keys
    command_line = IssuerKeys.open(keys_dir, FIRST_RUN)

    new = command_line.rotate(FIRST_RUN + timedelta(days=1))

    assert server.current() == new
    assert len(server.all()) == 2


def test_no_temporary_file_is_left_behind(keys_dir, keys):
    keys.rotate(FIRST_RUN + timedelta(days=1))
    keys.rotate(FIRST_RUN + timedelta(days=2))

    assert all(path.suffix == ".pem" for path in keys_dir.iterdir())
    assert len(list(keys_dir.iterdir())) == 3


def test_each_private_key_is_found_by_its_id_and_unknown_ids_are_refused(keys):
    old = keys.current()
    new = keys.rotate(FIRST_RUN + timedelta(days=1))

    for key in (old, new):
        assert raw(keys.private_key_for(key.key_id).public_key()) == raw(key.public_key)
    stranger = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(UnknownKeyError):
        keys.private_key_for(encode_public_key(stranger))


def test_a_naive_time_is_refused(keys):
    with pytest.raises(InvalidDateTimeError):
        keys.rotate(datetime(2026, 3, 2, 12))


@pytest.mark.parametrize("file_mode", [0o640, 0o604, 0o660, 0o644])
def test_a_key_file_open_to_group_or_others_is_refused(keys_dir, keys, file_mode):
    [key_file] = keys_dir.iterdir()
    key_file.chmod(file_mode)

    with pytest.raises(InsecureKeyFileError, match="chmod 600"):
        IssuerKeys.open(keys_dir, FIRST_RUN).all()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a key at all",
        pem(Ed25519PrivateKey.generate()).replace(b"M", b"N", 3),
        pem(generate_private_key(SECP256R1())),
    ],
    ids=["empty", "text", "damaged", "not-ed25519"],
)
def test_a_file_that_is_not_an_ed25519_key_is_refused_without_showing_its_content(
    keys_dir, content
):
    keys_dir.mkdir(parents=True)
    key_file = keys_dir / "ed25519-20260301T120000000000-0123abcd.pem"
    key_file.write_bytes(content)
    key_file.chmod(0o600)

    with pytest.raises(UnreadableKeyError) as raised:
        IssuerKeys.open(keys_dir, FIRST_RUN)

    shown = "".join(traceback.format_exception(raised.value))
    body_lines = content.decode(errors="replace").splitlines()[1:-1]
    assert not any(line and line in shown for line in body_lines)


def test_a_key_file_named_after_an_impossible_time_is_refused(keys_dir, keys):
    [key_file] = keys_dir.iterdir()
    key_file.rename(keys_dir / "ed25519-20261399T250000000000-0123abcd.pem")

    with pytest.raises(UnreadableKeyError, match="creation time"):
        IssuerKeys.open(keys_dir, FIRST_RUN)


def test_nothing_secret_shows_in_a_key_representation(keys):
    key = keys.current()

    shown = repr(key) + repr(keys.all())

    assert encode_private_key(key.private_key) not in shown
    assert pem(key.private_key).decode().splitlines()[1] not in shown
    assert key.key_id in shown
