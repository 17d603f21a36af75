"""The board as the daemon sees it: profile, live tegrastats figures and thermal state.

:class:`HardwareMonitor` is the one object the daemon needs from this package
for telemetry: it detects the board, runs tegrastats, feeds each sample's
hot-spot temperature to the thermal governor, and returns what goes on the
telemetry topic (:meth:`telemetry`) and on ``/metrics`` (:meth:`metrics`).
Thermal level changes reach listeners registered with :meth:`on_thermal_change`
(the SLM stage lowers its concurrency or swaps to the smaller model there).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from appliance.hw.profiles import Detection, detect, load_profiles
from appliance.hw.settings import HardwareConfig
from appliance.hw.tegrastats import TegraSample, TegrastatsReader
from appliance.hw.thermal import ThermalGovernor, ThermalPolicy, ThermalState

log = logging.getLogger(__name__)


class HardwareMonitor:
    """Detects the board and keeps its telemetry and thermal state current."""

    def __init__(self, config: HardwareConfig, detection: Detection | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.detection = detection or detect(load_profiles(config.profiles_dir),
                                             config.device_tree_model, board=config.board)
        self._clock = clock
        self.policy = ThermalPolicy.from_config(config.thermal, self.detection.profile)
        self.governor = ThermalGovernor(self.policy, clock())
        self.reader = TegrastatsReader(self.on_sample, command=config.tegrastats,
                                       interval_ms=config.tegrastats_interval_ms)
        self.latest: TegraSample | None = None

    def on_thermal_change(self, listener: Callable[[ThermalState, ThermalState], None]) -> None:
        """Call ``listener(old, new)`` whenever the thermal level changes."""
        self.governor.subscribe(listener)

    def start(self) -> bool:
        """Start tegrastats; return False when it is not available (telemetry then omits it)."""
        if not self.config.enabled:
            return False
        return self.reader.start()

    def stop(self) -> None:
        """Stop tegrastats."""
        self.reader.stop()

    def on_sample(self, sample: TegraSample) -> None:
        """Take one tegrastats sample (called from the reader thread)."""
        self.latest = sample
        self.governor.update(sample.hot_spot_c(self.config.thermal.sensors), self._clock())

    def telemetry(self) -> dict[str, Any]:
        """Return the JSON-able hardware part of the telemetry message."""
        profile = self.detection.profile
        mode = profile.power_mode()
        return {
            "board": profile.id, "board_source": self.detection.source,
            "model_string": self.detection.model,
            "power_mode": {"id": mode.id, "name": mode.name, "watts": mode.watts},
            "thermal": self.governor.state.as_dict(),
            "tegrastats": self.latest.as_metrics() if self.latest else None,
            "tegrastats_samples": self.reader.samples,
        }

    def metrics(self) -> dict[str, float]:
        """Return flat gauges (``hw_`` prefixed) for Prometheus."""
        out = {f"hw_{k}": v for k, v in self.governor.as_metrics().items()}
        if self.latest is not None:
            out.update({f"hw_{k}": v for k, v in self.latest.as_metrics().items()})
        out["hw_tegrastats_samples_total"] = float(self.reader.samples)
        out["hw_tegrastats_bad_lines_total"] = float(self.reader.bad_lines)
        return out
