"""``appliance route``, ``appliance learn`` and ``appliance threshold``: routing from the shell."""
# The SLM (llama.cpp) is imported inside the commands that need it, so --help stays fast.

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from appliance.cli import app
from appliance.cli.common import ConfigOption, err_console, fail, load_config, setup_logging
from appliance.errors import ApplianceError

if TYPE_CHECKING:
    from appliance.config import Config
    from appliance.slm.engine import SlmEngine


def _engine(cfg: Config) -> SlmEngine:
    from appliance.slm.loader import open_engine

    try:
        return open_engine(cfg.slm, cfg.state_dir, warm=False)
    except ApplianceError as exc:
        fail(f"cannot open the SLM: {exc}", code=1)


def _local_confidence(cfg: Config, task: str, text: str) -> tuple[str, float, str]:
    """Return (label, confidence, source) from the task's learned head, else the SLM task."""
    from appliance.routing.learn import HeadStore

    store = HeadStore(cfg.state_dir / cfg.routing.learn.state_subdir, task, cfg.routing.learn)
    engine = _engine(cfg)
    with engine:
        if store.head() is not None:
            got = store.classify(engine.embed([text])[0])
            assert got is not None
            return got[0], got[1], f"head v{store.current_version()}"
        try:
            result = engine.classify(task, text, deadline_s=60.0)
        except ApplianceError as exc:
            fail(f"task {task!r} has no learned head and the SLM cannot classify it: {exc}")
        return result.label, result.confidence, "slm"


@app.command()
def route(
    text: Annotated[str, typer.Argument(help="The input text ('-' reads stdin).")],
    *,
    config: ConfigOption = None,
    task: Annotated[str | None, typer.Option(help="Task name (default routing.default_task).")]
    = None,
    explain: Annotated[bool, typer.Option("--explain", help="Show every feature.")] = False,
    confidence: Annotated[float | None, typer.Option(
        min=0.0, max=1.0, help="Assume this local confidence (skip the model).")] = None,
    run_local: Annotated[bool, typer.Option(
        help="Compute the local confidence with the learned head or the SLM.")] = False,
    data_class: Annotated[list[str] | None, typer.Option(
        help="Data classes present, repeatable (default: the privacy guard detects them).")]
    = None,
    uplink: Annotated[bool, typer.Option(help="Whether the uplink is up.")] = True,
    budget: Annotated[str, typer.Option(help="Budget state: ok, soft, hard, runaway.")] = "ok",
    deadline_ms: Annotated[float | None, typer.Option(help="Override the task's deadline.")]
    = None,
) -> None:
    """Show the route chosen for an input and why (before and after the local model)."""
    from dataclasses import replace

    from appliance.routing.context import approx_tokens
    from appliance.routing.router import BudgetState, Features, decide, estimate_complexity
    from appliance.routing.router import explain as explain_rows

    cfg = load_config(config)
    setup_logging("WARNING")
    body = sys.stdin.read() if text == "-" else text
    name = task or cfg.routing.default_task
    policy = cfg.routing.task(name)
    try:
        state = BudgetState(budget)
    except ValueError:
        fail(f"--budget must be one of {', '.join(s.value for s in BudgetState)}")
    tokens = approx_tokens(body)
    if data_class is None:
        from appliance.privacy.detect import Detector

        data_class = sorted({e.type.value for e in Detector(cfg.privacy).detect(body)})
    label = None
    if run_local:
        label, confidence, source = _local_confidence(cfg, name, body)
        err_console.print(f"local answer {label!r} at confidence {confidence:.3f} ({source})")
    f = Features(
        task=name, input_tokens=tokens,
        deadline_s=deadline_ms / 1000 if deadline_ms else cfg.routing.deadline_s(name),
        threshold=policy.threshold, complexity=estimate_complexity(name, body, tokens),
        data_classes=frozenset(c.upper() for c in data_class),
        never_egress=frozenset(c.upper() for c in cfg.routing.never_egress),
        cloud_allowed=policy.cloud_allowed,
        cloud_configured=bool(cfg.routing.cloud.base_url) or cfg.uplink.enabled,
        max_local_input_tokens=policy.max_local_input_tokens,
        direct_cloud_complexity=policy.direct_cloud_complexity,
        local_estimate_s=cfg.routing.local_seconds_per_1k_tokens * tokens / 1000,
        cloud_estimate_s=cfg.routing.cloud.expected_latency_s, budget=state, uplink_up=uplink,
        escalation_ttl_s=cfg.routing.escalation_ttl_s,
    )
    stages = [("before the local model", f)]
    if confidence is not None:
        stages.append(("after the local model", replace(f, local_confidence=confidence)))
    for title, feats in stages:
        decision = decide(feats)
        if explain:
            print(f"# {title}")
            for key, value in explain_rows(feats, decision):
                print(f"{key:>26}  {value}")
        else:
            print(json.dumps({"stage": title, "route": decision.route.value,
                              "reasons": list(decision.reasons), "label": label}))


