"""``appliance run``: build every part from the config, run until SIGTERM, drain, stop.

Order of start: embedded broker (if configured) → pipeline workers → MQTT link
→ local API. ``READY=1`` goes to systemd once the broker has granted the
subscriptions; ``WATCHDOG=1`` is sent only while the pipeline's workers are
alive; ``STOPPING=1`` starts the drain.
"""

from __future__ import annotations

import faulthandler
import json
import logging
import signal
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from appliance.broker import EmbeddedBroker
from appliance.config import Config, api_token
from appliance.errors import ApplianceError, PayloadError
from appliance.heartbeat_summary import SummaryWriter, summary_path
from appliance.hw.monitor import HardwareMonitor
from appliance.ingest.mqtt import MqttLink
from appliance.ingest.parse import parse
from appliance.metrics import DaemonMetrics
from appliance.notify import notify, watchdog_interval_s
from appliance.pipeline import Decide, Pipeline
from appliance.rules import RuleDecider
from appliance.schema import DeadLetterReason, Decision, Event, EventKind
from appliance.telemetry import GaugeCollector, TelemetryPublisher

if TYPE_CHECKING:
    from appliance.escalation import Escalation
    from appliance.frames import FrameStage
    from appliance.hw.camera_ingest import CameraFrame, CameraIngest
    from appliance.hw.serial_ingest import SerialIngest
    from appliance.hw.thermal import ThermalState
    from appliance.slm.engine import SlmEngine
    from appliance.stages import ModelDecider

log = logging.getLogger(__name__)


