"""The `lms` console script: serve, load the demo, import content, run projections, check the log.

Each command is a small function taking the parsed arguments and returning an exit status.
Failures print one line on stderr and exit non-zero; no command ever shows a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from domain.errors import DomainError
from lms.settings import Settings, settings_from_environment

if TYPE_CHECKING:
    from lms.services import Services

Command = Callable[[argparse.Namespace, Settings], int]


class CommandError(Exception):
    """A command cannot do what was asked; the message is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        # One line, like every other failure, rather than usage text followed by the error.
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if not hasattr(args, "command"):
            parser.error("choose a command")
    except SystemExit as exit_:  # --help, or arguments that do not parse
        return exit_.code if isinstance(exit_.code, int) else 2
    try:
        return args.command(args, settings_from_environment())
    except KeyboardInterrupt:
        print("lms: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the last line of defence: a one-line reason, no traceback
        _fail(_reason(error))
        return 1


# --- commands -----------------------------------------------------------------------------


def serve(args: argparse.Namespace, settings: Settings) -> int:
    import waitress

    from lms import create_app

    app = create_app(settings)
    address = f"{_url_host(args.host)}:{args.port}"
    # Bind first, so the URL is printed only once it answers (and a port in use fails cleanly).
    try:
        server = waitress.create_server(app, host=args.host, port=args.port, threads=args.threads)
    except OSError as error:
        raise CommandError(f"cannot listen on {address}: {error.strerror or error}") from error
    print(f"Serving Mafunzo at http://{address} (Ctrl+C stops)", flush=True)
    try:
        server.run()
    finally:
        server.close()
    return 0


def demo(args: argparse.Namespace, settings: Settings) -> int:
    from lms.demo import load_demo

    with _services(settings) as services:
        report = load_demo(services, args.corpus)
    print(f"Courses from {report.source}:")
    _print_outcomes(report.imported)
    if report.created_accounts:
        print(f"Created demo accounts: {', '.join(report.created_accounts)}")
    if report.existing_accounts:
        print(f"Demo accounts already there: {', '.join(report.existing_accounts)}")
    if report.created_accounts:
        hint = "the password set in LMS_DEMO_PASSWORD"
        if settings.demo_password == Settings.demo_password:
            hint = f"the password '{Settings.demo_password}' (demo only: never on a real site)"
        print(f"Log in as any of them with {hint}.")
    return 0


def import_wikiedu(args: argparse.Namespace, settings: Settings) -> int:
    from lms.content_import import import_wikiedu as run_import

    if not args.path.exists():
        raise CommandError(f"no Wiki Education content found at {args.path}")
    with _services(settings) as services:
        report = run_import(services, args.path)
    _print_outcomes(report)
    return 0


def projections_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    with _services(settings) as services:
        services.projections.rebuild()
        statuses = services.projections.status()
    head = max((s.head for s in statuses), default=0)
    print(f"Rebuilt {len(statuses)} projections from the event log up to position {head}.")
    return 0


def projections_status(args: argparse.Namespace, settings: Settings) -> int:
    with _services(settings) as services:
        statuses = services.projections.status()
    rows = [("name", "position", "head", "lag")]
    rows += [(s.name, str(s.position), str(s.head), str(s.lag)) for s in statuses]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for name, *numbers in rows:
        cells = [n.rjust(w) for n, w in zip(numbers, widths[1:], strict=True)]
        print("  ".join([name.ljust(widths[0]), *cells]))
    return 0


def log_verify(args: argparse.Namespace, settings: Settings) -> int:
    from lms.eventstore import verify_log

    result = verify_log(settings)
    if not result.ok:
        _fail(f"FAILED at position {result.first_bad_position}: {result.reason}")
        return 1
    read = _furthest_projected(settings)
    if read > result.count:
        # A chain cut short at its end is still a valid chain; the read models remember more.
        _fail(
            f"FAILED at position {result.count + 1}: the log ends at {result.count} but the "
            f"read models have read up to {read}: events are missing from its end"
        )
        return 1
    print(f"OK: {result.count} events verified")
    return 0


def keys_rotate(args: argparse.Namespace, settings: Settings) -> int:
    from lms.credentials.keys import IssuerKeys
    from lms.services import utc_now

    keys = IssuerKeys.open(settings.keys_dir, utc_now())
    new = keys.rotate(utc_now())
    print(f"New signing key {new.key_id}; new credentials use it.")
    print(f"{len(keys.all())} keys published in the DID document: older credentials verify.")
    return 0


def credentials_list(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from lms.credentials.issuing import credential_url
    from projections.credentials import list_credentials
    from projections.people import person

    with _services(settings) as services, services.engine.connect() as conn:
        services.projections.catch_up()
        found = list_credentials(conn)
        holders = {c.person_id: person(conn, c.person_id) for c in found}
    rows = [
        {
            "id": c.public_id,
            "achievement": c.achievement_name,
            "kind": c.achievement_kind,
            "holder": holders[c.person_id].display_name if holders[c.person_id] else None,
            "issued": c.issued_at.date().isoformat(),
            "status": c.status,
            "url": credential_url(settings.base_url, c.public_id),
        }
        for c in found
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        holder = row["holder"] or "(forgotten)"
        print(f"{row['id']}  {row['issued']}  {row['status']:<9}  {holder}: {row['achievement']}")
    print(f"{len(rows)} credentials")
    return 0


def credentials_verify(args: argparse.Namespace, settings: Settings) -> int:
    from lms.credentials.local import verification_context
    from lms.credentials.verification import verify_credential_bytes

    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {args.file}: {error.strerror or error}") from error
    with _services(settings) as services:
        report = verify_credential_bytes(data, verification_context(services))
    for check in report.checks:
        print(f"{check.outcome.upper():<11}  {check.name:<10}  {check.message}")
    if not report.verified:
        _fail(f"NOT VERIFIED: {args.file} ({report.format})")
        return 1
    print(f"VERIFIED: {args.file} ({report.format}, status {report.status})")
    return 0


def credentials_export(args: argparse.Namespace, settings: Settings) -> int:
    from lms import create_app
    from lms.credentials.local import find_credential
    from lms.credentials.renditions import rendition

    with _services(settings) as services:
        with services.engine.connect() as conn:
            services.projections.catch_up()
            credential = find_credential(conn, args.id)
        if credential is None:
            raise CommandError(f"no credential has the id {args.id!r} (see lms credentials list)")
        # The PDF renders templates, which want an application context.
        with create_app(settings, services).app_context():
            body = rendition(services, credential, args.format, "en")
    try:
        args.out.write_bytes(body)
    except OSError as error:
        raise CommandError(f"cannot write {args.out}: {error.strerror or error}") from error
    print(f"Wrote {args.out} ({args.format}, {len(body):,} bytes)")
    return 0


def credentials_reconcile(args: argparse.Namespace, settings: Settings) -> int:
    with _services(settings) as services:
        issued = services.app.issue_all_earned_credentials()
        services.projections.catch_up()
    print(f"Issued {issued} earned credentials that had not been issued yet.")
    return 0


def i18n_extract(args: argparse.Namespace, settings: Settings) -> int:
    from lms.translations import catalogs

    template = catalogs.extract(_source_root())
    written = catalogs.write_template(_source_root(), template)
    state = "written" if written else "unchanged"
    print(f"{catalogs.template_path(_source_root())}: {len(template)} strings, {state}")
    return 0


def i18n_update(args: argparse.Namespace, settings: Settings) -> int:
    from lms.i18n import SUPPORTED_LANGUAGES
    from lms.translations import catalogs

    created = catalogs.update(_source_root(), SUPPORTED_LANGUAGES)
    print(f"Updated the catalogs of {', '.join(SUPPORTED_LANGUAGES)} from the template.")
    if created:
        print(f"Created catalogs for {', '.join(created)}.")
    return 0


def i18n_compile(args: argparse.Namespace, settings: Settings) -> int:
    from lms.translations import catalogs

    written = catalogs.compile_catalogs(catalogs.translations_dir(_source_root()))
    print(f"Compiled {len(written)} catalogs.")
    return 0


def i18n_check(args: argparse.Namespace, settings: Settings) -> int:
    from lms.i18n import SUPPORTED_LANGUAGES
    from lms.translations import catalogs

    root = _source_root()
    new, gone = catalogs.template_drift(root, catalogs.extract(root))
    table = [catalogs.coverage(root, language) for language in SUPPORTED_LANGUAGES]
    _print_coverage(table)
    problems = []
    if new or gone:
        problems.append(
            f"the .pot is out of date ({len(new)} new, {len(gone)} gone strings): "
            "run lms i18n extract, then lms i18n update"
        )
    if incomplete := [c.language for c in table if not c.complete]:
        problems.append(f"incomplete catalogs: {', '.join(incomplete)}")
    if problems:
        _fail(f"i18n check failed: {'; '.join(problems)}")
        return 1
    print("All catalogs complete and the template up to date.")
    return 0


def _print_coverage(table) -> None:
    rows = [("language", "translated", "fuzzy", "missing", "invalid", "%")]
    rows += [
        (
            c.language,
            str(c.translated),
            str(c.fuzzy),
            str(c.missing),
            str(c.invalid),
            f"{c.percent:.1f}",
        )
        for c in table
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    for language, *numbers in rows:
        cells = [n.rjust(w) for n, w in zip(numbers, widths[1:], strict=True)]
        print("  ".join([language.ljust(widths[0]), *cells]))


def _source_root() -> Path:
    """The checkout holding babel.cfg: catalogs are edited there, not in an installed copy."""
    return Path(__file__).resolve().parent.parent


def _furthest_projected(settings: Settings) -> int:
    with _services(settings) as services:
        return max((s.position for s in services.projections.status()), default=0)


# --- helpers ------------------------------------------------------------------------------


@contextmanager
def _services(settings: Settings) -> Iterator[Services]:
    from lms.services import build_services

    services = build_services(settings)
    try:
        yield services
    finally:
        services.close()


def _print_outcomes(report) -> None:
    width = max((len(c.slug) for c in report.courses), default=0)
    for course in report.courses:
        print(f"  {course.slug.ljust(width)}  {course.outcome}")
    if report.unresolved:
        print(f"Unresolved references ({len(report.unresolved)}), skipped:")
        for problem in report.unresolved:
            print(f"  {problem}")


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _fail(message: str) -> None:
    print(message, file=sys.stderr)


def _reason(error: Exception) -> str:
    """One line saying what went wrong, for the errors a command can expect and any other."""
    from sqlalchemy.exc import SQLAlchemyError

    from lms.credentials.errors import CredentialError
    from lms.translations.catalogs import CatalogError
    from lms.wikiedu import CorpusNotFoundError

    if isinstance(error, CommandError | CorpusNotFoundError | CatalogError):
        return _one_line(str(error))
    if isinstance(error, CredentialError):
        return _one_line(error.__doc__ or str(error))
    if isinstance(error, DomainError):
        rule = _one_line(error.__doc__ or type(error).__name__).rstrip(".")
        detail = f" ({_one_line(str(error))})" if str(error) else ""
        return f"refused: {rule}{detail}"
    if isinstance(error, SQLAlchemyError) or _is_database_error(error):
        cause = getattr(error, "orig", None) or error
        return f"database error: {_one_line(str(cause))}"
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"{error.strerror or _one_line(str(error))}{where}"
    return f"unexpected error: {type(error).__name__}: {_one_line(str(error))}"


def _is_database_error(error: Exception) -> bool:
    import sqlite3

    import psycopg
    from eventsourcing.persistence import PersistenceError

    return isinstance(error, sqlite3.Error | psycopg.Error | PersistenceError)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "no details"


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lms",
        description="Mafunzo: learn skills, find mentors and earn verifiable credentials.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    run = commands.add_parser("serve", help="serve the web app with waitress")
    run.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    run.add_argument("--port", type=int, default=5000, help="port to listen on (5000)")
    run.add_argument("--threads", type=int, default=8, help="worker threads (8)")
    run.set_defaults(command=serve)

    load = commands.add_parser("demo", help="load demo courses, accounts and progress")
    load.add_argument(
        "--corpus", type=Path, default=None, help="Wiki Education content to import instead"
    )
    load.set_defaults(command=demo)

    content = commands.add_parser(
        "import-wikiedu", help="import Wiki Education training libraries as courses"
    )
    content.add_argument("path", type=Path, metavar="PATH", help="a wiki_ed folder or above it")
    content.set_defaults(command=import_wikiedu)

    projections = commands.add_parser("projections", help="read models built from the log")
    actions = projections.add_subparsers(title="actions", metavar="ACTION", required=True)
    rebuild = actions.add_parser("rebuild", help="drop every read model and project the log again")
    rebuild.set_defaults(command=projections_rebuild)
    status = actions.add_parser("status", help="how far each projection has read")
    status.set_defaults(command=projections_status)

    log = commands.add_parser("log", help="the event log")
    log_actions = log.add_subparsers(title="actions", metavar="ACTION", required=True)
    verify = log_actions.add_parser("verify", help="check the log's hash chain")
    verify.set_defaults(command=log_verify)

    keys = commands.add_parser("keys", help="the issuer's signing keys")
    key_actions = keys.add_subparsers(title="actions", metavar="ACTION", required=True)
    rotate = key_actions.add_parser("rotate", help="add a new signing key; old ones stay published")
    rotate.set_defaults(command=keys_rotate)

    credentials = commands.add_parser("credentials", help="issued credentials")
    credential_actions = credentials.add_subparsers(
        title="actions", metavar="ACTION", required=True
    )
    listing = credential_actions.add_parser("list", help="every issued credential")
    listing.add_argument("--json", action="store_true", help="as JSON")
    listing.set_defaults(command=credentials_list)
    check = credential_actions.add_parser(
        "verify", help="verify a credential file: JSON, JWT, PDF, PNG or SVG"
    )
    check.add_argument("file", type=Path, metavar="FILE")
    check.set_defaults(command=credentials_verify)
    export = credential_actions.add_parser(
        "export", help="write a credential as JSON, JWT, PDF certificate or baked PNG/SVG badge"
    )
    export.add_argument("id", metavar="ID", help="the credential's id, as `list` shows it")
    export.add_argument("--format", required=True, choices=("json", "jwt", "pdf", "png", "svg"))
    export.add_argument("--out", required=True, type=Path, metavar="FILE")
    export.set_defaults(command=credentials_export)
    reconcile = credential_actions.add_parser(
        "reconcile", help="issue every earned credential not issued yet (safe to repeat)"
    )
    reconcile.set_defaults(command=credentials_reconcile)

    i18n = commands.add_parser("i18n", help="the message catalogs, for translators")
    i18n_actions = i18n.add_subparsers(title="actions", metavar="ACTION", required=True)
    extract = i18n_actions.add_parser("extract", help="collect translatable strings into the .pot")
    extract.set_defaults(command=i18n_extract)
    update = i18n_actions.add_parser("update", help="merge the .pot into every language's catalog")
    update.set_defaults(command=i18n_update)
    compile_ = i18n_actions.add_parser("compile", help="compile the catalogs the app reads (.mo)")
    compile_.set_defaults(command=i18n_compile)
    coverage = i18n_actions.add_parser(
        "check", help="coverage table; fails on missing, fuzzy or invalid entries or a stale .pot"
    )
    coverage.set_defaults(command=i18n_check)
    return parser


if __name__ == "__main__":
    sys.exit(main())
