"""Parse ``tegrastats`` output lines into typed samples, and run tegrastats in a thread.

The format differs between boards and JetPack releases; this parser accepts:

* an optional ``MM-DD-YYYY HH:MM:SS`` prefix (JetPack 5 and later);
* ``RAM used/totalMB (lfb NxSMB)``, ``SWAP used/totalMB (cached NMB)``;
* ``CPU [12%@1190,off,...]`` and the older ``CPU [12%,3%]@1190``;
* ``GR3D_FREQ 7%@1300``, ``GR3D_FREQ 7%@[1300,1300]`` (one clock per GPC),
  ``GR3D_FREQ 7%`` and ``GR3D_FREQ @[1000,1000]`` (no load figure);
* temperatures ``cpu@47.5C`` or ``cpu@47.5C/48.0C`` (``-256C``: sensor off);
* power rails ``VDD_IN 4037mW/4037mW``, ``VDD_GPU_SOC 5139mW/5139mW/5139mW``
  and the JetPack 4 form ``VDD_IN 4037/4037`` (current/average[/max] mW).
"""

from __future__ import annotations

import logging
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from appliance.errors import ApplianceError

log = logging.getLogger(__name__)

_DATE = re.compile(r"^\s*\d{2}-\d{2}-\d{4} \d{2}:\d{2}:\d{2}\s+")
_RAM = re.compile(r"\bRAM (\d+)/(\d+)MB")
_SWAP = re.compile(r"\bSWAP (\d+)/(\d+)MB")
_CPU = re.compile(r"\bCPU \[([^\]]*)\](?:@(\d+))?")
_CPU_CORE = re.compile(r"^(\d+)%(?:@(\d+))?$")
_GR3D = re.compile(r"\bGR3D_FREQ (?:(\d+)%)?(?:@(\[[\d,]*\]|\d+))?")
_EMC = re.compile(r"\bEMC_FREQ (\d+)%(?:@(\d+))?")
_TEMP = re.compile(r"(?<![\w%])([A-Za-z][A-Za-z0-9_]*)@(-?\d+(?:\.\d+)?)C(?:/-?\d+(?:\.\d+)?C)?\b")
_RAIL = re.compile(
    r"\b([A-Z][A-Z0-9_]*) (\d+)(?:mW)?/(\d+)(?:mW)?(?:/(\d+)(?:mW)?)?(?=\s|$)"
)
_NOT_RAILS = {"RAM", "SWAP", "IRAM"}
# Sensors that report a placeholder, not a die temperature (Xavier's PMIC reads
# a fixed 50 or 100 C); they must not drive the thermal policy.
_NOT_DIE = {"pmic"}
_SENSOR_OFF_BELOW = -40.0
_INPUT_RAILS = ("VDD_IN", "POM_5V_IN")


class TegrastatsError(ApplianceError):
    """A line is not tegrastats output."""


@dataclass(frozen=True)
class Rail:
    """One power rail: the current and running-average draw in milliwatts."""

    current_mw: float
    average_mw: float


@dataclass(frozen=True)
class TegraSample:
    """One parsed tegrastats line; fields absent from the board's output are None/empty."""

    ram_used_mb: int | None = None
    ram_total_mb: int | None = None
    swap_used_mb: int | None = None
    swap_total_mb: int | None = None
    cpu_load: tuple[float | None, ...] = ()  # per core; None: core powered off
    cpu_freq_mhz: tuple[int | None, ...] = ()
    gpu_load: float | None = None
    gpu_freq_mhz: int | None = None
    emc_load: float | None = None
    temperatures: dict[str, float] = field(default_factory=dict)  # lower-case names, °C
    rails: dict[str, Rail] = field(default_factory=dict)

    @property
    def cpu_load_avg(self) -> float | None:
        """Return the mean load of the cores that are on, in percent (None if none)."""
        on = [x for x in self.cpu_load if x is not None]
        return sum(on) / len(on) if on else None

    @property
    def cpus_online(self) -> int:
        """Return how many cores are powered on."""
        return sum(1 for x in self.cpu_load if x is not None)

    def hot_spot_c(self, sensors: Iterable[str] = ()) -> float | None:
        """Return the temperature that matters for throttling, in °C.

        With ``sensors``: the hottest of those present. Otherwise the junction
        temperature ``tj`` when the board reports it, else the hottest die sensor.
        """
        wanted = [s.lower() for s in sensors]
        if wanted:
            values = [self.temperatures[s] for s in wanted if s in self.temperatures]
        elif "tj" in self.temperatures:
            values = [self.temperatures["tj"]]
        else:
            values = [v for k, v in self.temperatures.items() if k not in _NOT_DIE]
        return max(values) if values else None

    @property
    def power_in_mw(self) -> float | None:
        """Return the module input power: VDD_IN / POM_5V_IN, else the sum of all rails."""
        for name in _INPUT_RAILS:
            if name in self.rails:
                return self.rails[name].current_mw
        return sum(r.current_mw for r in self.rails.values()) if self.rails else None

    def as_metrics(self) -> dict[str, float]:
        """Return flat ``name -> value`` gauges for telemetry and Prometheus."""
        out: dict[str, float] = {}
        scalars = {
            "ram_used_mb": self.ram_used_mb, "ram_total_mb": self.ram_total_mb,
            "swap_used_mb": self.swap_used_mb, "swap_total_mb": self.swap_total_mb,
            "cpu_load_percent": self.cpu_load_avg, "gpu_load_percent": self.gpu_load,
            "gpu_freq_mhz": self.gpu_freq_mhz, "emc_load_percent": self.emc_load,
            "power_in_mw": self.power_in_mw, "hot_spot_c": self.hot_spot_c(),
        }
        out.update({k: float(v) for k, v in scalars.items() if v is not None})
        if self.cpu_load:
            out["cpus_online"] = float(self.cpus_online)
        out.update({f"temp_{k}_c": v for k, v in self.temperatures.items()})
        out.update({f"rail_{k.lower()}_mw": r.current_mw for k, r in self.rails.items()})
        return out


