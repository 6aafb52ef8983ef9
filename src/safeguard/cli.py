"""The ``safeguard`` command.

    safeguard obligations TIMELINE.json... [--as-of YYYY-MM-DD]
    safeguard demo [--host H] [--port P] [--no-serve] [--no-data] [--scale N] [--seed N]
    safeguard export-timelines DIR
    safeguard serve [--host H] [--port P] [--threads N]
    safeguard manage ARGS...          (Django's management commands)

``obligations`` is the statutory engine alone: no database, no Django.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DEMO_SEED = 2026  # safeguard.demo.build.DEFAULT_SEED (kept here: no Django at start-up)
MAX_ERRORS_SHOWN = 20


def today_in_england() -> date:
    return datetime.now(LONDON).date()


class BadInput(Exception):
    """Input that cannot be read as a timeline; the message says where and why."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _load_json(raw: bytes) -> Any:
    """Strict JSON (no NaN or Infinity) from UTF-8 bytes."""
    text = raw.decode("utf-8")
    if text.startswith("\ufeff"):
        text = text[1:]  # a byte order mark some editors write
    return _DECODER.decode(text)


def _describe_json_error(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, UnicodeDecodeError):
        return "not valid JSON: the file is not UTF-8 text"
    return f"not valid JSON: {exc}"


def _as_of(value: str) -> date:
    from safeguard.statutory.obligations import as_of_ordinal

    try:
        if len(value) != 10:
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--as-of must be a real date written YYYY-MM-DD; got {value!r}"
        ) from None
    try:
        as_of_ordinal(day)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--as-of: {exc}") from None
    return day


def _scale(value: str) -> float:
    try:
        scale = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scale must be a number; got {value!r}") from None
    if not 0 < scale <= 100:
        raise argparse.ArgumentTypeError("--scale must be more than 0 and at most 100")
    return scale


def _read(path: str) -> tuple[str, bytes]:
    """(the name to report, the bytes) of ``path``; ``-`` is standard input."""
    if path == "-":
        return "standard input", sys.stdin.buffer.read()
    try:
        return path, Path(path).read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a folder, not a timeline file") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot be read ({exc.strerror})") from None