class Daemon:
    """The running device service."""

    def __init__(self, config: Config, decide: Decide | None = None) -> None:
        self.config = config
        self.metrics = DaemonMetrics()
        self.engine: SlmEngine | None = None
        self.started_at = time.monotonic()
        self.hardware = HardwareMonitor(config.hw) if config.hw.enabled else None
        self.model_decider: ModelDecider | None = None
        if decide is None and (config.slm.enabled or config.perception.enabled):
            from appliance.stages import build_decider

            self.model_decider, self.engine = build_decider(config, self.hardware)
            if self.hardware is not None:
                self.model_decider.limiter.set_limit(self.hardware.governor.state.concurrency)
            decide = self.model_decider.decide
        if decide is not None and self.hardware is not None:
            decide = self._with_thermal(decide)
        self.escalation: Escalation | None = None
        cloud_path = config.uplink.enabled or bool(config.routing.cloud.base_url)
        if config.routing.enabled and (self.engine is not None or cloud_path):
            from appliance.escalation import build_escalation

            self.escalation = build_escalation(config, self.engine, self.metrics.registry)
        if self.escalation is not None:
            self.escalation.publish = self._publish_decision
            self.escalation.alert = self._publish_alert
            if self.model_decider is not None:
                self.model_decider.escalation = self.escalation
        self.broker: EmbeddedBroker | None = None
        self.stopping = threading.Event()
        self._ready = threading.Event()
        self._server: Any = None
        self._server_thread: threading.Thread | None = None
        inline = decide is None and config.pipeline.inline_rules
        self.decide = decide or RuleDecider(config.rules, config.device_id).decide
        self.pipeline = Pipeline(
            config.device_id, self.decide, self._publish, config.topic("decisions"),
            config.topic("deadletter"), self.metrics, config.pipeline.queue_size,
            config.pipeline.workers, config.pipeline.dedup_window, inline=inline)
        self.link = MqttLink(config, self._on_message, on_subscribed=self._on_subscribed)
        self.telemetry = TelemetryPublisher(
            config.device_id, lambda body: self._publish(config.topic("telemetry"), body, None),
            config.pipeline.telemetry_interval_s)
        self.telemetry.sources["pipeline"] = lambda: {
            "queue_depth": self.pipeline.depth(), "inflight": self.pipeline.inflight()}
        self.telemetry.sources["models"] = self.models_state
        # The fleet agent heartbeats with a summary of each document (a separate process).
        self.telemetry.sinks.append(SummaryWriter(summary_path(config)))
        if self.escalation is not None:
            self.telemetry.sources["uplink"] = self.escalation.uplink_state
            self.telemetry.sources["budgets"] = self.escalation.budgets.snapshot
            if self.escalation.uplink is not None:
                self.metrics.registry.register(
                    self.escalation.uplink.collector())  # type: ignore[arg-type]
        if self.hardware is not None:
            self.telemetry.sources["hw"] = self.hardware.telemetry
            self.metrics.registry.register(GaugeCollector(self.hardware.metrics))
            self.hardware.on_thermal_change(self._on_thermal_change)
        self.frames: FrameStage | None = None
        if config.perception.enabled and config.perception.camera.enabled:
            from appliance.frames import FrameStage
            from appliance.perception.vision import Detector

            self.frames = FrameStage(Detector(config.perception), self.pipeline)
        self.serial: list[SerialIngest] = []
        self.cameras: list[CameraIngest] = []
        if config.hw.serial:
            from appliance.hw.serial_ingest import SerialIngest

            self.serial = [SerialIngest(port, self.pipeline) for port in config.hw.serial]
        if config.hw.cameras:  # OpenCV loads only when a camera is configured
            from appliance.hw.camera_ingest import CameraIngest

            self.cameras = [CameraIngest(cam, self._on_frame) for cam in config.hw.cameras]

    # -- wiring -----------------------------------------------------------------------------

    def _publish(self, topic: str, payload: bytes, on_acked: Callable[[], None] | None) -> None:
        self.link.publish(topic, payload, on_acked)

    def _on_message(self, sub: Any, topic: str, payload: bytes, ack: Callable[[], None]) -> None:
        if sub is None:
            self.pipeline.dead_letter(topic, payload, DeadLetterReason.UNKNOWN_TOPIC,
                                      "no subscription pattern matches this topic", ack=ack)
            return
        try:
            event = parse(sub.kind, sub.topic, topic, payload, self.config.mqtt.max_payload_bytes)
        except PayloadError as exc:
            self.pipeline.dead_letter(topic, payload, exc.reason, exc.detail, ack=ack)
            return
        if sub.kind == "camera_frame" and self.frames is not None:
            self.frames.submit(event, payload, ack)
            return
        self.pipeline.submit(event, ack)

    def _publish_decision(self, decision: Decision) -> None:
        self.pipeline.recent.append(decision)
        self._publish(self.config.topic("decisions"), decision.model_dump_json().encode(), None)

    def _publish_alert(self, alert: dict[str, Any]) -> None:
        self._publish(self.config.topic("alerts"), json.dumps(alert).encode(), None)

    def _with_thermal(self, decide: Decide) -> Decide:
        assert self.hardware is not None
        governor = self.hardware.governor

        def decide_and_tag(event: Event) -> Decision:
            decision = decide(event)
            state = governor.state
            if state.level.value != "normal":
                decision.detail["thermal"] = state.as_dict()
            return decision

        return decide_and_tag

    def _on_thermal_change(self, old: ThermalState, new: ThermalState) -> None:
        log.warning("thermal state %s -> %s (%s); SLM concurrency %d, model %s",
                    old.level.value, new.level.value, new.reason, new.concurrency, new.model)
        if self.model_decider is not None:
            self.model_decider.limiter.set_limit(new.concurrency)
        self.telemetry.publish_now()

    def _on_frame(self, frame: CameraFrame) -> None:
        event = Event(id=f"frame-{frame.camera}-{frame.seq}-{int(frame.ts * 1000)}",
                      kind=EventKind.CAMERA, source=frame.camera, topic=f"camera/{frame.camera}",
                      ts=frame.ts, attributes={"width": frame.width, "height": frame.height,
                                               "jpeg_bytes": len(frame.jpeg)})
        if self.frames is not None:
            self.frames.submit(event, frame.jpeg)
        else:
            self.pipeline.submit(event)

    def models_state(self) -> dict[str, Any]:
        """What is loaded, for telemetry, /status and the console."""
        return {
            "slm": self.engine.model_name if self.engine is not None else None,
            "slm_queue": self.engine.queue_depth if self.engine is not None else 0,
            "slm_warm": bool(self.model_decider and self.model_decider.warm.is_set()),
            "anomaly": bool(self.model_decider and self.model_decider.anomaly),
            "decider": "models" if self.model_decider is not None else "rules",
            "heads": (self.escalation.learned.state() if self.escalation is not None
                      and self.escalation.learned is not None else {}),
        }

    def _on_subscribed(self) -> None:
        self.metrics.mqtt_connected.set(1)
        if not self._ready.is_set():
            self._ready.set()
            self.metrics.ready.set(1)
            notify("READY=1\nSTATUS=subscribed; deciding events")
            log.info("ready %.2fs after start: subscribed to %d topic filter(s)",
                     time.monotonic() - self.started_at, len(self.config.mqtt.subscriptions))

    def ready(self) -> bool:
        """True once subscribed, while connected, and while the workers live."""
        return self._ready.is_set() and self.link.state.connected and self.pipeline.alive()

    def link_state(self) -> dict[str, Any]:
        """The MQTT link as JSON-able data (no credentials)."""
        s = self.link.state
        return {"host": self.config.mqtt.host, "port": self.config.mqtt.port,
                "connected": s.connected, "subscribed": s.subscribed, "connects": s.connects,
                "disconnects": s.disconnects, "last_error": s.last_error}

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start every part; returns once they run (readiness follows asynchronously)."""
        cfg = self.config
        cfg.state_dir.mkdir(parents=True, exist_ok=True)
        if cfg.mqtt.embedded_broker:
            self.broker = EmbeddedBroker(cfg.state_dir / "mosquitto", port=cfg.mqtt.port,
                                         host=cfg.mqtt.host)
            self.broker.start()
        self.pipeline.start()
        if cfg.api.enabled:
            self._start_api()
        self.link.start()
        if self.hardware is not None:
            self.hardware.start()
        if self.escalation is not None:
            self.escalation.start()
        for port in self.serial:
            port.start()
        for cam in self.cameras:
            cam.start()
        self.telemetry.start()
        threading.Thread(target=self._watchdog, name="watchdog", daemon=True).start()

    def _start_api(self) -> None:
        import uvicorn

        from appliance.api.device import DeviceContext, create_app
        from appliance.console.device import create_device_console_router

        ctx = DeviceContext(config=self.config, token=api_token(self.config), metrics=self.metrics,
                            pipeline=self.pipeline, ready=self.ready, link_state=self.link_state)
        ctx.status_extras["models"] = self.models_state
        if self.hardware is not None:
            ctx.status_extras["hw"] = self.hardware.telemetry
        routers = []
        usage = None
        if self.escalation is not None:
            from appliance.api.gateway import create_gateway_router
            from appliance.routing.local_chat import SlmChat

            esc = self.escalation
            ctx.status_extras["uplink"] = esc.uplink_state
            ctx.status_extras["budgets"] = esc.budgets.snapshot
            usage = esc.usage
            local = (SlmChat(self.engine, self.engine.runtime.n_ctx)
                     if self.engine is not None else None)
            routers.append(create_gateway_router(
                self.config.routing, local=local, cloud=esc.cloud, gate=esc.gate,
                budgets=esc.budgets, meter=esc.meter))
        app = create_app(ctx, extra_routers=routers)
        # Console pages are public (they hold no data); their data routes need the token.
        app.include_router(create_device_console_router(ctx, usage=usage))
        uv_config = uvicorn.Config(app, host=self.config.api.host, port=self.config.api.port,
                                   log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(uv_config)
        self._server_thread = threading.Thread(target=self._server.run, name="api", daemon=True)
        self._server_thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._server.started:
            raise ApplianceError(f"local API could not listen on port {self.config.api.port}")
        log.info("local API on http://%s:%d (bearer token required)", self.config.api.host,
                 self.config.api.port)

    def _watchdog(self) -> None:
        period = watchdog_interval_s() or self.config.pipeline.watchdog_interval_s
        while not self.stopping.wait(period):
            self.metrics.mqtt_connected.set(1 if self.link.state.connected else 0)
            if self.pipeline.alive():
                notify("WATCHDOG=1")
            else:
                log.error("pipeline workers stalled; withholding the watchdog ping")

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT start a graceful shutdown."""
        def handler(signum: int, frame: object) -> None:
            log.info("received %s; draining", signal.Signals(signum).name)
            self.stopping.set()

        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
        # `kill -USR1 <pid>` dumps every thread's stack to the log, for a stuck drain.
        faulthandler.register(signal.SIGUSR1, all_threads=True)

    def run_until_stopped(self) -> int:
        """Block until a stop is requested, then shut down; return the exit code."""
        while not self.stopping.wait(0.5):
            pass
        return self.shutdown()

    def shutdown(self) -> int:
        """Stop intake, drain in-flight work, publish ``offline``, stop everything."""
        notify("STOPPING=1")
        self.stopping.set()
        for port in self.serial:
            port.stop()
        for cam in self.cameras:
            cam.stop()
        self.link.stop_accepting()
        t0 = time.monotonic()
        if self.frames is not None:
            self.frames.close()
        drained = self.pipeline.stop(self.config.pipeline.drain_timeout_s)
        deadline = time.monotonic() + 2.0
        while self.link.pending_acks() and time.monotonic() < deadline:
            time.sleep(0.02)
        log.info("drained in %.2fs (complete: %s)", time.monotonic() - t0, drained)
        self.telemetry.stop()
        if self.escalation is not None:
            self.escalation.stop()
        if self.hardware is not None:
            self.hardware.stop()
        self.link.stop()
        if self.engine is not None:
            self.engine.close()
        if self._server is not None:
            self._server.should_exit = True
            if self._server_thread is not None:
                self._server_thread.join(5)
        if self.broker is not None:
            self.broker.stop()
        return 0 if drained else 1
