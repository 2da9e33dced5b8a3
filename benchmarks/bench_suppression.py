"""How many groups does complementary suppression hide, against the integer optimum?

Finding the fewest groups to hide is NP-hard, so ``equitylab.privacy.protect_table``
uses a heuristic (boxes of hidden groups, then an integer audit). This benchmark
draws random small tables — one-way tables of 3 to 5 groups and two-way tables of
2 x 2 to 3 x 3, every group of 11 or more people, outcome counts often small — and
compares the number of groups the heuristic hides with the fewest that any safe
suppression needs, found by exhaustive search with the independent integer attacker
of the test suite (tests/attacker.py, scipy.optimize.milp). Both use the same rule:
no hidden count of 1-10 pinned down, and no known total whose hidden groups add up
to 1-10. The gap is reported as a distribution; nothing here asserts.

Usage: python benchmarks/bench_suppression.py [--tables 200] [--seed 20261206]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from attacker import optimal_hidden

from equitylab.privacy import protect_table

SHAPES = [(3,), (4,), (5,), (2, 2), (2, 3), (3, 3)]


def random_table(rng: np.random.Generator, shape):
    cells = list(product(*[[f"{d}{k}" for k in range(s)] for d, s in enumerate(shape)]))
    n = rng.integers(11, 150, len(cells))
    small = rng.random(len(cells)) < 0.3
    events = np.where(small, rng.integers(0, 11, len(cells)), rng.integers(0, n + 1))
    events = np.minimum(events, n)
    keys = pd.DataFrame(cells, columns=[f"v{d}" for d in range(len(shape))])
    return keys, n, events


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261206)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print("| table shape | tables | with a small count | gap 0 | gap 1 | gap 2 | gap > 2 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    totals = Counter()
    for shape in SHAPES:
        gaps, with_small = Counter(), 0
        for _ in range(args.tables // len(SHAPES)):
            keys, n, events = random_table(rng, shape)
            _, hidden = protect_table(keys, n, events, 11, prefer_hidden=[])
            best = optimal_hidden(keys, n, events, 11)
            if best == 0:
                continue
            with_small += 1
            gap = int(hidden.sum()) - best
            assert gap >= 0, "the heuristic hid fewer groups than the optimum: unsafe"
            gaps[min(gap, 3)] += 1
        totals.update(gaps)
        label = " x ".join(map(str, shape))
        print(
            f"| {label} | {args.tables // len(SHAPES)} | {with_small} | {gaps[0]} | {gaps[1]} "
            f"| {gaps[2]} | {gaps[3]} |"
        )
    count = sum(totals.values())
    mean = sum(g * c for g, c in totals.items()) / count if count else 0.0
    print(f"\nAll tables with a small count: {count}; mean gap {mean:.2f} groups "
          f"(gaps above 2 counted as 3).")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
