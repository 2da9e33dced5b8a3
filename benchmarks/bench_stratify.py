"""How fast is stratify, and how much memory does it add? Ratios against a NumPy floor.

For 1M and 10M synthetic rows (categorical group columns, a 0/1 ``int8``
outcome) this measures, in the same run and on the same input:

- the **floor**: what any correct implementation must at least do — the
  columns' category codes, ``np.bincount`` for n and events, then vectorized
  Wilson intervals;
- ``equitylab.stratify`` (intervals, comparisons, protection, completeness);
- a plain pandas ``groupby`` (n and events only: no intervals);
- where installed (``requirements-bench.txt``, see ``make bench``): fairlearn's
  ``MetricFrame`` and aequitas' ``Group().get_crosstabs``, the tools an equity
  analyst would otherwise reach for;
- and, for string (object) group columns, stratify against pandas ``groupby`` on
  the same strings.

Times are the best of several repeats; each is reported as a ratio to the floor
measured in the same run (machines here are shared and noisy: compare ratios, not
seconds). Peak added memory is measured with ``tracemalloc`` (NumPy and pandas
report their buffers to it). Nothing here asserts: it prints a markdown table
for benchmarks/README.md.

A second table measures **small-cell protection on intersections**: on the
Riverbend patients (40,000 rows), ``stratify`` with protection against the same
call with ``min_cell=0`` (no protection), for one- to four-way tables up to about
1,000 groups, with the number of groups hidden. The issue-10 targets are ratios:
at most 2x for one- and two-way tables and 10x for three-way tables up to 300
groups.

Usage: python benchmarks/bench_stratify.py [--rows 1000000 10000000] [--repeat 3]
       [--slow] (also runs fairlearn and aequitas at 10M rows, which takes minutes)
       [--protection-only] (only the protection table)
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import platform
import time
import tracemalloc
from functools import partial
from statistics import NormalDist

import numpy as np
import pandas as pd

import equitylab as el

Z = NormalDist().inv_cdf(0.975)


def make_data(rows: int, seed: int = 20261123) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    race = pd.Categorical.from_codes(
        rng.choice(8, rows, p=[0.45, 0.17, 0.13, 0.07, 0.08, 0.05, 0.03, 0.02]).astype(np.int8),
        categories=[f"race {i}" for i in range(8)],
    )
    clinic = pd.Categorical.from_codes(
        rng.integers(0, 5, rows, dtype=np.int8), categories=[f"clinic {i}" for i in range(5)]
    )
    outcome = (rng.random(rows) < 0.45).astype(np.int8)
    return pd.DataFrame({"race": race, "clinic": clinic, "controlled": outcome})


def floor(frame: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, ...]:
    """The least work: codes, two bincounts, vectorized Wilson."""
    key = frame[by[0]].cat.codes.to_numpy().astype(np.int64)
    size = len(frame[by[0]].cat.categories)
    for name in by[1:]:
        categories = len(frame[name].cat.categories)
        key = key * categories + frame[name].cat.codes.to_numpy()
        size *= categories
    y = frame["controlled"].to_numpy()
    n = np.bincount(key, minlength=size)
    events = np.bincount(key, weights=y, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = events / n
        denominator = 1 + Z * Z / n
        centre = (p + Z * Z / (2 * n)) / denominator
        half = Z / denominator * np.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return n, events, centre - half, centre + half


def pandas_groupby(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return frame.groupby(by, observed=True)["controlled"].agg(["size", "sum"])


def fairlearn_metricframe(frame: pd.DataFrame, by: list[str]):
    from fairlearn.metrics import MetricFrame

    y = frame["controlled"]
    return MetricFrame(
        metrics={"rate": lambda t, p: float(np.mean(t)), "n": lambda t, p: len(t)},
        y_true=y,
        y_pred=y,
        sensitive_features=frame[by],
    ).by_group


def aequitas_group(frame: pd.DataFrame, by: list[str]):
    from aequitas.group import Group

    table = frame[by].astype(str)
    table["score"] = frame["controlled"]
    table["label_value"] = frame["controlled"]
    crosstabs, _ = Group().get_crosstabs(table, attr_cols=by)
    return crosstabs


def measure(func, repeat: int) -> tuple[float, float]:
    """(best time in seconds, peak added memory in MB)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 1e6


