"""Board profiles (one TOML file per Jetson module in ``hw/``) and board detection.

Detection reads the device-tree model string (``/proc/device-tree/model``) and,
when present beside it, the ``compatible`` list with the module part numbers
(``p3701-0005``...). A part number is the most specific evidence; the model
string is matched next, and when several profiles fit (an AGX Orin developer
kit reads the same for 32 and 64 GB) the installed memory decides. A board that
no profile fits, or whose memory is far below its profile's, gets the safe CPU
profile and a warning, never a crash.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from appliance.errors import ConfigError

log = logging.getLogger(__name__)

FALLBACK_ID = "cpu-fallback"
# A board with less than this share of its profile's memory is not that board
# (an Orin NX 8GB reads "Orin NX" like the 16GB module): loading the bigger
# board's defaults would run it out of memory.
MIN_MEMORY_SHARE = 0.75


class PowerMode(BaseModel):
    """One nvpmodel mode: its id, its name and its power budget (None: uncapped)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int = Field(ge=0)
    name: str
    watts: float | None = Field(default=None, gt=0)


class SlmDefaults(BaseModel):
    """What the SLM stage should run on this board unless the config says otherwise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str
    fallback_model: str = Field(description="the smaller model used when the board runs hot")
    gpu_layers: int = Field(ge=-1, description="-1: offload every layer")
    context: int = Field(ge=256)
    concurrency: int = Field(ge=1)


class OnnxDefaults(BaseModel):
    """ONNX Runtime execution providers in order of preference."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    providers: list[str] = Field(min_length=1)


class ThermalDefaults(BaseModel):
    """The board's default thermal thresholds in degrees Celsius."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    throttle_c: float
    fallback_c: float


class BoardProfile(BaseModel):
    """Everything the appliance needs to know about one module."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    soc: str
    cuda_arch: str | None = None
    fallback: bool = False
    model_patterns: list[str] = Field(default_factory=list)
    part_numbers: list[str] = Field(default_factory=list)
    memory_gb: float = Field(gt=0)
    memory_bandwidth_gbs: float = Field(ge=0)
    gpu: str
    gpu_cuda_cores: int = Field(ge=0)
    gpu_tensor_cores: int = Field(ge=0)
    dla: int = Field(ge=0)
    power_modes: list[PowerMode] = Field(min_length=1)
    default_power_mode: int
    slm: SlmDefaults
    onnx: OnnxDefaults
    thermal: ThermalDefaults

    @model_validator(mode="after")
    def _consistent(self) -> BoardProfile:
        ids = [m.id for m in self.power_modes]
        if len(set(ids)) != len(ids):
            raise ValueError("power mode ids must be unique")
        if self.default_power_mode not in ids:
            raise ValueError(f"default_power_mode {self.default_power_mode} is not a listed mode")
        for pattern in self.model_patterns:
            re.compile(pattern)
        if self.thermal.fallback_c < self.thermal.throttle_c:
            raise ValueError("thermal.fallback_c must be >= thermal.throttle_c")
        return self

    def power_mode(self, mode_id: int | None = None) -> PowerMode:
        """Return the power mode ``mode_id`` (default: the profile's); raise KeyError if unknown."""
        wanted = self.default_power_mode if mode_id is None else mode_id
        for mode in self.power_modes:
            if mode.id == wanted:
                return mode
        raise KeyError(f"{self.id} has no power mode {wanted}")


_BUILTIN_FALLBACK = BoardProfile(
    id=FALLBACK_ID, name="Generic CPU (no accelerator assumed)", soc="unknown", fallback=True,
    memory_gb=4, memory_bandwidth_gbs=0, gpu="none", gpu_cuda_cores=0, gpu_tensor_cores=0, dla=0,
    power_modes=[PowerMode(id=0, name="default")], default_power_mode=0,
    slm=SlmDefaults(model="gemma3-270m-q4-k-m", fallback_model="gemma3-270m-q4-k-m",
                    gpu_layers=0, context=2048, concurrency=1),
    onnx=OnnxDefaults(providers=["CPUExecutionProvider"]),
    thermal=ThermalDefaults(throttle_c=80, fallback_c=90),
)


def default_profile_dirs() -> list[Path]:
    """Return where profiles are looked for: /etc, the installed share dir, the source tree."""
    return [
        Path("/etc/appliance/hw"),
        Path("/usr/share/appliance/hw"),
        Path(__file__).resolve().parents[2] / "hw",
    ]


def find_profiles_dir(configured: Path | None = None) -> Path | None:
    """Return the configured directory, or the first default one holding ``*.toml`` files.

    Raises ConfigError when a configured directory does not exist.
    """
    if configured is not None:
        if not configured.is_dir():
            raise ConfigError([("hw.profiles_dir", f"{configured} is not a directory")])
        return configured
    for candidate in default_profile_dirs():
        if candidate.is_dir() and any(candidate.glob("*.toml")):
            return candidate
    return None


