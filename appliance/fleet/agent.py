"""The device agent: enroll, heartbeat, pull desired config and models, run signed commands.

One loop, one step at a time: heartbeat; when the answer says the config is out of
sync, pull, validate with the device's own schema and apply atomically (or refuse
with the reason, keeping the previous file); when a model target is there, verify,
install in the idle slot, switch, health-check, and switch back on failure; then
verify and run pending commands and acknowledge them. State lives under
``state_dir`` so a restarted agent carries on where it stopped.

What carries device data (heartbeats, config and model reports, command results)
leaves through the privacy egress gate: classified, redacted under the device's
policy, audited, or kept on the device when the gate blocks or fails. Enrollment
only exchanges the identity (token, ids, CSR).
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from cryptography.hazmat.primitives import serialization

from appliance import __version__
from appliance.errors import ApplianceError, ConfigError, EgressBlocked, ModelError
from appliance.fleet.agent_commands import execute
from appliance.fleet.device_state import (
    ConfigApplier,
    ModelSlots,
    atomic_write,
    read_json,
    run_check,
    write_json,
)
from appliance.fleet.nudge import NudgeListener
from appliance.fleet.signing import SignatureError, verify
from appliance.heartbeat_summary import DEFAULT_MAX_AGE_S, HEARTBEAT_GAUGES, SummaryReader
from appliance.uplink.keys import SIGNING_FILE, DeviceKeys, init_keys, load_keys, rotate_keys
from appliance.uplink.pki import make_csr

if TYPE_CHECKING:
    from appliance.privacy.gate import EgressGate

log = logging.getLogger(__name__)
DOWNLOAD_CHUNK = 1024 * 1024


class AgentError(ApplianceError):
    """The agent cannot talk to the fleet or its identity is missing."""


class AgentEgressBlocked(AgentError):
    """The privacy gate kept a payload on the device (it fails closed)."""


@dataclass
class AgentOptions:
    """Everything the agent needs; the CLI fills it from flags."""

    fleet_url: str
    state_dir: Path
    config_path: Path
    device_id: str
    base_config: Path | None = None
    enroll_token: str | None = None
    serial: str = ""
    board: str = ""
    interval_s: float = 10.0
    health_cmd: list[str] | None = None
    health_timeout_s: float = 60.0
    hooks: dict[str, list[str]] = field(default_factory=dict)  # restart, flush_outbox
    server_ca: Path | None = None
    telemetry_file: Path | None = None  # the daemon's heartbeat summary
    telemetry_max_age_s: float = DEFAULT_MAX_AGE_S  # an older summary is not reported
    keys_dir: Path | None = None  # the uplink's device keys; default <state_dir>/keys
    mqtt_host: str | None = None  # nudges wake the agent before its next poll
    mqtt_port: int = 1883
    mqtt_topic_root: str = "appliance"


def _csr(keys: DeviceKeys, device_id: str) -> str:
    # The certificate carries the uplink signing key: the relay checks that the key
    # behind the TLS channel is the one that signs the sealed envelopes.
    return make_csr(keys.signing, device_id).public_bytes(serialization.Encoding.PEM).decode()


def _temperatures() -> dict[str, float]:
    temps: dict[str, float] = {}
    for zone in sorted(Path("/sys/class/thermal").glob("thermal_zone*"))[:16]:
        try:
            name = (zone / "type").read_text().strip() or zone.name
            temps[name[:64]] = int((zone / "temp").read_text().strip()) / 1000.0
        except (OSError, ValueError):
            continue
    return temps


class FleetAgent:
    """The device side of the fleet protocol (synchronous; run it in its own process)."""

    def __init__(self, opts: AgentOptions, gate: EgressGate | None = None) -> None:
        self.opts = opts
        self.id_dir = opts.state_dir / "identity"
        self.state_path = opts.state_dir / "agent.json"
        self.applier = ConfigApplier(opts.config_path, opts.base_config,
                                     opts.state_dir / "local-overrides.json")
        self.slots = ModelSlots(opts.state_dir / "models")
        self.keys_dir = opts.keys_dir or opts.state_dir / "keys"
        self._client: httpx.Client | None = None
        self._gate: EgressGate | None = gate
        self._gate_from_config = gate is None
        self.telemetry = SummaryReader(opts.telemetry_file, opts.telemetry_max_age_s)

    # -- persisted state -------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Return the agent's persisted state (applied version, refusals, done commands)."""
        doc: dict[str, Any] = read_json(self.state_path, {})
        return doc

    def save_state(self, **changes: Any) -> None:
        write_json(self.state_path, {**self.state(), **changes})

    @property
    def enrolled(self) -> bool:
        """Return whether a certificate and device token are on disk."""
        return (self.id_dir / "token").exists() and (self.id_dir / "cert.pem").exists()

    def trust(self) -> dict[str, Any]:
        """Return the pinned trust document (fleet CA, fleet key, model signers)."""
        doc: dict[str, Any] = read_json(self.id_dir / "trust.json", {})
        return doc

    # -- transport ---------------------------------------------------------
    def client(self) -> httpx.Client:
        """Return the HTTP client (mutual TLS once enrolled, when the URL is https)."""
        if self._client is None:
            verify: ssl.SSLContext | bool = True
            if self.opts.fleet_url.startswith("https"):
                ctx = ssl.create_default_context(
                    cafile=str(self.opts.server_ca) if self.opts.server_ca else None)
                ctx.minimum_version = ssl.TLSVersion.TLSv1_3
                if self.enrolled:
                    ctx.load_cert_chain(self.id_dir / "cert.pem", self.keys_dir / SIGNING_FILE)
                verify = ctx
            headers = {}
            if self.enrolled:
                token = (self.id_dir / "token").read_text().strip()
                headers["Authorization"] = f"Bearer {token}"
            self._client = httpx.Client(base_url=self.opts.fleet_url, verify=verify,
                                        headers=headers, timeout=30.0)
        return self._client

    def _reset_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            resp = self.client().request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise AgentError(f"fleet unreachable: {exc}") from exc
        if resp.status_code >= 400:
            raise AgentError(f"{method} {path}: HTTP {resp.status_code} {resp.text[:300]}")
        return resp

    def _dev(self, leaf: str) -> str:
        return f"/fleet/devices/{self.opts.device_id}/{leaf}"

    # -- egress: what carries device data leaves through the privacy gate -----
    def gate(self) -> EgressGate:
        """Return the egress gate (built on first use from the device config).

        The policy and the audit log are the device's own (the applied config file,
        else the base file), so fleet traffic is audited beside the uplink's.
        """
        if self._gate is None:
            from appliance.config import load
            from appliance.privacy.gate import gate_from_config

            path = (self.opts.config_path if self.opts.config_path.exists()
                    else self.opts.base_config)
            self._gate = gate_from_config(load(path))
        return self._gate

    def _post_gated(self, what: str, path: str, body: dict[str, Any]) -> httpx.Response:
        """POST ``body`` through the gate (classify, redact, audit, send).

        Raises :class:`AgentEgressBlocked` when the gate blocks it or cannot be built
        (fail closed), :class:`AgentError` when the fleet cannot be reached.
        """
        try:
            gate = self.gate()
        except Exception as exc:  # no gate, no send
            raise AgentEgressBlocked(
                f"{what} not sent: privacy gate unavailable ({type(exc).__name__}: {exc})"
            ) from exc
        try:
            return gate.send("fleet", body, lambda data: self._call(
                "POST", path, content=data, headers={"Content-Type": "application/json"}))
        except EgressBlocked as exc:
            raise AgentEgressBlocked(f"{what} not sent: {exc}") from exc

    # -- identity ------------------------------------------------------------
    def _store_identity(self, out: dict[str, Any]) -> None:
        atomic_write(self.id_dir / "cert.pem", out["certificate_pem"].encode())
        atomic_write(self.id_dir / "token", out["device_token"].encode(), 0o600)
        write_json(self.id_dir / "trust.json", {k: out[k] for k in
                                                ("ca_pem", "fleet_public_key", "model_signers")})
        self._reset_client()

    def enroll(self) -> str:
        """Enroll with the one-time token; return the certificate serial."""
        if not self.opts.enroll_token:
            raise AgentError("not enrolled and no enrollment token given")
        keys = load_keys(self.keys_dir) if (self.keys_dir / SIGNING_FILE).exists() \
            else init_keys(self.keys_dir)
        out = self._call("POST", "/fleet/enroll", json={
            "token": self.opts.enroll_token, "device_id": self.opts.device_id,
            "serial": self.opts.serial, "board": self.opts.board,
            "csr_pem": _csr(keys, self.opts.device_id)}).json()
        self._store_identity(out)
        log.info("enrolled as %s (certificate %s)", self.opts.device_id, out["certificate_serial"])
        return str(out["certificate_serial"])

    def rotate_keys(self) -> str:
        """Rotate the device keys and re-enroll; the fleet revokes the old certificate.

        Returns the new certificate serial. The device token stays valid until the
        fleet answers, so a failed attempt can be retried by the next command.
        """
        keys = rotate_keys(self.keys_dir)
        out = self._call("POST", self._dev("reenroll"),
                         json={"csr_pem": _csr(keys, self.opts.device_id)}).json()
        self._store_identity(out)
        return str(out["certificate_serial"])

    # -- one step ------------------------------------------------------------
    def heartbeat(self) -> dict[str, Any]:
        """Send a heartbeat; return the fleet's answer."""
        telemetry = self.telemetry.read()  # {} when absent or stale
        body = {
            "software_version": __version__, "model_version": self.slots.version(),
            "board": self.opts.board, "temperatures": telemetry.get("temperatures")
            or _temperatures(), "queue_depths": telemetry.get("queue_depths", {}),
            "budget_used": telemetry.get("budget_used", 0.0),
            "applied_config_version": self.state().get("applied_config_version", ""),
        }
        # Optional gauges for the fleet's telemetry history, when the file carries them.
        body.update({k: telemetry[k] for k in HEARTBEAT_GAUGES if k in telemetry})
        answer: dict[str, Any] = self._post_gated("heartbeat", self._dev("heartbeat"),
                                                  body).json()
        return answer

    def apply_config(self, config: dict[str, Any], version: str) -> tuple[bool, str]:
        """Apply one desired version; return (applied, reason). The old file stays on refusal."""
        try:
            self.applier.apply(config, version)
        except ConfigError as exc:
            reason = "; ".join(f"{k}: {m}" for k, m in exc.problems)
            log.warning("refused config %s: %s", version, reason)
            self.save_state(refused_version=version, refused_reason=reason)
            return False, reason
        self.save_state(applied_config_version=version, applied_config=config, refused_version="",
                   refused_reason="")
        if self._gate_from_config:
            self._gate = None  # the next send reads the new privacy policy
        return True, ""

    def sync_config(self, desired: dict[str, Any]) -> None:
        """Apply the desired config unless it is current or was already refused; report."""
        version = desired["version"]
        st = self.state()
        if version in (st.get("applied_config_version"), st.get("refused_version")):
            return
        ok, reason = self.apply_config(desired["config"], version)
        self._post_gated("config report", self._dev("config-report"), {
            "version": version, "status": "applied" if ok else "refused", "reason": reason})

    def _health(self, meta: dict[str, Any]) -> tuple[bool, str]:
        if not self.opts.health_cmd:
            return True, "no health check configured"
        return run_check(self.opts.health_cmd, {
            "APPLIANCE_MODEL_PATH": meta["path"],
            "APPLIANCE_MODEL_VERSION": meta["manifest"]["version"]},
            self.opts.health_timeout_s)

    def _report_model(self, rollout_id: int, state: str, detail: str) -> None:
        self._post_gated("model report", self._dev("model-report"), {
            "rollout_id": rollout_id, "state": state, "detail": detail,
            "model_version": self.slots.version()})

    def install_model(self, target: dict[str, Any], data: bytes | Iterable[bytes],
                      signers: list[str]) -> tuple[str, str]:
        """Verify, install into the idle slot, activate, health-check; roll back on failure.

        Returns ``(state, detail)`` with state ``active``, ``failed`` or ``rolled_back``.
        """
        rollout_id = target.get("rollout_id")
        try:
            slot = self.slots.install(target["manifest"], target["signature"], data, signers,
                                      rollout_id)
        except ModelError as exc:
            return "failed", str(exc)
        self.slots.activate(slot)
        meta = self.slots.active()
        assert meta is not None
        healthy, detail = self._health(meta)
        if healthy:
            return "active", detail
        restored = self.slots.switch_back()
        log.warning("model %s failed health (%s); previous slot %s", self.slots.version(),
                    detail, "restored" if restored else "absent")
        return "rolled_back", f"health check failed: {detail}"

    def sync_model(self, target: dict[str, Any]) -> None:
        """Act on the model target: activate a new rollout or revert a rolled-back one."""
        rollout_id = int(target["rollout_id"])
        st = self.state()
        done = set(st.get("model_rollouts_done", []))
        active = self.slots.active()
        if target["action"] == "revert":
            if active is not None and active.get("rollout_id") == rollout_id:
                self.slots.switch_back()
                self._report_model(rollout_id, "reverted", "rollout rolled back by operator")
            return
        if rollout_id in done:
            return
        if active is not None and active["manifest"].get("sha256") == target["manifest"]["sha256"]:
            state, detail = "active", "already active"
        else:
            self._report_model(rollout_id, "downloading", "")
            state, detail = self._download_and_install(target)
        self.save_state(model_rollouts_done=sorted(done | {rollout_id}))
        self._report_model(rollout_id, state, detail)

    def _download_and_install(self, target: dict[str, Any]) -> tuple[str, str]:
        """Stream the artifact into the idle slot (never whole in memory), then install it."""
        path = target["artifact_path"]
        try:
            with self.client().stream("GET", path) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    raise AgentError(f"GET {path}: HTTP {resp.status_code} {resp.text[:300]}")
                return self.install_model(target, resp.iter_bytes(DOWNLOAD_CHUNK),
                                          self.trust().get("model_signers", []))
        except httpx.HTTPError as exc:
            raise AgentError(f"model download interrupted: {exc}") from exc

    def run_commands(self) -> int:
        """Verify, run and acknowledge pending commands; return how many were handled."""
        fleet_key = self.trust().get("fleet_public_key", "")
        handled = 0
        for item in self._call("GET", self._dev("commands/pending")).json():
            payload, cid = item["payload"], str(item["payload"].get("id", ""))
            done = list(self.state().get("commands_done", []))
            try:
                verify([fleet_key], payload, item["signature"])
                if payload.get("device_id") != self.opts.device_id:
                    raise SignatureError("command addressed to another device")
                if datetime.fromisoformat(payload["expires_at"]) < datetime.now(UTC):
                    raise SignatureError("command expired")
            except (SignatureError, KeyError, ValueError) as exc:
                log.warning("refused command %s: %s", cid, exc)
                ok, result = False, {"error": f"refused: {exc}"}
            else:
                if cid in done:
                    ok, result = False, {"error": "interrupted before acknowledgement"}
                else:
                    # Recorded before running: a crash mid-command never runs it twice.
                    self.save_state(commands_done=[*done[-199:], cid])
                    ok, result = execute(self, payload["kind"], payload.get("args", {}))
            ack = self._dev(f"commands/{cid}/ack")
            try:
                self._post_gated(f"command {cid} result", ack, {"ok": ok, "result": result})
            except AgentEgressBlocked as exc:
                # The fleet still learns the command ran, not what the gate kept back.
                log.warning("%s", exc)
                self._post_gated(f"command {cid} result", ack, {
                    "ok": False, "result": {"error": "result withheld by the privacy gate"}})
            handled += 1
        return handled

    def step(self) -> dict[str, Any]:
        """Run one cycle (enroll if needed, heartbeat, config, model, commands)."""
        if not self.enrolled:
            self.enroll()
        answer = self.heartbeat()
        if not answer["config_in_sync"] or answer["model_action"]:
            desired: dict[str, Any] = self._call("GET", self._dev("desired")).json()
            self.sync_config(desired)
            if desired.get("model"):
                self.sync_model(desired["model"])
        if answer["pending_commands"]:
            self.run_commands()
        return answer

    def run(self, stop: threading.Event | None = None, once: bool = False) -> None:
        """Loop :meth:`step` every ``interval_s`` (sooner when nudged) until ``stop`` is set.

        Errors talking to the fleet are logged and retried on the next round.
        """
        stop = stop or threading.Event()
        wake = threading.Event()
        listener = None
        if self.opts.mqtt_host and not once:
            listener = NudgeListener(self.opts.mqtt_host, self.opts.mqtt_port,
                                     self.opts.device_id, wake, self.opts.mqtt_topic_root)
        try:
            while not stop.is_set():
                wake.clear()
                try:
                    self.step()
                except AgentEgressBlocked as exc:
                    log.error("fleet step stopped by the privacy gate: %s", exc)
                except AgentError as exc:
                    log.warning("fleet step failed: %s", exc)
                if once:
                    return
                wake.wait(self.opts.interval_s)
        finally:
            if listener is not None:
                listener.close()