PROTECTED = [
    ["race_ethnicity_group"],
    ["race_ethnicity_group", "sex"],
    ["race_ethnicity", "clinic"],
    ["race_ethnicity_group", "sex", "age_band"],
    ["race_ethnicity_group", "preferred_language", "clinic"],
    ["race_ethnicity_group", "sex", "age_band", "clinic"],
    ["race_ethnicity_group", "sex", "payer", "clinic"],
]


def protection(repeat: int) -> None:
    """Protected against unprotected stratify on Riverbend, one- to four-way."""
    patients = el.load_dataset("riverbend_patients")
    el.stratify(patients, ["sex", "clinic"], "bp_controlled")  # imports, first-call costs
    print()
    print("| by | groups | hidden | protected s | `min_cell=0` s | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for by in PROTECTED:
        plain, _ = measure(partial(el.stratify, patients, by, "bp_controlled", min_cell=0), repeat)
        protected, _ = measure(partial(el.stratify, patients, by, "bp_controlled"), repeat)
        table = el.stratify(patients, by, "bp_controlled")
        print(
            f"| {' × '.join(by)} | {len(table)} | {int(table['suppressed'].sum())} "
            f"| {protected:.3f} | {plain:.3f} | {protected / plain:.1f} |"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--slow", action="store_true", help="also run fairlearn and aequitas at the largest size"
    )
    parser.add_argument("--protection-only", action="store_true", help="only the protection table")
    args = parser.parse_args()
    if args.protection_only:
        protection(max(args.repeat, 5))
        return 0
    have = {
        name: importlib.util.find_spec(name) is not None
        for name in ("fairlearn", "aequitas", "polars", "duckdb")
    }
    print(
        f"equitylab {el.__version__}, pandas {pd.__version__}, numpy {np.__version__}, "
        f"Python {platform.python_version()}, {platform.machine()}"
    )
    print()
    print("| rows | grouping | tool | seconds | × floor | peak added MB |")
    print("|---:|---|---|---:|---:|---:|")
    for rows in args.rows:
        frame = make_data(rows)
        inputs = {"pandas": frame}
        if have["polars"]:
            import polars as pl

            inputs["polars"] = pl.from_pandas(frame)
        if have["duckdb"]:
            import duckdb

            connection = duckdb.connect()
            connection.register("patients", frame)
            inputs["DuckDB"] = connection.sql("select * from patients")
        for by in (["race"], ["race", "clinic"]):
            label = " × ".join(by)
            base, base_mb = measure(partial(floor, frame, by), args.repeat)
            tools = {"equitylab.stratify": partial(el.stratify, frame, by, "controlled")}
            for engine in ("polars", "DuckDB"):
                if engine in inputs:
                    tools[f"equitylab.stratify, {engine} input"] = partial(
                        el.stratify, inputs[engine], by, "controlled"
                    )
            tools["pandas groupby"] = partial(pandas_groupby, frame, by)
            if args.slow or rows <= 1_000_000:
                if have["fairlearn"]:
                    tools["fairlearn MetricFrame"] = partial(fairlearn_metricframe, frame, by)
                if have["aequitas"]:
                    tools["aequitas Group"] = partial(aequitas_group, frame, by)
            print(f"| {rows:,} | {label} | NumPy floor | {base:.3f} | 1.00 | {base_mb:.0f} |")
            for name, func in tools.items():
                fast = "equitylab" in name or "pandas" in name
                seconds, mb = measure(func, args.repeat if fast else 1)
                untraced = " (DuckDB's own memory is not traced)" if "DuckDB" in name else ""
                print(
                    f"| {rows:,} | {label} | {name} | {seconds:.3f} | {seconds / base:.2f} "
                    f"| {mb:.0f}{untraced} |"
                )
        strings = frame.astype({"race": str, "clinic": str})
        for by in (["race"], ["race", "clinic"]):
            label = " × ".join(by) + " (strings)"
            group_s, group_mb = measure(partial(pandas_groupby, strings, by), args.repeat)
            ours, ours_mb = measure(partial(el.stratify, strings, by, "controlled"), args.repeat)
            print(f"| {rows:,} | {label} | pandas groupby | {group_s:.3f} | — | {group_mb:.0f} |")
            print(
                f"| {rows:,} | {label} | equitylab.stratify | {ours:.3f} | "
                f"{ours / group_s:.2f} × groupby | {ours_mb:.0f} |"
            )
    protection(max(args.repeat, 5))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
