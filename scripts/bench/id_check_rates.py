"""How often a random number passes each national-ID check the privacy guard uses.

The evidence tier of each kind in ``appliance/privacy/id_numbers.py`` follows this
rate: under 0.5 % a valid number stands on its own, under 3 % it needs a text about a
person, above that an ID word or the kind's own grouping.

Run:  .venv/bin/python scripts/bench/id_check_rates.py [--samples 5000]
"""

from __future__ import annotations

import argparse
import random
import string

from appliance.privacy.id_numbers import KINDS, _valid


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=5000, help="random numbers per kind and length")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    r = random.Random(args.seed)
    print(f"{'kind':20s} {'length':>6s} {'pass rate':>9s}  tier")
    for kind in KINDS:
        for length in kind.lengths:
            ok = sum(
                _valid(kind, "".join(r.choice(string.digits) for _ in range(length)))
                for _ in range(args.samples)
            )
            print(f"{kind.module:20s} {length:6d} {ok / args.samples:9.4f}  {kind.evidence.name}")


if __name__ == "__main__":
    main()
