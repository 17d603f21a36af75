"""``appliance hw``: detect the board, list profiles, parse tegrastats output."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from appliance.cli import app
from appliance.cli.common import ConfigOption, err_console, fail, load_config, setup_logging
from appliance.errors import ConfigError

hw_app = typer.Typer(help="Board detection, profiles and telemetry.", no_args_is_help=True)
app.add_typer(hw_app, name="hw")

ModelPathOption = Annotated[Path | None, typer.Option(
    "--model-path", help="Device-tree model file (default: hw.device_tree_model).")]
ProfilesOption = Annotated[Path | None, typer.Option(
    "--profiles-dir", help="Board profile directory (default: hw.profiles_dir or installed).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def _profile_summary(detection: Any) -> dict[str, Any]:
    p = detection.profile
    mode = p.power_mode()
    return {
        "profile": p.id, "name": p.name, "source": detection.source, "model": detection.model,
        "part_numbers": detection.part_numbers, "memory_gib": detection.memory_gib,
        "warnings": detection.warnings, "soc": p.soc, "cuda_arch": p.cuda_arch,
        "memory_gb": p.memory_gb, "memory_bandwidth_gbs": p.memory_bandwidth_gbs, "gpu": p.gpu,
        "dla": p.dla, "power_mode": {"id": mode.id, "name": mode.name, "watts": mode.watts},
        "power_modes": [m.model_dump() for m in p.power_modes],
        "slm": p.slm.model_dump(), "onnx_providers": p.onnx.providers,
        "thermal": p.thermal.model_dump(),
    }


@hw_app.command("detect")
def detect_cmd(
    config: ConfigOption = None,
    model_path: ModelPathOption = None,
    profiles_dir: ProfilesOption = None,
    board: Annotated[str | None, typer.Option(help="Force a profile id (hw.board).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Read the device-tree model string, pick the board profile and print its defaults.

    Unknown boards get the safe CPU profile and a warning (exit code 0).
    """
    from appliance.hw.profiles import detect, load_profiles

    setup_logging("ERROR")  # detection warnings are printed below, once
    hw = load_config(config).hw if config is not None else None
    path = model_path or (hw.device_tree_model if hw else Path("/proc/device-tree/model"))
    directory = profiles_dir or (hw.profiles_dir if hw else None)
    forced = board or (hw.board if hw else "auto")
    try:
        detection = detect(load_profiles(directory), path, board=forced)
    except ConfigError as exc:
        fail(str(exc), "list the profiles with `appliance hw profiles`")
    summary = _profile_summary(detection)
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    for text in detection.warnings:
        err_console.print(f"[yellow]warning:[/] {text}", highlight=False)
    s = summary
    typer.echo(f"board:        {s['name']} ({s['profile']}, by {s['source']})")
    typer.echo(f"model string: {s['model'] or '-'}")
    typer.echo(f"memory:       {s['memory_gb']} GB, {s['memory_bandwidth_gbs']} GB/s")
    typer.echo(f"gpu:          {s['gpu']}; DLA x{s['dla']}")
    watts = s["power_mode"]["watts"]
    typer.echo(f"power mode:   {s['power_mode']['id']} {s['power_mode']['name']}"
               f" ({f'{watts:g} W' if watts else 'uncapped'})")
    slm = s["slm"]
    typer.echo(f"slm:          {slm['model']} (hot: {slm['fallback_model']}), gpu_layers "
               f"{slm['gpu_layers']}, context {slm['context']}, concurrency {slm['concurrency']}")
    typer.echo(f"onnx:         {' > '.join(s['onnx_providers'])}")
    typer.echo(f"thermal:      throttle {s['thermal']['throttle_c']} C, "
               f"fallback {s['thermal']['fallback_c']} C")


@hw_app.command("profiles")
def profiles_cmd(profiles_dir: ProfilesOption = None) -> None:
    """List the known board profiles."""
    from appliance.hw.profiles import load_profiles

    try:
        profiles = load_profiles(profiles_dir)
    except ConfigError as exc:
        fail(str(exc))
    for p in sorted(profiles.values(), key=lambda x: x.id):
        typer.echo(f"{p.id:22} {p.name:38} {p.memory_gb:>4g} GB  {p.slm.model}")


@hw_app.command("tegrastats")
def tegrastats_cmd(as_json: JsonOption = True) -> None:
    """Parse tegrastats lines from stdin and print one JSON sample per line.

    Lines that are not tegrastats output are counted on stderr; the exit code
    is 1 when no line parsed.
    """
    from appliance.hw.tegrastats import TegrastatsError, parse_lines

    bad: list[str] = []

    def on_error(line: str, exc: TegrastatsError) -> None:
        bad.append(line)
        err_console.print(f"[yellow]skipped:[/] {exc}", highlight=False)

    parsed = 0
    for sample in parse_lines(sys.stdin, on_error):
        parsed += 1
        metrics = sample.as_metrics()
        if as_json:
            typer.echo(json.dumps(metrics, sort_keys=True))
        else:
            typer.echo(" ".join(f"{k}={v:g}" for k, v in sorted(metrics.items())))
    err_console.print(f"{parsed} parsed, {len(bad)} skipped", highlight=False)
    if parsed == 0:
        raise typer.Exit(1)
