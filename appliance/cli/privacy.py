"""``appliance redact`` and ``appliance audit ...``: the privacy guard from the shell."""

from __future__ import annotations

import json
import sys
import time
from typing import Annotated

import typer

from appliance.cli import app
from appliance.cli.common import ConfigOption, fail, load_config

audit_app = typer.Typer(help="The hash-chained log of everything that left the device.",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@app.command()
def redact(
    config: ConfigOption = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='print {"text", "entities": [{"type", "start", "end", "text"}]}')] = False,
    lines: Annotated[bool, typer.Option(
        "--lines", help="each input line is its own text; one JSON result per line")] = False,
) -> None:
    """Read text on stdin and print it with every detected entity replaced by a placeholder.

    Placeholders are numbered per type and stay the same for the same value within one
    run (``<PERSON_1>``). Entity offsets in --json output index the input text.
    """
    from appliance.privacy.detect import Detector
    from appliance.privacy.redact import Session
    from appliance.privacy.redact import redact as apply

    cfg = load_config(config)
    detector = Detector(cfg.privacy)
    session = Session()

    def one(text: str) -> dict[str, object]:
        entities = detector.detect(text)
        out, _ = apply(text, entities, session)
        return {"text": out, "entities": [e.as_dict() for e in entities]}

    if lines:
        for line in sys.stdin:
            text = line.rstrip("\n").rstrip("\r")
            sys.stdout.write(json.dumps(one(text), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return
    result = one(sys.stdin.read())
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(str(result["text"]))


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(ts))


@audit_app.command("verify")
def audit_verify(config: ConfigOption = None) -> None:
    """Check the audit chain across all retained segments; exit 1 if anything was tampered with.

    What retention removed is reported on its own line and is not a failure; each
    edited, removed or reordered record, deleted or swapped segment, edited anchor
    or head is printed as TAMPERED with the segment file and record it concerns.
    """
    from appliance.audit import AuditError, open_from_config

    cfg = load_config(config)
    try:
        report = open_from_config(cfg).verify()
    except AuditError as exc:
        fail(str(exc), "check privacy.key_dir and state_dir permissions")
    span = f" (seq {report.first_seq}-{report.last_seq})" if report.records else ""
    if report.retired is not None:
        r = report.retired
        typer.echo(f"retention removed {r.segments} segment(s): records {r.first_seq}-{r.last_seq} "
                   f"({r.records} records, {_when(r.first_ts)} to {_when(r.last_ts)})")
    for note in report.notes:
        typer.echo(f"note: {note}")
    if report.ok:
        typer.echo(f"ok: {report.records} records in {report.segments} segment(s){span}, "
                   "chain intact")
        return
    for problem in report.problems:
        typer.echo(f"TAMPERED: {problem}", err=True)
    more = f" (and {report.more_problems} more)" if report.more_problems else ""
    typer.echo(f"audit log check failed: {len(report.problems)} problem(s){more} in "
               f"{report.records} records", err=True)
    raise typer.Exit(1)


@audit_app.command("list")
def audit_list(
    config: ConfigOption = None,
    offset: Annotated[int, typer.Option(min=0, help="skip this many newer records")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="at most this many")] = 50,
    before: Annotated[int | None, typer.Option(
        min=1, help="only records with a smaller seq (page on from the last one printed)")] = None,
    destination: Annotated[str | None, typer.Option(help="only this destination")] = None,
) -> None:
    """Print audit records as JSON lines, newest first, across all retained segments."""
    from appliance.audit import AuditError, open_from_config

    cfg = load_config(config)
    try:
        page = open_from_config(cfg).page(limit, offset, before, destination)
    except AuditError as exc:
        fail(str(exc))
    for rec in page.records:
        typer.echo(json.dumps(rec, ensure_ascii=False))
