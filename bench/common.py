"""What the benches share: where the repository is, the PostgreSQL they use, profile labels."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("LMS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def short_location(filename: str, line: int, name: str) -> str:
    """A profile entry's place, short enough for a table: package-relative or repo-relative."""
    if filename == "~":
        return name
    marker = "site-packages/"
    if marker in filename:
        filename = filename.split(marker, 1)[1]
    elif filename.startswith(str(ROOT)):
        filename = os.path.relpath(filename, ROOT)
    else:
        filename = "/".join(Path(filename).parts[-2:])
    return f"{filename}:{line}({name})"


def postgres_answers() -> bool:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def split_profile(stats, own_script: str) -> tuple[list, list, list]:
    """cProfile entries as (cumtime, tottime, calls, place), split into our code (without the
    bench script itself), library code and the Python runtime."""
    ours, library, runtime = [], [], []
    venv = str(ROOT / ".venv")
    for (filename, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():
        entry = (cumtime, tottime, calls, short_location(filename, line, name))
        if filename.startswith(str(ROOT)) and not filename.startswith(venv):
            if not filename.endswith(own_script):
                ours.append(entry)
        elif "site-packages" in filename:
            library.append(entry)
        else:
            runtime.append(entry)
    return ours, library, runtime


def run_on_backends(choice: str, makers: dict, run, prefix: str, log) -> list:
    """Run `run` on a fresh instance of each chosen backend ("sqlite", "postgres" or "both"),
    each in its own temporary folder; a silent PostgreSQL is skipped unless it was asked for."""
    names = ("sqlite", "postgres") if choice == "both" else (choice,)
    reports = []
    for name in names:
        if name == "postgres" and not postgres_answers():
            message = f"PostgreSQL does not answer at {POSTGRES_URL}"
            if choice == "postgres":
                sys.exit(message)
            log(f"{message}: skipped the PostgreSQL run")
            continue
        tmp = Path(tempfile.mkdtemp(prefix=prefix))
        try:
            with makers[name](tmp) as instance:
                reports.append(run(instance))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return reports
