"""`lms keys` and `lms credentials`: what an issuer runs, on each backend."""

from __future__ import annotations

import json
import stat

import pytest

from projections.credentials import list_credentials
from tests.integration.test_cli import SAMPLE, run, services_for, settings  # noqa: F401


@pytest.fixture
def demo(settings, capsys):
    assert run(capsys, "demo", "--corpus", str(SAMPLE))[0] == 0
    return settings


def aminas_credential(settings) -> str:
    with services_for(settings) as services, services.engine.connect() as conn:
        [credential] = list_credentials(conn)
    return credential.document


def test_the_demo_learner_holds_a_listed_credential(demo, capsys):
    code, out, err = run(capsys, "credentials", "list", "--json")

    assert (code, err) == (0, "")
    [listed] = json.loads(out)
    assert listed["holder"] == "Amina Njeri"
    assert listed["status"] == "active"
    assert listed["kind"] == "certificate"
    assert listed["url"].endswith(f"/credentials/{listed['id']}")

    code, out, _ = run(capsys, "credentials", "list")
    assert code == 0
    assert "Amina Njeri" in out
    assert out.strip().endswith("1 credentials")


def test_a_credential_file_verifies_and_a_changed_byte_does_not(demo, capsys, tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    document = aminas_credential(demo)
    good.write_text(document)
    bad.write_text(document.replace("Amina Njeri", "Amina Njera"))

    code, out, err = run(capsys, "credentials", "verify", str(good))
    assert (code, err) == (0, "")
    assert "VERIFIED" in out
    assert "PASSED" in out

    code, out, err = run(capsys, "credentials", "verify", str(bad))
    assert code == 1
    assert err.startswith("NOT VERIFIED")
    assert "FAILED" in out


def test_verifying_a_missing_or_meaningless_file_fails_in_one_line(demo, capsys, tmp_path):
    code, _, err = run(capsys, "credentials", "verify", str(tmp_path / "nowhere.json"))
    assert code == 1
    assert err.count("\n") == 1
    assert "cannot read" in err

    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\xff" * 100)
    code, _, err = run(capsys, "credentials", "verify", str(garbage))
    assert code == 1
    assert "NOT VERIFIED" in err


def test_rotating_keeps_old_credentials_verifiable(demo, capsys, tmp_path):
    old = tmp_path / "old.json"
    old.write_text(aminas_credential(demo))

    code, out, err = run(capsys, "keys", "rotate")

    assert (code, err) == (0, "")
    assert "2 keys published" in out
    key_files = sorted(demo.keys_dir.iterdir())
    assert len(key_files) == 2
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in key_files)
    assert run(capsys, "credentials", "verify", str(old))[0] == 0
    with services_for(demo) as services:
        methods = [m["id"] for m in services.issuer.did_document()["verificationMethod"]]
        assert json.loads(old.read_text())["proof"]["verificationMethod"] == methods[0]
        assert len(methods) == 2


def test_reconciling_after_the_demo_issues_nothing_more(demo, capsys):
    code, out, err = run(capsys, "credentials", "reconcile")
    assert (code, err) == (0, "")
    assert out.startswith("Issued 0 ")


@pytest.mark.parametrize("form", ["json", "jwt", "pdf", "png", "svg"])
def test_every_exported_form_verifies_offline(demo, capsys, tmp_path, form):
    [listed] = json.loads(run(capsys, "credentials", "list", "--json")[1])
    out = tmp_path / f"certificate.{form}"

    code, said, err = run(
        capsys, "credentials", "export", listed["id"], "--format", form, "--out", str(out)
    )

    assert (code, err) == (0, "")
    assert said.startswith(f"Wrote {out} ({form}")
    code, said, err = run(capsys, "credentials", "verify", str(out))
    assert (code, err) == (0, "")
    assert f"VERIFIED: {out} ({form}" in said


def test_exporting_an_unknown_credential_fails_in_one_line(demo, capsys, tmp_path):
    out = tmp_path / "nothing.pdf"
    code, _, err = run(
        capsys, "credentials", "export", "no-such-id", "--format", "pdf", "--out", str(out)
    )
    assert code == 1
    assert err.count("\n") == 1
    assert "no credential has the id" in err
    assert not out.exists()