@app.command()
def learn(
    *,
    config: ConfigOption = None,
    task: Annotated[str | None, typer.Option(help="Task name.")] = None,
    task_file: Annotated[Path | None, typer.Option(help="An SLM task TOML file (its name and "
                                                   "labels are used).")] = None,
    examples: Annotated[Path | None, typer.Option(help="JSONL lines of {\"text\", \"label\"}.")]
    = None,
    rollback: Annotated[bool, typer.Option(help="Make the previous (or --to) version current.")]
    = False,
    to: Annotated[int | None, typer.Option(help="Version for --rollback.")] = None,
    show: Annotated[bool, typer.Option(help="Print the current version's metadata.")] = False,
) -> None:
    """Add labelled examples to a task's classifier head and retrain it (versioned).

    Prints the held-back accuracy and the accuracy / cloud-share curve with the
    threshold that meets ``routing.learn.target_accuracy`` at the least cloud use.
    """
    from appliance.routing.calibrate import format_curve
    from appliance.routing.learn import HeadStore, LearnError, read_examples

    if (task is None) == (task_file is None):
        fail("give exactly one of --task NAME or --task-file FILE")
    cfg = load_config(config)
    setup_logging("WARNING")
    labels: list[str] | None = None
    name = task or ""
    if task_file is not None:
        from appliance.slm.tasks import load_task_file

        try:
            spec = load_task_file(task_file)
        except ApplianceError as exc:
            fail(str(exc))
        name, labels = spec.name, list(spec.labels)
    store = HeadStore(cfg.state_dir / cfg.routing.learn.state_subdir, name, cfg.routing.learn)
    try:
        if rollback:
            print(f"task {name}: version {store.rollback(to)} is current")
            return
        if show:
            print(json.dumps(store.meta(), indent=1))
            return
        if examples is None:
            fail("give --examples FILE.jsonl (or --rollback / --show)")
        pairs = read_examples(examples)
        if labels is not None:
            bad = sorted({lbl for _, lbl in pairs if lbl not in labels})
            if bad:
                fail(f"labels {bad} are not in task {name!r}'s labels {labels}")
        total = store.add_examples(pairs)
        err_console.print(f"task {name}: added {len(pairs)} examples, {total} in all")
        engine = _engine(cfg)
        with engine, Progress(TextColumn("{task.description}"), BarColumn(),
                              MofNCompleteColumn(), TimeElapsedColumn(),
                              console=err_console) as progress:
            bars: dict[str, TaskID] = {}

            def report(stage: str, done: int, of: int) -> None:
                if stage not in bars:
                    bars[stage] = progress.add_task(stage, total=of)
                progress.update(bars[stage], completed=done, total=of)

            version, cal = store.retrain(engine.embed, progress=report)
    except LearnError as exc:
        fail(str(exc))
    meta = store.meta(version)
    print(f"task {name}: head v{version} on {meta['examples']} examples; held-back accuracy "
          f"{meta['holdout_accuracy']:.3f} on {meta['holdout']} (temperature "
          f"{meta['temperature']:.2f})")
    for line in format_curve(cal):
        print(line)
    if cal.threshold is not None:
        print(f"set routing.tasks.{name}.threshold = {cal.threshold:.4f} to use it")


@app.command()
def threshold(
    scores: Annotated[Path, typer.Argument(help="JSONL of {\"confidence\", \"correct\"} or "
                                           "{\"confidence\", \"label\", \"predicted\"}.")],
    *,
    target: Annotated[float, typer.Option(min=0.0, max=1.0, help="Target accuracy.")] = 0.95,
    cloud_accuracy: Annotated[float, typer.Option(
        min=0.0, max=1.0, help="Expected accuracy of an escalated answer.")] = 0.97,
) -> None:
    """Choose the cascade threshold meeting a target accuracy at the least cloud use."""
    from appliance.routing.calibrate import calibrate_threshold, format_curve

    conf: list[float] = []
    right: list[bool] = []
    try:
        for line in scores.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            conf.append(float(row["confidence"]))
            right.append(bool(row["correct"]) if "correct" in row
                         else row["label"] == row["predicted"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        fail(f"{scores}: line {len(conf) + 1}: {exc}")
    if not conf:
        fail(f"{scores} holds no scores")
    for out in format_curve(calibrate_threshold(conf, right, target, cloud_accuracy)):
        print(out)