def load_profile(path: Path) -> BoardProfile:
    """Parse one profile file; raise ConfigError naming the file and key paths."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return BoardProfile.model_validate(data)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([("<file>", f"not valid TOML: {exc}")], str(path)) from exc
    except ValidationError as exc:
        problems = [(".".join(str(p) for p in e["loc"]) or "<root>", e["msg"])
                    for e in exc.errors()]
        raise ConfigError(problems, str(path)) from exc
    except re.error as exc:
        problem = ("model_patterns", f"bad regular expression: {exc}")
        raise ConfigError([problem], str(path)) from exc


def load_profiles(directory: Path | None = None) -> dict[str, BoardProfile]:
    """Load every ``*.toml`` profile in ``directory`` (default: :func:`find_profiles_dir`).

    The CPU fallback profile is always present (built in if no file defines it).
    Raises ConfigError for a broken file or two files with the same id.
    """
    found = find_profiles_dir(directory)
    profiles: dict[str, BoardProfile] = {}
    if found is None:
        log.warning("no board profile directory found; only the CPU fallback profile is known")
    else:
        for path in sorted(found.glob("*.toml")):
            profile = load_profile(path)
            if profile.id in profiles:
                raise ConfigError([("id", f"duplicate profile id {profile.id!r}")], str(path))
            profiles[profile.id] = profile
    profiles.setdefault(FALLBACK_ID, _BUILTIN_FALLBACK)
    return profiles


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return None


def read_model(path: Path) -> str | None:
    """Return the device-tree model string without its NUL terminator, or None if unreadable."""
    raw = _read_text(path)
    return None if raw is None else raw.replace("\x00", "").strip()


def read_part_numbers(path: Path) -> list[str]:
    """Return the module/carrier part numbers in a device-tree ``compatible`` file.

    ``nvidia,p3768-0000+p3767-0005-super\\0nvidia,p3767-0005\\0nvidia,tegra234``
    gives ``["p3768-0000", "p3767-0005-super", "p3767-0005", "tegra234"]``.
    """
    raw = _read_text(path)
    if not raw:
        return []
    parts: list[str] = []
    for entry in raw.split("\x00"):
        name = entry.strip().split(",", 1)[-1]
        parts.extend(p for p in name.split("+") if p and p not in parts)
    return parts


def read_memory_gib(meminfo: Path) -> float | None:
    """Return MemTotal from a ``/proc/meminfo`` style file in GiB, or None."""
    raw = _read_text(meminfo)
    match = re.search(r"^MemTotal:\s+(\d+)\s*kB", raw or "", re.MULTILINE)
    return int(match.group(1)) / (1024 * 1024) if match else None


@dataclass(frozen=True)
class Detection:
    """The chosen profile and why: ``source`` is override, part_number, model or fallback."""

    profile: BoardProfile
    source: Literal["override", "part_number", "model", "fallback"]
    model: str | None = None
    part_numbers: list[str] = field(default_factory=list)
    memory_gib: float | None = None
    warnings: list[str] = field(default_factory=list)


def _memory_fits(profile: BoardProfile, memory_gib: float | None) -> bool:
    return memory_gib is None or memory_gib >= MIN_MEMORY_SHARE * profile.memory_gb


def _closest_memory(cands: Iterable[BoardProfile], memory_gib: float | None) -> BoardProfile:
    ordered = sorted(cands, key=lambda p: p.memory_gb)
    if memory_gib is None:
        return ordered[0]  # the smallest board's defaults are the safe guess
    return min(ordered, key=lambda p: abs(p.memory_gb - memory_gib))


def detect(
    profiles: dict[str, BoardProfile],
    model_path: Path = Path("/proc/device-tree/model"),
    *,
    compatible_path: Path | None = None,
    meminfo_path: Path = Path("/proc/meminfo"),
    board: str = "auto",
) -> Detection:
    """Pick the profile for this board.

    ``board`` other than ``"auto"`` forces a profile id. ``compatible_path``
    defaults to the ``compatible`` file beside ``model_path``. Raises
    ConfigError only for a forced id that no profile has.
    """
    fallback = profiles.get(FALLBACK_ID, _BUILTIN_FALLBACK)
    if board != "auto":
        if board not in profiles:
            known = ", ".join(sorted(profiles))
            raise ConfigError([("hw.board", f"unknown board {board!r}; known: {known}")])
        return Detection(profile=profiles[board], source="override")
    model = read_model(model_path)
    parts = read_part_numbers(compatible_path or model_path.with_name("compatible"))
    memory = read_memory_gib(meminfo_path)
    warnings: list[str] = []
    boards = [p for p in profiles.values() if not p.fallback]

    by_part = [(len(pn), p) for p in boards for pn in p.part_numbers if pn in parts]
    if by_part:
        best = max(by_part, key=lambda item: item[0])[1]
        if _memory_fits(best, memory):
            return Detection(best, "part_number", model, parts, memory)
        warnings.append(f"part number says {best.id} but only {memory:.1f} GiB memory is installed")

    if model:
        cands = [p for p in boards if any(re.search(rx, model) for rx in p.model_patterns)]
        fitting = [p for p in cands if _memory_fits(p, memory)]
        if fitting:
            return Detection(_closest_memory(fitting, memory), "model", model, parts, memory,
                             warnings)
        if cands:
            warnings.append(f"model {model!r} looks like {', '.join(p.id for p in cands)} but "
                            f"{memory:.1f} GiB memory is too little for its defaults")
        else:
            warnings.append(f"no board profile matches model {model!r}")
    else:
        warnings.append(f"no device-tree model at {model_path} (not a Jetson?)")
    for text in warnings:
        log.warning("board detection: %s; using the safe %s profile", text, fallback.id)
    return Detection(fallback, "fallback", model, parts, memory, warnings)


def load_and_detect(profiles_dir: Path | None, model_path: Path, board: str = "auto") -> Detection:
    """Load the profiles and detect the board in one call (what the daemon and CLI use).

    Raises ConfigError for a broken profile file or an unknown forced board.
    """
    return detect(load_profiles(profiles_dir), model_path, board=board)

