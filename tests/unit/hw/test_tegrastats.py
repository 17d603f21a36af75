"""tegrastats lines captured in the formats of several boards and JetPack releases."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.hw.tegrastats import TegrastatsError, parse_line, parse_lines

DATA = Path(__file__).parent / "data"


def _lines(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines()


def test_orin_nano_super_idle_and_loaded_lines_parse() -> None:
    idle, loaded = (parse_line(x) for x in _lines("tegrastats-orin-nano-super-r36.txt"))
    assert (idle.ram_used_mb, idle.ram_total_mb) == (3162, 7620)
    assert (idle.swap_used_mb, idle.swap_total_mb) == (0, 3810)
    assert idle.cpus_online == 6
    assert idle.cpu_freq_mhz == (729,) * 6
    assert idle.gpu_load == 0.0 and idle.gpu_freq_mhz == 305
    assert idle.temperatures["tj"] == pytest.approx(48.843)
    assert idle.rails["VDD_IN"].current_mw == 4913.0
    assert idle.rails["VDD_IN"].average_mw == 4922.0
    assert idle.power_in_mw == 4913.0
    assert loaded.gpu_load == 99.0 and loaded.gpu_freq_mhz == 1020
    assert loaded.emc_load == 61.0
    assert loaded.cpu_load_avg == pytest.approx((38 + 41 + 35 + 52 + 30 + 44) / 6)
    assert loaded.hot_spot_c() == pytest.approx(71.218)


def test_orin_nano_r35_skips_powered_off_sensors_and_cores() -> None:
    (sample,) = (parse_line(x) for x in _lines("tegrastats-orin-nano-r35.txt"))
    assert sample.cpu_load == (4.0, 2.0, 0.0, 1.0, None, None)
    assert sample.cpus_online == 4
    # CV0/CV1/CV2 read -256C when the sensor is off; they must not appear.
    assert not {"cv0", "cv1", "cv2"} & sample.temperatures.keys()
    assert sample.temperatures["cpu"] == pytest.approx(50.937)
    assert sample.gpu_freq_mhz == 624


def test_agx_orin_r35_has_no_vdd_in_so_power_sums_rails() -> None:
    (sample,) = (parse_line(x) for x in _lines("tegrastats-agx-orin-r35.txt"))
    assert sample.ram_total_mb == 30536
    assert len(sample.cpu_load) == 12 and sample.cpus_online == 8
    assert set(sample.rails) == {"VDD_GPU_SOC", "VDD_CPU_CV", "VIN_SYS_5V0", "VDDQ_VDD2_1V8AO"}
    assert sample.power_in_mw == 2800 + 400 + 3224 + 302
    assert "gpu" not in sample.temperatures  # GPU@-256C: powered down
    assert sample.temperatures["tboard"] == 36.0
    assert sample.gpu_freq_mhz == 0


def test_agx_orin_jetpack7_reads_current_of_three_figure_rails() -> None:
    (sample,) = (parse_line(x) for x in _lines("tegrastats-agx-orin-64gb-r39.txt"))
    assert sample.ram_total_mb == 62817 and sample.swap_total_mb is None
    assert sample.gpu_load == 57.0 and sample.gpu_freq_mhz == 1300
    assert sample.rails["VDD_GPU_SOC"].current_mw == 11204.0
    assert sample.rails["VDD_GPU_SOC"].average_mw == 9877.0
    assert sample.temperatures["tj"] == pytest.approx(55.218)
    assert sample.temperatures["gpu"] == pytest.approx(53.75)


def test_xavier_nx_jetpack4_rails_without_units_and_pmic_ignored_for_hot_spot() -> None:
    (sample,) = (parse_line(x) for x in _lines("tegrastats-xavier-nx-r32.txt"))
    assert sample.rails["VDD_IN"].current_mw == 4037.0
    assert sample.gpu_freq_mhz == 114
    assert sample.temperatures["pmic"] == 100.0
    # No tj on Xavier; PMIC is a placeholder reading, so the hottest die sensor wins.
    assert sample.hot_spot_c() == 39.5
    assert sample.hot_spot_c(["pmic"]) == 100.0


def test_xavier_nx_r35_line_parses() -> None:
    (sample,) = (parse_line(x) for x in _lines("tegrastats-xavier-nx-r35.txt"))
    assert sample.cpus_online == 6
    assert sample.gpu_load == 45.0 and sample.gpu_freq_mhz == 1109
    assert sample.hot_spot_c() == 47.5
    assert sample.power_in_mw == 9012.0


def test_older_shared_frequency_cpu_form() -> None:
    sample = parse_line("RAM 1536/3964MB (lfb 4x4MB) CPU [12%,3%,off,off]@1428 "
                        "GR3D_FREQ 5%@921 CPU@41.5C GPU@39C POM_5V_IN 2354/2354")
    assert sample.cpu_load == (12.0, 3.0, None, None)
    assert sample.cpu_freq_mhz == (1428, 1428, None, None)
    assert sample.power_in_mw == 2354.0


def test_metrics_are_flat_numbers_for_every_board() -> None:
    for path in sorted(DATA.glob("tegrastats-*.txt")):
        for sample in parse_lines(path.read_text(encoding="utf-8").splitlines()):
            metrics = sample.as_metrics()
            assert metrics["ram_total_mb"] > 0, path.name
            assert "hot_spot_c" in metrics and "power_in_mw" in metrics, path.name
            assert all(isinstance(v, float) for v in metrics.values())


@pytest.mark.parametrize("line", ["", "hello world", "Traceback (most recent call last):",
                                  "CPU [banana@12]"])
def test_non_tegrastats_lines_are_rejected(line: str) -> None:
    with pytest.raises(TegrastatsError):
        parse_line(line)


def test_parse_lines_reports_bad_lines_and_keeps_going() -> None:
    bad: list[str] = []
    lines = ["garbage", *_lines("tegrastats-xavier-nx-r32.txt"), "", "more garbage"]
    samples = list(parse_lines(lines, lambda line, exc: bad.append(line)))
    assert len(samples) == 1
    assert bad == ["garbage", "more garbage"]


@given(st.text(max_size=300))
def test_parser_never_fails_other_than_with_tegrastats_error(text: str) -> None:
    try:
        sample = parse_line(text)
    except TegrastatsError as exc:
        assert "tegrastats" in str(exc) or "CPU entry" in str(exc)
    else:
        assert sample.ram_used_mb is not None or sample.cpu_load or sample.temperatures \
            or sample.rails
