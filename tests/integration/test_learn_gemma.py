"""The classifier head on Gemma 3 270M's pooled embeddings: ``appliance learn`` and the store.

Real model throughout: the CLI runs as a subprocess on the session's model
file; the in-process tests use the ``slm_engine`` fixture's embeddings.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

from appliance.routing.learn import HeadStore
from appliance.routing.settings import LearnConfig
from appliance.simulator import TICKET_TEMPLATES, Factory
from appliance.slm.engine import SlmEngine

REPO = Path(__file__).resolve().parents[2]
CATEGORIES = ("conveyor_stop", "burning_smell", "safety_guard", "printer_jam",
              "forklift_near_miss", "hydraulic_leak", "calibration_request", "vision_reject")


def tickets(count: int, seed: int) -> list[tuple[str, str]]:
    """Operator tickets from the simulator's templates, labelled by template."""
    factory = Factory(seed=seed)
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        k = rng.randrange(len(TICKET_TEMPLATES))
        text = TICKET_TEMPLATES[k].format(
            line=rng.choice(factory.lines), name=factory.person(),
            badge=f"B-{rng.randint(10000, 99999)}", phone=factory.phone(), n=rng.randint(1, 40))
        out.append((text, CATEGORIES[k]))
    return out


def write_jsonl(path: Path, pairs: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"text": t, "label": lbl}) + "\n" for t, lbl in pairs))
    return path


def cli(tmp: Path, model: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ,
           "APPLIANCE_STATE_DIR": str(tmp / "state"),
           "APPLIANCE_SLM__MANIFEST": str(REPO / "models" / "manifest.toml"),
           "APPLIANCE_SLM__TRUSTED_KEYS": json.dumps(
               [str(REPO / "models" / "keys" / "dev-signing-key.pub.pem")]),
           "APPLIANCE_SLM__MODEL_PATH": str(model),
           "APPLIANCE_SLM__N_CTX": "1024", "APPLIANCE_SLM__N_THREADS": "2",
           "COLUMNS": "120"}
    env.pop("APPLIANCE_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "appliance", "learn", *args], env=env,
                          capture_output=True, text=True, timeout=600, cwd=tmp)


def test_learn_cli_trains_versions_and_rolls_back(tmp_path: Path, gemma_model_path: Path) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", tickets(48, seed=1))
    more = write_jsonl(tmp_path / "b.jsonl", tickets(16, seed=2))
    run = cli(tmp_path, gemma_model_path, "--task", "tickets", "--examples", str(first))
    assert run.returncode == 0, run.stderr
    assert "added 48 examples, 48 in all" in run.stderr
    assert "embed" in run.stderr and "train" in run.stderr  # the progress bars
    assert "head v1 on 48 examples" in run.stdout
    assert "threshold  accuracy  cloud_share" in run.stdout
    run = cli(tmp_path, gemma_model_path, "--task", "tickets", "--examples", str(more))
    assert run.returncode == 0, run.stderr
    assert "head v2 on 64 examples" in run.stdout
    run = cli(tmp_path, gemma_model_path, "--task", "tickets", "--rollback")
    assert run.returncode == 0 and "version 1 is current" in run.stdout
    run = cli(tmp_path, gemma_model_path, "--task", "tickets", "--show")
    assert json.loads(run.stdout)["examples"] == 48
    task_file = REPO / "appliance" / "slm" / "tasks" / "ticket.toml"
    run = cli(tmp_path, gemma_model_path, "--task-file", str(task_file), "--examples", str(first))
    assert run.returncode != 0 and "are not in task 'ticket'" in run.stderr
    bad = write_jsonl(tmp_path / "bad.jsonl", [])
    bad.write_text('{"text": "no label"}\n')
    run = cli(tmp_path, gemma_model_path, "--task", "tickets", "--examples", str(bad))
    assert run.returncode != 0 and "bad.jsonl:1" in run.stderr


def test_head_on_gemma_embeddings_beats_chance_and_its_confidence_ranks(
        tmp_path: Path, slm_engine: SlmEngine) -> None:
    store = HeadStore(tmp_path, "tickets", LearnConfig())
    store.add_examples(tickets(160, seed=3))
    version, cal = store.retrain(slm_engine.embed)
    assert version == 1
    held = tickets(80, seed=4)
    vecs = slm_engine.embed([t for t, _ in held])
    preds = [store.classify(v) for v in vecs]
    right = np.array([p is not None and p[0] == lbl for p, (_, lbl) in zip(preds, held,
                                                                            strict=True)])
    conf = np.array([p[1] for p in preds if p is not None])
    assert right.mean() > 0.6, f"accuracy {right.mean():.3f} on 8 classes"
    top = conf >= np.quantile(conf, 0.6)
    assert right[top].mean() >= right.mean()
    assert cal.curve and 0.0 <= cal.cloud_share <= 1.0


def test_escalation_answers_become_training_examples(tmp_path: Path,
                                                     slm_engine: SlmEngine) -> None:
    store = HeadStore(tmp_path, "tickets", LearnConfig(retrain_every=5, epochs=50))
    store.add_examples(tickets(20, seed=5))
    store.retrain(slm_engine.embed)
    redacted = "<PERSON_1> reports a hydraulic leak under cell 7"
    due = [store.add_escalation(redacted, "hydraulic_leak") for _ in range(5)]
    assert due[-1] is True
    thread = store.retrain_async(slm_engine.embed)
    assert thread is not None
    thread.join(timeout=120)
    assert store.current_version() == 2
    assert store.meta()["examples"] == 25
