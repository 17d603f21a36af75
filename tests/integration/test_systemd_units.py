"""The systemd units, sysusers.d and tmpfiles.d files, checked by systemd's own tools."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "systemd"
EXEC = "/usr/bin/appliance"
MAX_EXPOSURE = 2.0


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is missing: apt-get install systemd (listed in scripts/apt-packages.txt)"
    return path


def _systemd_version() -> int:
    out = subprocess.run([_tool("systemd-analyze"), "--version"], capture_output=True,
                         text=True, check=True).stdout
    match = re.search(r"systemd (\d+)", out)
    assert match, out
    return int(match.group(1))


def _appliance_entry_point() -> str:
    found = Path(sys.executable).with_name("appliance")
    assert found.exists(), f"the appliance console script is not installed next to {sys.executable}"
    return str(found)


DEVICE_UNITS = ["appliance.service", "appliance-agent.service", "appliance-config.path",
                "appliance-config.service"]


def _directives(unit: str, key: str) -> list[str]:
    text = re.sub(r"\\\n\s*", " ", (UNITS / unit).read_text())  # line continuations
    return re.findall(rf"^{key}=(.*)$", text, re.MULTILINE)


def _option(command: str, name: str) -> str:
    words = shlex.split(command)
    assert name in words, command
    return words[words.index(name) + 1]


@pytest.mark.parametrize("unit", [*DEVICE_UNITS, "appliance-cloud.service"])
def test_unit_passes_systemd_analyze_verify(unit: str, tmp_path: Path) -> None:
    text = (UNITS / unit).read_text()
    # verify checks that ExecStart's program exists; on this build machine the
    # entry point lives in the virtualenv, on the device at /usr/bin. Only that
    # path is swapped; every other line is verified as shipped.
    if unit not in ("appliance-config.path", "appliance-config.service"):
        assert f"ExecStart={EXEC} " in text
    (tmp_path / unit).write_text(text.replace(f"{EXEC} ", f"{_appliance_entry_point()} "))
    result = subprocess.run([_tool("systemd-analyze"), "verify", str(tmp_path / unit)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_device_unit_runs_the_daemon_as_notify_service_with_watchdog() -> None:
    text = (UNITS / "appliance.service").read_text()
    for line in ("Type=notify", "ExecStart=/usr/bin/appliance run --config "
                 "/var/lib/appliance/config.toml", "Restart=on-failure", "StartLimitBurst=",
                 "StartLimitIntervalSec=", "User=appliance", "ProtectSystem=strict",
                 "StateDirectory=appliance", "PrivateTmp=yes", "NoNewPrivileges=yes",
                 "CapabilityBoundingSet=\n", "DevicePolicy=closed"):
        assert line in text, line
    assert re.search(r"^WatchdogSec=\d+s?$", text, re.MULTILINE)
    allowed = re.findall(r"^DeviceAllow=(\S+) (\w+)$", text, re.MULTILINE)
    assert all(re.match(r"char-(ttyTHS|ttyS|ttyUSB|ttyACM|video4linux)$|/dev/(nv|host1x)", d)
               for d, _ in allowed), allowed


def _exposure(unit: str) -> float:
    assert _systemd_version() >= 250, "systemd-analyze security --offline needs systemd >= 250"
    result = subprocess.run(
        [_tool("systemd-analyze"), "security", "--offline=true", "--no-pager",
         str(UNITS / unit)], capture_output=True, text=True)
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout)
    assert match, result.stdout[-2000:] + result.stderr
    return float(match.group(1))


@pytest.mark.parametrize("unit", ["appliance.service", "appliance-agent.service",
                                  "appliance-cloud.service"])
def test_security_exposure_is_at_most_2(unit: str) -> None:
    exposure = _exposure(unit)
    print(f"systemd-analyze security --offline=true {unit}: exposure {exposure}")
    assert exposure <= MAX_EXPOSURE


def test_agent_unit_is_unprivileged_and_has_no_devices() -> None:
    unit = "appliance-agent.service"
    assert _directives(unit, "User") == ["appliance"]  # the key owner (see the unit's header)
    assert _directives(unit, "CapabilityBoundingSet") == [""]
    assert _directives(unit, "AmbientCapabilities") == [""]
    assert _directives(unit, "RestrictAddressFamilies") == ["AF_UNIX AF_INET AF_INET6"]
    assert not _directives(unit, "DeviceAllow") and not _directives(unit, "SupplementaryGroups")
    for key, value in (("PrivateDevices", "yes"), ("DevicePolicy", "closed"),
                       ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                       ("PrivateTmp", "yes"), ("Restart", "on-failure"),
                       ("StateDirectory", "appliance"), ("StartLimitBurst", "5"),
                       ("StartLimitIntervalSec", "600")):
        assert _directives(unit, key) == [value], key
    assert _directives(unit, "SystemCallFilter")[0] == "@system-service"
    # Settings from provisioning; an unprovisioned device does not start it.
    assert _directives(unit, "EnvironmentFile") == ["/etc/appliance/agent.env"]
    assert _directives(unit, "ConditionPathExists") == ["/etc/appliance/agent.env"]


def test_agent_writes_the_config_the_daemon_reads_and_the_path_unit_restarts_it() -> None:
    [agent] = _directives("appliance-agent.service", "ExecStart")
    [daemon] = _directives("appliance.service", "ExecStart")
    config = _option(daemon, "--config")
    assert _option(agent, "--config-out") == config
    restart = _option(agent, "--restart-cmd").removeprefix("touch ")
    assert _directives("appliance-config.path", "PathChanged") == [config, restart]
    [target] = _directives("appliance-config.path", "Unit")
    assert _directives(target, "Type") == ["oneshot"]
    assert _directives(target, "ExecStart")[-1] == (
        "/usr/bin/systemctl try-restart appliance.service")
    # Both write the state directory as the same user (the daemon's summary, the config).
    assert _directives("appliance.service", "User") == _directives(
        "appliance-agent.service", "User")
    assert _directives("appliance.service", "Environment")[0] == _directives(
        "appliance-agent.service", "Environment")[0] == "APPLIANCE_STATE_DIR=/var/lib/appliance"


def test_sysusers_creates_the_service_users_with_device_groups(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    subprocess.run([_tool("systemd-sysusers"), f"--root={tmp_path}",
                    str(UNITS / "sysusers.d" / "appliance.conf")], check=True,
                   capture_output=True)
    passwd = (tmp_path / "etc" / "passwd").read_text()
    group = (tmp_path / "etc" / "group").read_text()
    assert re.search(r"^appliance:x:\d+:\d+:.*:/var/lib/appliance:/usr/sbin/nologin$", passwd,
                     re.MULTILINE)
    assert re.search(r"^appliance-cloud:x:", passwd, re.MULTILINE)
    for name in ("dialout", "video", "render"):
        assert re.search(rf"^{name}:x:\d+:appliance$", group, re.MULTILINE), group


def test_tmpfiles_creates_private_state_directories(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    subprocess.run([_tool("systemd-sysusers"), f"--root={tmp_path}",
                    str(UNITS / "sysusers.d" / "appliance.conf")], check=True,
                   capture_output=True)
    subprocess.run([_tool("systemd-tmpfiles"), f"--root={tmp_path}", "--create",
                    str(UNITS / "tmpfiles.d" / "appliance.conf")], check=True,
                   capture_output=True)
    keys = tmp_path / "var" / "lib" / "appliance" / "keys"
    assert keys.is_dir() and keys.stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "etc" / "appliance").stat().st_mode & 0o777 == 0o750
    assert (keys.parent / "identity").stat().st_mode & 0o777 == 0o700


def test_udev_rules_are_well_formed() -> None:
    # No udevadm verify before systemd 254; check the grammar the rules use here.
    pair = re.compile(r'^(?P<key>[A-Z_]+(?:\{[\w.]+\})?)(?P<op>==|!=|\+=|=|:=)"(?P<val>[^"]*)"$')
    keys = {"KERNEL", "SUBSYSTEM", "ATTR", "ATTRS", "ENV", "GROUP", "MODE", "SYMLINK"}
    lines = (ROOT / "hw" / "99-appliance.rules").read_text().splitlines()
    rules = [line for line in lines if line.strip() and not line.startswith("#")]
    assert len(rules) >= 6
    for rule in rules:
        parts = [p.strip() for p in rule.split(", ")]
        assert any(p.startswith(("KERNEL", "SUBSYSTEM")) for p in parts), rule
        for part in parts:
            match = pair.match(part)
            assert match, f"bad key/value {part!r} in {rule!r}"
            assert match["key"].split("{")[0] in keys, part
            if match["key"] == "MODE":
                assert match["val"] == "0660"
