"""The BLIND split of the privacy corpus: none is written at the moment.

A blind set is written (and committed) before the detector changes it is used to
judge, is run once per report on a seed never run before, and is then retired into
the dev split (``privacy_retired_b1.py`` to ``privacy_retired_b18.py``). Set ``b18`` was
run once (seed 6353) and retired; the next report needs a new set ``b19`` here, with
``BlindGen`` (a ``privacy_corpus.LocaleGen``) and ``BLIND_TEMPLATES`` ("factory",
"clinic", "retail"), written without looking at the detector. Until then
``bench_privacy.py --blind-seed`` refuses to run.

This module also keeps the blind run log, ``privacy_blind_seeds.txt``: every blind run
(seed, time, commit, set), so that a seed's figures are reported as blind only once.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

BLIND_SET = ""  # none written yet: the next one is "b19"
BLIND_SEED_MIN = 1000
BLIND_LOG = Path(__file__).with_name("privacy_blind_seeds.txt")
BLIND_TEMPLATES: dict[str, tuple[str, ...]] = {}


def seed_runs(seed: int) -> list[str]:
    """Return the log lines of earlier runs of blind ``seed`` (empty: still blind)."""
    if not BLIND_LOG.exists():
        return []
    return [ln for ln in BLIND_LOG.read_text().splitlines() if ln.split(" ", 1)[0] == str(seed)]


def record_run(seed: int) -> None:
    """Append ``seed`` to the blind log (with the time, the commit it ran on, the set)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except OSError:
        head = ""
    with BLIND_LOG.open("a", encoding="utf-8") as fh:
        fh.write(f"{seed} {time.strftime('%Y-%m-%dT%H:%M:%S%z')} {head or 'unknown'} {BLIND_SET}\n")
