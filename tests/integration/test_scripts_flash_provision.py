"""scripts/flash and scripts/provision: shellcheck clean, dry runs, refusals, a real --root run."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FLASH = ROOT / "scripts" / "flash"
PROVISION = ROOT / "scripts" / "provision"
MACHINE = "jetson-orin-nano-devkit"


def _env() -> dict[str, str]:
    # The appliance console script of this interpreter's environment comes first on PATH.
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("APPLIANCE_ENROLL_TOKEN", None)
    return env


def _run(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          env=env or _env(), timeout=120)


def _usb(tmp_path: Path, *ids: tuple[str, str]) -> Path:
    sysfs = tmp_path / "usb"
    sysfs.mkdir()
    for n, (vendor, product) in enumerate(ids):
        dev = sysfs / f"1-{n + 1}"
        dev.mkdir()
        (dev / "idVendor").write_text(vendor + "\n")
        (dev / "idProduct").write_text(product + "\n")
    return sysfs


@pytest.fixture
def deploy(tmp_path: Path) -> Path:
    out = tmp_path / "deploy"
    out.mkdir()
    (out / f"appliance-image-{MACHINE}.rootfs.tegraflash.tar.gz").write_bytes(b"")
    return out


@pytest.mark.parametrize("script", [FLASH, PROVISION])
def test_scripts_are_shellcheck_clean(script: Path) -> None:
    tool = shutil.which("shellcheck")
    assert tool, "shellcheck is missing: apt-get install shellcheck (scripts/apt-packages.txt)"
    result = _run(tool, "--shell=bash", "--severity=style", script)
    assert result.returncode == 0, result.stdout
    assert script.stat().st_mode & stat.S_IXUSR


def test_flash_dry_run_prints_every_step_and_changes_nothing(tmp_path: Path,
                                                              deploy: Path) -> None:
    work = tmp_path / "work"
    usb = _usb(tmp_path, ("046d", "c52b"), ("0955", "7523"))
    result = _run(FLASH, "--dry-run", "--deploy-dir", deploy, "--usb-sysfs", usb,
                  "--work-dir", work)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in ("==> checking the host", "==> finding the image",
                     "found 0955:7523 Jetson Orin Nano 8GB", f"+ mkdir -p {work}",
                     f"+ tar -xzf {deploy}/appliance-image-{MACHINE}.rootfs.tegraflash.tar.gz",
                     "./initrd-flash"):
        assert expected in out, out
    assert not work.exists()


def test_flash_refuses_when_no_board_is_in_recovery_mode(tmp_path: Path, deploy: Path) -> None:
    usb = _usb(tmp_path, ("046d", "c52b"), ("0955", "7020"))  # a Jetson booted, not in recovery
    result = _run(FLASH, "--dry-run", "--deploy-dir", deploy, "--usb-sysfs", usb)
    assert result.returncode == 4
    assert "ignoring 0955:7020" in result.stdout
    assert "no Jetson in recovery mode found" in result.stderr
    assert "lsusb -d 0955:" in result.stderr
    assert "+ tar" not in result.stdout


def test_flash_refuses_a_board_of_the_wrong_kind(tmp_path: Path, deploy: Path) -> None:
    usb = _usb(tmp_path, ("0955", "7023"))  # AGX Orin, but the image is for the Orin Nano
    result = _run(FLASH, "--dry-run", "--deploy-dir", deploy, "--usb-sysfs", usb)
    assert result.returncode == 4
    assert "is not a jetson-orin-nano-devkit" in result.stderr


def test_flash_refuses_without_a_built_image(tmp_path: Path) -> None:
    usb = _usb(tmp_path, ("0955", "7523"))
    result = _run(FLASH, "--dry-run", "--deploy-dir", tmp_path, "--usb-sysfs", usb)
    assert result.returncode == 3
    assert "no tegraflash package" in result.stderr and "kas build" in result.stderr


def test_flash_rejects_unknown_options() -> None:
    result = _run(FLASH, "--frobnicate")
    assert result.returncode == 2 and "unknown option" in result.stderr


def test_provision_dry_run_prints_steps_and_never_the_token(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret-enroll-token\n")
    target = tmp_path / "image"
    target.mkdir()
    result = _run(PROVISION, "--dry-run", "--device-id", "press-07", "--site", "plant-a",
                  "--fleet-url", "https://fleet.test:8443", "--enroll-token-file", token,
                  "--root", target)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in ("==> board profile", "    auto", "+ systemd-sysusers", "+ systemd-tmpfiles",
                     f"+ write {target}/etc/appliance/base.toml", 'device_id = "press-07"',
                     "keys init", "agent --fleet-url https://fleet.test:8443",
                     "--device-id press-07", "--once", "multi-user.target.wants",
                     f"--config-out {target}/var/lib/appliance/config.toml",
                     f"+ write {target}/etc/appliance/agent.env (mode 0640)",
                     "    | FLEET_URL=https://fleet.test:8443", "    | FLEET_DEVICE_ID=press-07",
                     "wants/appliance-config.path", "wants/appliance-agent.service"):
        assert expected in out, out
    assert "s3cret" not in out + result.stderr
    assert list(target.iterdir()) == []


def test_provision_into_an_image_tree_writes_config_users_and_keys(tmp_path: Path) -> None:
    target = tmp_path / "image"
    target.mkdir()
    result = _run(PROVISION, "--device-id", "press-07", "--board", "orin-nano-8gb",
                  "--skip-enroll", "--root", target)
    assert result.returncode == 0, result.stderr
    # The daemon reads the copy in its state directory; the fleet agent rewrites it.
    config = (target / "var" / "lib" / "appliance" / "config.toml").read_text()
    assert 'device_id = "press-07"' in config and 'board = "orin-nano-8gb"' in config
    assert config == (target / "etc" / "appliance" / "base.toml").read_text()
    assert "is valid (device press-07)" in result.stdout  # appliance config check ran
    assert "appliance:x:" in (target / "etc" / "passwd").read_text()
    keys = target / "var" / "lib" / "appliance" / "keys"
    assert {p.name for p in keys.iterdir()} == {"signing.key", "agreement.key"}
    assert (keys / "signing.key").stat().st_mode & 0o077 == 0
    wants = target / "etc/systemd/system/multi-user.target.wants"
    assert sorted(p.name for p in wants.iterdir()) == ["appliance-config.path",
                                                       "appliance.service"]
    assert os.readlink(wants / "appliance.service") == "/usr/lib/systemd/system/appliance.service"
    # Not enrolled: no agent settings, no agent unit enabled.
    assert not (target / "etc" / "appliance" / "agent.env").exists()
    again = _run(PROVISION, "--device-id", "press-07", "--skip-enroll", "--root", target)
    assert again.returncode != 0 and "pass --force" in again.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--device-id", "bad/id", "--skip-enroll"], "is not 1-64"),
    (["--device-id", "ok"], "--fleet-url is required"),
    (["--device-id", "ok", "--fleet-url", "https://f.test"], "enroll-token-file"),
])
def test_provision_refuses_bad_arguments(args: list[str], message: str) -> None:
    result = _run(PROVISION, "--dry-run", *args)
    assert result.returncode == 2 and message in result.stderr
