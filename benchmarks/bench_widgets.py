"""How long does an explorer widget take to answer a control change? Ratios to same-run baselines.

Each explorer widget of ``equitylab.widgets`` is built as its exercise notebook
builds it, on the fictional Riverbend data, and then driven through a walk of
control changes in which **every change leads to a control state not visited
before** (the benchmark warms no cache: a widget may only reuse what the same
state shares with earlier ones, as it would for a learner). Each change sets
``.value`` on one control, which runs the widget's callback synchronously in a
plain Python process, and is timed from the assignment to its return (tables,
chart PNG and alt text all updated). Per widget it prints the median, the 95th
percentile and the slowest change, the figure draws and ``stratify`` calls per
change, and two baselines measured in the same run:

- **figure**: building and saving to PNG a trivial matplotlib figure (one axes,
  one line, a title), the least a change that redraws a chart costs;
- **stratify** (stratify explorer only): the bare :func:`equitylab.stratify`
  call for the same state, timed right after the widget's change.

Machines here are shared and noisy: compare the ratios, not the seconds. Nothing
here asserts (no test times anything); it prints markdown for benchmarks/README.md.
The target (issue 10, section 5) is a 95th percentile of at most 100 ms per change.

Each widget's walk runs in a fresh process (as a learner's notebook holds one
explorer): no walk inherits another's heap, garbage or caches. ``--runs N`` repeats
every walk in N fresh processes and reports the median run with the lowest and
highest in brackets. A change's time includes any garbage collection that falls in
it; the last column leaves those out, to show how much of the tail they are.

Usage: python benchmarks/bench_widgets.py [--widgets stratify standardize run_chart gap]
       [--runs 3] [--repeat-baseline 30] [--slowest 10]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

import equitylab as el

# --- what the exercise notebooks build (exercises/0N-*.ipynb) --------------------------------

MEASURES = {
    "bp_controlled": "Blood pressure controlled (hypertension)",
    "crc_screened": "Colorectal cancer screening up to date",
    "diabetes": "Diagnosed diabetes",
    "hba1c_poor_control": "HbA1c above 9% (diabetes)",
    "readmitted_30d": "Readmitted within 30 days (admitted)",
}
GROUPINGS = {
    "race_ethnicity_group": "Race and ethnicity",
    "sex": "Sex",
    "clinic": "Clinic",
    "preferred_language": "Preferred language",
    "payer": "Payer",
}
ADVERSE = ["diabetes", "hba1c_poor_control", "readmitted_30d"]
STANDARDIZE_GROUPS = [
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Hispanic or Latino",
    "Middle Eastern or North African",
    "Native Hawaiian or Pacific Islander",
    "White",
    "Multiracial and/or Multiethnic",
]


class Counter:
    """Counts figure draws (rendering passes), stratify calls and the time Python's cyclic
    garbage collector runs while a change runs."""

    def __init__(self) -> None:
        self.draws = 0
        self.stratify = 0
        self.gc = 0.0
        started = [0.0]

        def collecting(phase, info):
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                self.gc += time.perf_counter() - started[0]

        gc.callbacks.append(collecting)
        original_draw = Figure.draw

        def draw(figure, renderer):
            self.draws += 1
            return original_draw(figure, renderer)

        Figure.draw = draw
        import equitylab.widgets.stratify as module

        original_stratify = module.stratify

        def stratify(*args, **kwargs):
            self.stratify += 1
            return original_stratify(*args, **kwargs)

        module.stratify = stratify
        self.bare_stratify = original_stratify


class Walk:
    """Drives one widget: each step sets one control to a value that leads to a new state."""

    def __init__(self, name: str, state: Callable[[], tuple], counter: Counter) -> None:
        self.name = name
        self.state = state
        self.counter = counter
        self.seen = {state()}
        self.times: list[float] = []
        self.draws: list[int] = []
        self.calls: list[int] = []
        self.controls: list[str] = []
        self.states: list[tuple] = []
        self.gc: list[float] = []
        self.after: list[Callable[[], None]] = []

    def change(self, control, value) -> bool:
        """Set ``control.value = value`` and time it, unless that would revisit a state."""
        if control.value == value:
            return False
        before = control.value
        self.counter.draws = self.counter.stratify = 0
        self.counter.gc = 0.0
        start = time.perf_counter()
        control.value = value
        elapsed = time.perf_counter() - start
        state = self.state()
        if state in self.seen:
            raise RuntimeError(f"{self.name}: the walk revisited {state!r} (from {before!r})")
        self.seen.add(state)
        self.times.append(elapsed)
        self.draws.append(self.counter.draws)
        self.calls.append(self.counter.stratify)
        self.controls.append(control.description)
        self.states.append(state)
        self.gc.append(self.counter.gc)
        for hook in self.after:
            hook()
        return True


def _from(values: list, current) -> list:
    """``values`` in a cycle that starts at ``current`` (so the first step is a no-op)."""
    values = list(values)
    start = values.index(current) if current in values else 0
    return values[start:] + values[:start]


def walk_stratify(
    patients: pd.DataFrame, counter: Counter, not_recorded: bool = True
) -> tuple[Walk, list[float]]:
    explorer = el.widgets.stratify_explorer(
        patients, measures=MEASURES, groupings=GROUPINGS, adverse=ADVERSE
    )

    def state() -> tuple:
        return (
            explorer.measure.value,
            explorer.grouping.value,
            explorer.second_grouping.value,
            explorer.reference.value,
            explorer.min_cell.value,
            repr(getattr(explorer, "combine", None)),
        )

    name = "stratify explorer" + ("" if not_recorded else ' (no "recorded as" changes)')
    walk = Walk(name, state, counter)
    bare: list[float] = []

    def time_bare() -> None:
        # The same state, the library alone: the part of a change the widget cannot avoid.
        reference = explorer.reference.value
        start = time.perf_counter()
        counter.bare_stratify(
            patients,
            by=explorer.by,
            outcome=explorer.measure.value,
            min_cell=explorer.min_cell.value,
            reference=reference[0] if len(reference) == 1 else reference,
            higher_is_better=explorer.measure.value not in ADVERSE,
            **({"combine": explorer.combine} if hasattr(explorer, "combine") else {}),
        )
        bare.append(time.perf_counter() - start)

    walk.after.append(time_bare)
    measures = list(MEASURES)
    min_cells = iter(range(12, 51))
    step = 0
    for first in GROUPINGS:
        walk.change(explorer.grouping, first)
        seconds = ["", *[g for g in GROUPINGS if g != first]]
        for second in _from(seconds, explorer.second_grouping.value):
            walk.change(explorer.second_grouping, second)
            for measure in _from(measures, explorer.measure.value):
                walk.change(explorer.measure, measure)
                step += 1
                if step % 4 == 0:  # now and then, a new reference group
                    options = [v for _, v in explorer.reference.options]
                    walk.change(explorer.reference, options[step % len(options)])
                if step % 7 == 0:  # and a higher threshold, each value once
                    walk.change(explorer.min_cell, next(min_cells))
                recorded = [c for c in explorer.by if c in getattr(explorer, "not_recorded", {})]
                if not_recorded and recorded and step % 6 == 0:  # Unknown etc. left out, or back
                    control = explorer.not_recorded[recorded[step % len(recorded)]]
                    walk.change(control, "keep" if control.value == "leave out" else "leave out")
    return walk, bare


def walk_standardize(patients: pd.DataFrame, counter: Counter) -> tuple[Walk, list[float]]:
    explorer = el.widgets.standardize_explorer(
        patients,
        "race_ethnicity_group",
        "diabetes",
        "age",
        group="Hispanic or Latino",
        reference="White",
        ages=(18, 100),
        groups=STANDARDIZE_GROUPS,
        outcome_label="Diagnosed diabetes",
    )
    walk = Walk(
        "standardize explorer",
        lambda: (explorer.group.value, explorer.reference.value, explorer.standard.value),
        counter,
    )
    standards = [value for _, value in explorer.standard.options]
    for standard in _from(standards, explorer.standard.value):
        walk.change(explorer.standard, standard)
        for group in _from(STANDARDIZE_GROUPS, explorer.group.value):
            walk.change(explorer.group, group)
            for reference in _from(STANDARDIZE_GROUPS, explorer.reference.value):
                walk.change(explorer.reference, reference)
    return walk, []


def walk_run_chart(counter: Counter) -> tuple[Walk, list[float]]:
    monthly = el.load_dataset("riverbend_monthly")
    explorer = el.widgets.run_chart_explorer(
        monthly,
        time="month",
        group="group",
        events="numerator",
        totals="denominator",
        ylabel="Blood pressure controlled (%)",
    )

    def state() -> tuple:
        use = explorer.use_baseline.value
        return (explorer.group.value, use, explorer.baseline.value if use else None)

    walk = Walk("run-chart explorer", state, counter)
    low, high = explorer.baseline.min, explorer.baseline.max
    for group in explorer.group.options:
        walk.change(explorer.group, group)
        walk.change(explorer.use_baseline, True)
        for baseline in _from(range(low, high + 1), explorer.baseline.value):
            walk.change(explorer.baseline, baseline)
        if (group, False, None) not in walk.seen:
            walk.change(explorer.use_baseline, False)
    return walk, []


def walk_gap(counter: Counter) -> tuple[Walk, list[float]]:
    explorer = el.widgets.gap_explorer(
        0.446,
        0.508,
        group_label="Black adults with hypertension",
        reference_label="White adults with hypertension",
        outcome="their blood pressure controlled",
    )
    walk = Walk("gap explorer", lambda: (explorer.size.value,), counter)
    for size in range(100, 20_001, 200):
        walk.change(explorer.size, size)
    return walk, []


def trivial_figure() -> None:
    """The figure baseline: a one-line chart with a title, saved to PNG."""
    import io

    import matplotlib.pyplot as plt

    figure, ax = plt.subplots(figsize=(7.0, 4.0))
    ax.plot([0, 1, 2, 3], [3, 1, 2, 4])
    ax.set_title("Baseline")
    plt.close(figure)
    figure.savefig(io.BytesIO(), format="png", dpi=100)


def _ms(values: list[float], q: float | None = None) -> float:  # milliseconds
    if q is None:
        return 1000 * statistics.median(values)
    return 1000 * float(np.quantile(values, q))


WALKS = {
    "stratify": lambda patients, counter: walk_stratify(patients, counter),
    # the same walk without the "recorded as" controls (to compare with code before them)
    "stratify_without_not_recorded": lambda patients, counter: walk_stratify(
        patients, counter, not_recorded=False
    ),
    "standardize": lambda patients, counter: walk_standardize(patients, counter),
    "run_chart": lambda patients, counter: walk_run_chart(counter),
    "gap": lambda patients, counter: walk_gap(counter),
}


def child(name: str, repeat_baseline: int) -> dict:
    """One widget's walk in this (fresh) process, with the figure baseline before and after."""
    counter = Counter()
    patients = el.load_dataset("riverbend_patients")
    trivial_figure()  # matplotlib's own first-use costs (fonts, imports) are not a change

    def baseline() -> list[float]:
        times = []
        for _ in range(repeat_baseline):
            gc.collect()
            start = time.perf_counter()
            trivial_figure()
            times.append(time.perf_counter() - start)
        return times

    figure = baseline()
    walk, bare = WALKS[name](patients, counter)
    figure += baseline()  # before and after the walk, so drift shows in one number
    return {
        "name": walk.name,
        "figure": figure,
        "times": walk.times,
        "gc": walk.gc,
        "draws": walk.draws,
        "calls": walk.calls,
        "controls": walk.controls,
        "states": [repr(state) for state in walk.states],
        "bare": bare,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--widgets",
        nargs="+",
        default=["stratify", "standardize", "run_chart", "gap"],
        choices=list(WALKS),
    )
    parser.add_argument("--runs", type=int, default=1, help="fresh processes per widget")
    parser.add_argument("--repeat-baseline", type=int, default=30)
    parser.add_argument("--slowest", type=int, default=0, help="list the N slowest changes")
    parser.add_argument("--child", choices=list(WALKS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat_baseline)))
        return 0
    import ipywidgets

    print(
        f"equitylab {el.__version__}, matplotlib {matplotlib.__version__}, ipywidgets "
        f"{ipywidgets.__version__}, pandas {pd.__version__}, Python "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    )
    # Each walk in a fresh process, as a learner's notebook has one explorer: no walk
    # inherits another's heap (garbage collection) or caches.
    results: dict[str, list[dict]] = {name: [] for name in args.widgets}
    for _ in range(args.runs):
        for name in args.widgets:
            command = [sys.executable, __file__, "--child", name]
            command += ["--repeat-baseline", str(args.repeat_baseline)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            results[name].append(json.loads(done.stdout.splitlines()[-1]))

    def number(value: float) -> str:
        return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"

    def spread(values: list[float]) -> str:
        if len(values) == 1:
            return number(values[0])
        middle = statistics.median(values)
        return f"{number(middle)} ({number(min(values))}–{number(max(values))})"

    runs = f", median of {args.runs} runs (lowest–highest)" if args.runs > 1 else ""
    print(f"\nPer change, in ms{runs}:\n")
    print(
        "| widget | changes | median | p95 | slowest | figure baseline | p95 ÷ figure | "
        "draws per change | stratify calls per change | p95 ÷ bare stratify | "
        "p95 less garbage collection |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|")
    for runs_of in results.values():
        first = runs_of[0]
        medians = [_ms(r["times"]) for r in runs_of]
        p95s = [_ms(r["times"], 0.95) for r in runs_of]
        figures = [_ms(r["figure"]) for r in runs_of]
        ratios = [p / f for p, f in zip(p95s, figures, strict=True)]
        draws = sorted({d for r in runs_of for d in r["draws"]})
        calls = sorted({c for r in runs_of for c in r["calls"]})
        bare = [_ms(r["times"], 0.95) / _ms(r["bare"], 0.95) for r in runs_of if r["bare"]]
        less_gc = [
            _ms([t - g for t, g in zip(r["times"], r["gc"], strict=True)], 0.95) for r in runs_of
        ]
        print(
            f"| {first['name']} | {len(first['times'])} | {spread(medians)} | {spread(p95s)} | "
            f"{spread([1000 * max(r['times']) for r in runs_of])} | {spread(figures)} | "
            f"{spread(ratios)} | {draws[0]}–{draws[-1]} | "
            f"{f'{calls[0]}–{calls[-1]}' if first['bare'] else '—'} | "
            f"{spread(bare) if bare else '—'} | {spread(less_gc)} |"
        )
    print("\n| widget | control | changes | median ms | p95 ms | slowest ms |")
    print("|---|---|---:|---:|---:|---:|")
    for runs_of in results.values():
        walk = runs_of[0]
        pairs = [(t, c) for r in runs_of for t, c in zip(r["times"], r["controls"], strict=True)]
        for control in dict.fromkeys(walk["controls"]):
            times = [t for t, c in pairs if c == control]
            print(
                f"| {walk['name']} | {control} | {len(times) // len(runs_of)} | "
                f"{_ms(times):.1f} | {_ms(times, 0.95):.1f} | {1000 * max(times):.1f} |"
            )
    for runs_of in results.values():
        walk = runs_of[0]
        if walk["bare"]:
            bare = [t for r in runs_of for t in r["bare"]]
            print(
                f"\n{walk['name']}: bare stratify for the same states: median "
                f"{_ms(bare):.1f} ms, p95 {_ms(bare, 0.95):.1f} ms"
            )
        if args.slowest:
            print(f"\n{walk['name']}, slowest changes (first run):")
            order = sorted(range(len(walk["times"])), key=walk["times"].__getitem__, reverse=True)
            for i in order[: args.slowest]:
                print(
                    f"  {1000 * walk['times'][i]:6.1f} ms (garbage collection "
                    f"{1000 * walk['gc'][i]:.0f} ms)  {walk['controls'][i]}  -> {walk['states'][i]}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
