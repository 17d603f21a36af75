"""Board profiles load, and detection picks the right one from real device-tree strings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from appliance.errors import ConfigError
from appliance.hw.profiles import (
    FALLBACK_ID,
    detect,
    load_profile,
    load_profiles,
    read_part_numbers,
)

REPO_HW = Path(__file__).resolve().parents[3] / "hw"
GIB_KB = 1024 * 1024

# Device-tree model strings as the boards print them (NUL-terminated in the file).
ORIN_NANO_R35 = "NVIDIA Jetson Orin Nano Developer Kit"
ORIN_NANO_R36 = "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit"
ORIN_NANO_SUPER = "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super"
ORIN_NX = "NVIDIA Jetson Orin NX Engineering Reference Developer Kit"
AGX_ORIN = "NVIDIA Jetson AGX Orin Developer Kit"
XAVIER_NX = "NVIDIA Jetson Xavier NX Developer Kit"


@pytest.fixture(scope="module")
def profiles() -> dict:
    return load_profiles(REPO_HW)


def _board(tmp_path: Path, model: str | None, compatible: list[str] | None = None,
           mem_gib: float | None = None) -> tuple[Path, Path]:
    dt = tmp_path / "device-tree"
    dt.mkdir()
    if model is not None:
        (dt / "model").write_bytes(model.encode() + b"\0")
    if compatible is not None:
        (dt / "compatible").write_bytes(b"".join(c.encode() + b"\0" for c in compatible))
    meminfo = tmp_path / "meminfo"
    if mem_gib is not None:
        meminfo.write_text(f"MemTotal:       {int(mem_gib * GIB_KB)} kB\nMemFree: 1 kB\n")
    return dt / "model", meminfo


def test_every_profile_file_loads_with_required_boards(profiles: dict) -> None:
    assert {"orin-nano-8gb", "orin-nano-8gb-super", "orin-nx-16gb", "agx-orin-32gb",
            "agx-orin-64gb", "xavier-nx", FALLBACK_ID} <= set(profiles)
    for p in profiles.values():
        assert p.power_mode().id == p.default_power_mode
        assert p.slm.concurrency >= 1 and p.onnx.providers[-1] == "CPUExecutionProvider"
    assert profiles[FALLBACK_ID].slm.gpu_layers == 0
    assert profiles[FALLBACK_ID].onnx.providers == ["CPUExecutionProvider"]
    assert profiles["orin-nano-8gb-super"].memory_bandwidth_gbs > \
        profiles["orin-nano-8gb"].memory_bandwidth_gbs


@pytest.mark.parametrize(("model", "mem_gib", "expected"), [
    (ORIN_NANO_R35, 7.44, "orin-nano-8gb"),
    (ORIN_NANO_R36, 7.44, "orin-nano-8gb"),
    (ORIN_NANO_SUPER, 7.44, "orin-nano-8gb-super"),
    (ORIN_NX, 15.3, "orin-nx-16gb"),
    (AGX_ORIN, 29.8, "agx-orin-32gb"),
    (AGX_ORIN, 61.3, "agx-orin-64gb"),
    (XAVIER_NX, 6.7, "xavier-nx"),
])
def test_model_string_and_memory_pick_the_profile(tmp_path: Path, profiles: dict, model: str,
                                                   mem_gib: float, expected: str) -> None:
    model_path, meminfo = _board(tmp_path, model, mem_gib=mem_gib)
    found = detect(profiles, model_path, meminfo_path=meminfo)
    assert (found.profile.id, found.source, found.model) == (expected, "model", model)
    assert found.warnings == []


@pytest.mark.parametrize(("compatible", "expected"), [
    (["nvidia,p3737-0000+p3701-0005", "nvidia,p3701-0005", "nvidia,tegra234"], "agx-orin-64gb"),
    (["nvidia,p3737-0000+p3701-0004", "nvidia,p3701-0004", "nvidia,tegra234"], "agx-orin-32gb"),
    (["nvidia,p3768-0000+p3767-0005-super", "nvidia,p3767-0005", "nvidia,tegra234"],
     "orin-nano-8gb-super"),
    (["nvidia,p3768-0000+p3767-0005", "nvidia,p3767-0005", "nvidia,tegra234"], "orin-nano-8gb"),
])
def test_part_number_in_compatible_wins(tmp_path: Path, profiles: dict, compatible: list[str],
                                        expected: str) -> None:
    # No meminfo: the part number alone decides, even on the ambiguous AGX model string.
    model_path, meminfo = _board(tmp_path, AGX_ORIN if "p3701" in compatible[0] else ORIN_NANO_R36,
                                 compatible)
    found = detect(profiles, model_path, meminfo_path=meminfo)
    assert (found.profile.id, found.source) == (expected, "part_number")


def test_ambiguous_model_without_memory_picks_the_smaller_board(tmp_path: Path,
                                                                 profiles: dict) -> None:
    model_path, meminfo = _board(tmp_path, AGX_ORIN)
    assert detect(profiles, model_path, meminfo_path=meminfo).profile.id == "agx-orin-32gb"


def test_unknown_board_falls_back_to_cpu_with_warning(tmp_path: Path, profiles: dict,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    model_path, meminfo = _board(tmp_path, "Raspberry Pi 4 Model B Rev 1.4", mem_gib=3.7)
    with caplog.at_level(logging.WARNING, logger="appliance.hw.profiles"):
        found = detect(profiles, model_path, meminfo_path=meminfo)
    assert (found.profile.id, found.source) == (FALLBACK_ID, "fallback")
    assert "no board profile matches" in found.warnings[0]
    assert "cpu-fallback" in caplog.text


def test_missing_device_tree_falls_back(tmp_path: Path, profiles: dict) -> None:
    found = detect(profiles, tmp_path / "nope" / "model", meminfo_path=tmp_path / "meminfo")
    assert found.profile.id == FALLBACK_ID and found.model is None
    assert "not a Jetson" in found.warnings[0]


def test_orin_nx_8gb_does_not_get_16gb_defaults(tmp_path: Path, profiles: dict) -> None:
    # The 8GB Orin NX prints the same model string; its memory rules the 16GB profile out.
    model_path, meminfo = _board(tmp_path, ORIN_NX, mem_gib=7.4)
    found = detect(profiles, model_path, meminfo_path=meminfo)
    assert found.profile.id == FALLBACK_ID
    assert "too little" in found.warnings[0]


def test_board_override_and_unknown_override(tmp_path: Path, profiles: dict) -> None:
    model_path, meminfo = _board(tmp_path, ORIN_NANO_R36, mem_gib=7.4)
    found = detect(profiles, model_path, meminfo_path=meminfo, board="agx-orin-64gb")
    assert (found.profile.id, found.source) == ("agx-orin-64gb", "override")
    with pytest.raises(ConfigError) as err:
        detect(profiles, model_path, board="jetson-tx9")
    assert "hw.board" in str(err.value) and "orin-nano-8gb" in str(err.value)


def test_compatible_lists_carrier_module_and_soc(tmp_path: Path) -> None:
    model_path, _ = _board(tmp_path, ORIN_NANO_SUPER,
                           ["nvidia,p3768-0000+p3767-0005-super", "nvidia,p3767-0005",
                            "nvidia,tegra234"])
    assert read_part_numbers(model_path.with_name("compatible")) == [
        "p3768-0000", "p3767-0005-super", "p3767-0005", "tegra234"]
    assert read_part_numbers(tmp_path / "missing") == []


def test_broken_profile_is_reported_with_file_and_key(tmp_path: Path) -> None:
    text = (REPO_HW / "orin-nano-8gb.toml").read_text().replace("default_power_mode = 0",
                                                                "default_power_mode = 9")
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_profile(bad)
    assert "bad.toml" in str(err.value) and "default_power_mode 9" in str(err.value)


def test_duplicate_ids_are_refused_and_fallback_is_always_known(tmp_path: Path) -> None:
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text((REPO_HW / "xavier-nx.toml").read_text())
    with pytest.raises(ConfigError, match="duplicate"):
        load_profiles(tmp_path)
    (tmp_path / "b.toml").unlink()
    assert set(load_profiles(tmp_path)) == {"xavier-nx", FALLBACK_ID}