def _cpu(text: str) -> tuple[tuple[float | None, ...], tuple[int | None, ...]]:
    match = _CPU.search(text)
    if not match:
        return (), ()
    shared = int(match.group(2)) if match.group(2) else None
    loads: list[float | None] = []
    freqs: list[int | None] = []
    for entry in match.group(1).split(","):
        core = entry.strip()
        if core == "off":
            loads.append(None)
            freqs.append(None)
            continue
        cm = _CPU_CORE.match(core)
        if not cm:
            raise TegrastatsError(f"unreadable CPU entry {core!r}")
        loads.append(float(cm.group(1)))
        freqs.append(int(cm.group(2)) if cm.group(2) else shared)
    return tuple(loads), tuple(freqs)


def _gpu(text: str) -> tuple[float | None, int | None]:
    match = _GR3D.search(text)
    if not match:
        return None, None
    load = float(match.group(1)) if match.group(1) else None
    raw = match.group(2)
    if not raw:
        return load, None
    clocks = [int(x) for x in raw.strip("[]").split(",") if x]
    return load, max(clocks) if clocks else None


def parse_line(line: str) -> TegraSample:
    """Parse one tegrastats line.

    Raises TegrastatsError when the line carries none of RAM, CPU, temperature
    or rail figures (it is not tegrastats output).
    """
    text = _DATE.sub("", line.strip())
    ram, swap, emc = _RAM.search(text), _SWAP.search(text), _EMC.search(text)
    loads, freqs = _cpu(text)
    gpu_load, gpu_freq = _gpu(text)
    temps: dict[str, float] = {}
    for name, value in _TEMP.findall(text):
        celsius = float(value)
        if celsius > _SENSOR_OFF_BELOW:
            temps[name.lower()] = celsius
    rails = {
        name: Rail(float(cur), float(avg))
        for name, cur, avg, _max in _RAIL.findall(text) if name not in _NOT_RAILS
    }
    if not (ram or loads or temps or rails):
        raise TegrastatsError(f"not a tegrastats line: {line[:80]!r}")
    return TegraSample(
        ram_used_mb=int(ram.group(1)) if ram else None,
        ram_total_mb=int(ram.group(2)) if ram else None,
        swap_used_mb=int(swap.group(1)) if swap else None,
        swap_total_mb=int(swap.group(2)) if swap else None,
        cpu_load=loads, cpu_freq_mhz=freqs, gpu_load=gpu_load, gpu_freq_mhz=gpu_freq,
        emc_load=float(emc.group(1)) if emc else None, temperatures=temps, rails=rails,
    )


def parse_lines(
    lines: Iterable[str], on_error: Callable[[str, TegrastatsError], None] | None = None,
) -> Iterator[TegraSample]:
    """Yield a sample per parseable line; blank lines are skipped, bad ones go to ``on_error``."""
    for line in lines:
        if not line.strip():
            continue
        try:
            yield parse_line(line)
        except TegrastatsError as exc:
            if on_error is not None:
                on_error(line, exc)
            else:
                log.warning("skipping line: %s", exc)


class TegrastatsReader:
    """Run ``tegrastats --interval N`` in a thread and hand each sample to ``on_sample``.

    Where tegrastats is missing (not a Jetson) the reader logs once and stops;
    the appliance runs on without board telemetry.
    """

    def __init__(self, on_sample: Callable[[TegraSample], None], *,
                 command: str = "tegrastats", interval_ms: int = 1000) -> None:
        self._on_sample = on_sample
        self._argv = [command, "--interval", str(interval_ms)]
        self._proc: subprocess.Popen[str] | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.samples = 0
        self.bad_lines = 0
        self.latest: TegraSample | None = None

    def start(self) -> bool:
        """Start tegrastats; return False (and log) when it cannot be run."""
        try:
            self._proc = subprocess.Popen(self._argv, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, text=True, bufsize=1)
        except OSError as exc:
            log.warning("no board telemetry: cannot run %s (%s)", self._argv[0], exc)
            return False
        self._thread = threading.Thread(target=self._run, name="tegrastats", daemon=True)
        self._thread.start()
        return True

    def _bad(self, line: str, exc: TegrastatsError) -> None:
        self.bad_lines += 1
        log.debug("tegrastats: %s", exc)

    def _run(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for sample in parse_lines(self._proc.stdout, self._bad):
            self.latest = sample
            self.samples += 1
            try:
                self._on_sample(sample)
            except Exception:
                log.exception("tegrastats sample handler failed")
        if not self._stopping.is_set():
            log.warning("tegrastats exited with code %s", self._proc.wait())

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate tegrastats and join the reader thread."""
        self._stopping.set()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
