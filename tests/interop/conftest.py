"""Runs independent JavaScript implementations (node) against our credentials, offline."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
ON_CI = os.environ.get("CI") == "true"


def _unavailable(reason: str):
    if ON_CI:
        pytest.fail(f"interop tests must run on CI: {reason}")
    pytest.skip(reason)


def _installed_matches_lockfile() -> bool:
    """npm mirrors the installed tree in node_modules/.package-lock.json; compare versions."""
    installed = HERE / "node_modules" / ".package-lock.json"
    if not installed.exists():
        return False
    wanted = json.loads((HERE / "package-lock.json").read_text())["packages"]
    have = json.loads(installed.read_text())["packages"]
    return {name: entry.get("version") for name, entry in wanted.items() if name} == {
        name: entry.get("version") for name, entry in have.items()
    }


class NodeTools:
    """The node scripts beside this file, fed through files in a scratch folder."""

    def __init__(self, node: str, scratch: Path):
        self.node = node
        self.scratch = scratch

    def verify(self, credential: dict[str, Any], documents: list[dict[str, Any]]) -> dict:
        """Digital Bazaar's verdict; `documents` are DID documents and status list credentials."""
        paths = [self._write("credential", credential)]
        paths += [self._write(f"document-{n}", doc) for n, doc in enumerate(documents)]
        return json.loads(self._run("verify.mjs", *paths))

    def sign(self, credential: dict[str, Any]) -> dict[str, Any]:
        return json.loads(self._run("sign.mjs", self._write("unsigned", credential)))

    def verify_jwt(self, token: str, public_jwk: dict[str, str]) -> dict[str, Any]:
        token_path = self.scratch / "token.jwt"
        token_path.write_text(token, encoding="ascii")
        return json.loads(
            self._run("verify-jwt.mjs", str(token_path), self._write("jwk", public_jwk))
        )

    def sign_jwt(self, payload: dict[str, Any], private_jwk: dict[str, str], kid: str) -> str:
        paths = self._write("payload", payload), self._write("private-jwk", private_jwk)
        return self._run("sign-jwt.mjs", *paths, kid).strip()

    def _write(self, name: str, document: dict[str, Any]) -> str:
        path = self.scratch / f"{name}.json"
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return str(path)

    def _run(self, script: str, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 - fixed script, arguments are our own file paths
            [self.node, script, *args], cwd=HERE, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(f"node {script} failed: {result.stderr.strip()}")
        return result.stdout


@pytest.fixture(scope="session")
def node_tools(tmp_path_factory) -> NodeTools:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("node and npm are needed for the JavaScript interop tests")
    if not _installed_matches_lockfile():
        install = subprocess.run(  # noqa: S603 - npm from PATH, fixed arguments
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if install.returncode != 0:
            _unavailable(f"npm ci failed in {HERE}: {install.stderr.strip()[-500:]}")
    return NodeTools(node, tmp_path_factory.mktemp("interop"))