def _check(
    where: str, raw: bytes, as_of: date, indent: int | None, *, line: bool = False
) -> tuple[str | None, str | None]:
    """(the output document, None) or (None, the error) for one timeline's bytes."""
    from safeguard.statutory import TimelineError, obligations_document

    if not raw.strip():
        if line:
            return None, f"{where}: empty line; each line must hold one timeline"
        return None, f"{where}: empty; it must hold a timeline as JSON"
    try:
        value = _load_json(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return None, f"{where}: {_describe_json_error(exc)}"
    try:
        return json.dumps(obligations_document(value, as_of), indent=indent), None
    except TimelineError as exc:
        return None, f"{where}: {exc}"


def _check_lines(job: tuple[str, int, list[bytes], date]) -> tuple[list[str], list[str]]:
    """Check consecutive lines of a .jsonl file: (outputs, errors). Outputs stop being kept
    at the first error, since nothing will be printed."""
    name, first, lines, as_of = job
    out: list[str] = []
    errors: list[str] = []
    for number, line in enumerate(lines, start=first):
        document, error = _check(f"{name} line {number}", line, as_of, None, line=True)
        if error is not None:
            errors.append(error)
        elif not errors:
            out.append(document)  # type: ignore[arg-type]
    return out, errors


#: A .jsonl this long is shared between processes, one per core, in chunks of this size.
PARALLEL_FROM = 20_000
CHUNK = 5_000


def _check_jsonl(name: str, raw: bytes, as_of: date) -> tuple[list[str], list[str]]:
    lines = raw.split(b"\n")
    if lines and not lines[-1].strip():
        lines.pop()  # the newline that ends the last line
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if len(lines) < PARALLEL_FROM or cores < 2 or not hasattr(os, "fork"):
        return _check_lines((name, 1, lines, as_of))
    import multiprocessing

    from safeguard.statutory.calendar import england

    england()  # built once here, shared with the workers by fork
    jobs = [(name, i + 1, lines[i:i + CHUNK], as_of) for i in range(0, len(lines), CHUNK)]
    out: list[str] = []
    errors: list[str] = []
    with multiprocessing.get_context("fork").Pool(min(cores, 4)) as pool:
        for chunk_out, chunk_errors in pool.imap(_check_lines, jobs):
            errors.extend(chunk_errors)
            if not errors:
                out.extend(chunk_out)
    return out, errors


def cmd_obligations(args: argparse.Namespace) -> int:
    as_of: date = args.as_of or today_in_england()
    files: list[str] = args.files
    one_document = len(files) == 1 and not files[0].endswith(".jsonl")
    out: list[str] = []
    errors: list[str] = []
    for path in files:
        try:
            name, raw = _read(path)
        except BadInput as exc:
            errors.append(str(exc))
            continue
        if path.endswith(".jsonl"):
            file_out, file_errors = _check_jsonl(name, raw, as_of)
            errors.extend(file_errors)
            if not errors:
                out.extend(file_out)
        else:
            document, error = _check(name, raw, as_of, 2 if one_document else None)
            if error is not None:
                errors.append(error)
            elif not errors:
                out.append(document)  # type: ignore[arg-type]
    if errors:
        for message in errors[:MAX_ERRORS_SHOWN]:
            print(f"safeguard obligations: {message}", file=sys.stderr)
        if len(errors) > MAX_ERRORS_SHOWN:
            print(
                f"safeguard obligations: … and {len(errors) - MAX_ERRORS_SHOWN} more bad "
                "timelines",
                file=sys.stderr,
            )
        print(
            "safeguard obligations: nothing was printed: correct the timelines above and "
            "run again",
            file=sys.stderr,
        )
        return 1
    if out:
        sys.stdout.write("\n".join(out))
        sys.stdout.write("\n")
    return 0


# ---- Django-backed commands ---------------------------------------------------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.config.settings")
    import django

    django.setup()


def _application() -> Any:
    """The WSGI application, loaded, with everything loading it made left out of the garbage
    collector's rounds (``gc.freeze``). Those objects live as long as the server; a full
    round over them (over 100,000 of them) holds every thread of the server still for about
    80 ms, and came every few dozen pages of a long list. A round now goes over only what
    requests made since."""
    import gc

    from safeguard.config.wsgi import application

    gc.collect()
    gc.freeze()
    return application


def _serve(host: str, port: int, threads: int) -> None:
    from waitress import serve

    application = _application()
    print(f"Safeguard is being served at http://{host}:{port}/ (press Ctrl+C to stop)", flush=True)
    serve(application, host=host, port=port, threads=threads, ident="Safeguard")


def cmd_serve(args: argparse.Namespace) -> int:
    _django()
    _serve(args.host, args.port, args.threads)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import call_command

    print("Setting up the database …", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    print("The database is ready.", flush=True)
    from safeguard.demo.build import AREAS, marker_of, print_personas

    if args.no_data:
        print_personas()
    elif args.no_serve or all(marker_of(code) is not None for _, code, _ in AREAS):
        if not _build_demo_data(args):
            return 1
    else:
        # Serve at once; build in the background. The sign-in page shows how far it has got.
        import threading

        from safeguard.demo import progress

        progress.started("Starting to build the demo data …")
        threading.Thread(target=_build_demo_data, args=(args, progress), daemon=True,
                         name="demo-build").start()
    if args.no_serve:
        return 0
    _serve(args.host, args.port, args.threads)
    return 0


def _build_demo_data(args: argparse.Namespace, progress: Any = None) -> bool:
    """Build (or reuse) the demo data, printing its progress (and, building behind the
    server, telling the sign-in page). True if it is there at the end."""
    from django.db import connections

    from safeguard.demo.build import build_demo, print_personas, print_volumes

    def out(line: str) -> None:
        print(line, flush=True)
        if progress is not None:
            progress.report(line)

    try:
        out(f"Building the demo data: two local authorities with a year of activity each "
            f"(scale {args.scale:g}, seed {args.seed}) …")
        reports = build_demo(scale=args.scale, seed=args.seed, out=out)
        if any(r.built for r in reports):
            print_volumes()
        refused = sum(sum(r.refused.values()) for r in reports)
        print("The demo data is ready." if not refused else
              f"The demo data is ready, without {refused:,} steps the services refused.",
              flush=True)
        print_personas()
        if progress is not None:
            progress.finished()
            print(f"You can sign in now at http://{args.host}:{args.port}/", flush=True)
        return True
    except Exception:  # in the background thread nothing else would say it
        if progress is None:
            raise
        import traceback

        traceback.print_exc()
        print("The demo data could not be built (see above). Stop with Ctrl+C.", flush=True)
        progress.report("The demo data could not be built: the terminal running "
                        "`safeguard demo` says why.")
        return False
    finally:
        if progress is not None:
            connections.close_all()  # this thread's own


#: A case reference safe to use as a file name (the references Safeguard makes: 901-000123).
_SAFE_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
EXPORT_BATCH = 500


def cmd_export_timelines(args: argparse.Namespace) -> int:
    _django()
    from django.db import transaction

    from safeguard.cases.models import Case
    from safeguard.cases.timeline import case_timeline
    from safeguard.core.services import Context, audit

    directory = Path(args.directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"safeguard export-timelines: cannot make the folder {directory}: "
              f"{exc.strerror}", file=sys.stderr)
        return 2
    context = Context(source="command", reason="export-timelines")
    cases = Case.objects.select_related("child").order_by("reference")
    written = 0
    batch: list[Case] = []

    def flush() -> None:
        nonlocal written
        # The export is recorded in the audit trail before the files are written: a failed
        # write may leave an entry for an export that did not finish, never the reverse.
        with transaction.atomic():
            for case in batch:
                audit(actor=None, action="export", obj=case, case_id=case.pk,
                      detail={"format": "timeline"}, context=context)
        for case in batch:
            text = json.dumps(case_timeline(case), indent=2)
            (directory / f"{case.reference}.json").write_text(text + "\n", encoding="utf-8")
            written += 1
        batch.clear()

    for case in cases.iterator(chunk_size=EXPORT_BATCH):
        if not _SAFE_REFERENCE.fullmatch(case.reference):
            print(f"safeguard export-timelines: case {case.pk} has a reference that cannot be "
                  "a file name; it was left out", file=sys.stderr)
            continue
        batch.append(case)
        if len(batch) >= EXPORT_BATCH:
            flush()
    if batch:
        flush()
    print(f"Wrote the timelines of {written:,} cases to {directory}/ "
          f"(one <case reference>.json each).", flush=True)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    _django()
    from safeguard.core.audit import chain_head, verify_chain

    if args.audit_command == "head":
        text = json.dumps(chain_head(), indent=2)
        if args.output:
            Path(args.output).write_text(text + "\n")
            print(f"The head of the audit trail was written to {args.output}.")
        else:
            print(text)
        return 0
    head = None
    if args.head:
        try:
            head = json.loads(Path(args.head).read_text())
        except (OSError, ValueError) as exc:
            print(f"safeguard audit verify: cannot read the head file {args.head}: {exc}",
                  file=sys.stderr)
            return 2
        if not isinstance(head, dict) or "id" not in head or "hash" not in head:
            print(f"safeguard audit verify: {args.head} is not a head written by "
                  "'safeguard audit head'", file=sys.stderr)
            return 2
    verdict = verify_chain(head=head)
    if verdict.ok:
        print(f"The audit trail is whole: {verdict.checked} entries checked; head entry "
              f"{verdict.head_id}, hash {verdict.head_hash}.")
        return 0
    print(f"The audit trail is broken: {verdict.problem}. {verdict.checked} entries before "
          "it were checked and are whole.", file=sys.stderr)
    return 1


def cmd_manage(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["safeguard manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="safeguard",
        description="Safeguard: Working Together to Safeguard Children, as software.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ob = sub.add_parser(
        "obligations",
        help="the duties a case timeline gives rise to (JSON out, on stdout)",
        description=(
            "Read case timelines (shared/design/timeline-format.md) and print their "
            "obligations as JSON. Several files, or a .jsonl file, print one JSON document "
            "per line. '-' reads a timeline from standard input. Bad input prints nothing on "
            "stdout, names the file, line, event and field on stderr, and exits 1."
        ),
    )
    ob.add_argument("files", nargs="+", metavar="FILE", help="timeline file, .jsonl, or -")
    ob.add_argument(
        "--as-of",
        type=_as_of,
        default=None,
        metavar="YYYY-MM-DD",
        help="the day to judge open duties on (default: today in England)",
    )
    ob.set_defaults(func=cmd_obligations)

    for name, func, text in (
        ("serve", cmd_serve, "serve Safeguard over HTTP with a production WSGI server"),
        ("demo", cmd_demo, "set up the database and demo data, then serve Safeguard"),
    ):
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--host", default=os.environ.get("SAFEGUARD_HOST", "127.0.0.1"))
        p.add_argument("--port", type=int, default=int(os.environ.get("SAFEGUARD_PORT", "8000")))
        p.add_argument("--threads", type=int, default=8)
        if name == "demo":
            p.add_argument("--no-serve", action="store_true", help="set up, then stop")
            p.add_argument("--no-data", action="store_true",
                           help="set up the database only: no demo areas, people or cases")
            p.add_argument("--scale", type=_scale, default=1.0, metavar="N",
                           help="how much activity: 1 (the default) is an average English "
                                "local authority's year; 10 is ten times that")
            p.add_argument("--seed", type=int, default=DEMO_SEED, metavar="N",
                           help=f"the seed of the synthetic data (default {DEMO_SEED}): the "
                                "same seed, scale and day give the same data")
        p.set_defaults(func=func)

    export = sub.add_parser(
        "export-timelines",
        help="write each case's timeline as DIR/<case reference>.json",
        description=(
            "Write the timeline of every case (shared/design/timeline-format.md) to "
            "DIR/<case reference>.json, named by the case reference people see (such as "
            "901-000123), so anyone can check the stored obligations with 'safeguard "
            "obligations DIR/*.json'. Reads all cases; each export is recorded in the audit "
            "trail."
        ),
    )
    export.add_argument("directory", metavar="DIR", help="the folder to write to (made if "
                                                          "missing)")
    export.set_defaults(func=cmd_export_timelines)

    audit = sub.add_parser("audit", help="check or export the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_sub.add_parser(
        "verify", help="check the hash chain; exits 1 naming the first broken entry")
    verify.add_argument("--head", metavar="FILE",
                        help="a head written earlier by 'safeguard audit head', kept outside")
    head = audit_sub.add_parser(
        "head", help="print the head of the chain, to keep outside the application")
    head.add_argument("--output", metavar="FILE", help="write it to FILE instead")
    audit.set_defaults(func=cmd_audit)

    manage = sub.add_parser("manage", help="run a Django management command")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
