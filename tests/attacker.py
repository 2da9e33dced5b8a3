"""An integer attacker for small-cell protection, written independently of the library.

It plays a reader who knows every value a protected table shows, every marginal total
that a separate, protected marginal table would show, and that 0 <= events <= n, and
who reasons with whole numbers: with an integer program (scipy.optimize.milp) it finds
the smallest and largest whole-number value of every hidden count of 1 to
min_cell - 1. A count whose smallest and largest values are equal is pinned down.

The marginal totals are computed here (aggregating the table to every proper subset of
its grouping columns); only the decision which marginal cells a protected marginal
table would show is asked of ``protect_table``, since that is what "published" means.

``optimal_hidden`` finds, by exhaustive search with the same attacker, the fewest
groups whose outcome must be hidden so that the table is safe: the integer-optimal
suppression the heuristic is compared with (used by tests/test_privacy.py and by
benchmarks/bench_suppression.py).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from equitylab.privacy import protect_table


def _small(values, min_cell):
    values = np.asarray(values)
    return (values > 0) & (values < min_cell)


def known_totals(keys: pd.DataFrame, n, events, min_cell: int):
    """Lists of member-position arrays: totals whose n is known, and whose events are."""
    n, events = np.asarray(n), np.asarray(events)
    columns = [c for c in keys.columns if keys[c].nunique() > 1]
    known_n, known_e = [], []
    for size in range(len(columns)):
        for subset in combinations(columns, size):
            if not subset:
                groups = [np.arange(len(n))]
            else:
                groups = list(keys.groupby(list(subset), sort=False).indices.values())
            totals_n = np.array([n[g].sum() for g in groups])
            totals_e = np.array([events[g].sum() for g in groups])
            if not subset:
                hide_n = _small(totals_n, min_cell)
                hide_e = hide_n | _small(totals_e, min_cell) | _small(totals_n - totals_e, min_cell)
            else:
                marginal = pd.DataFrame(
                    [keys.iloc[g[0]][list(subset)].tolist() for g in groups], columns=list(subset)
                )
                hide_n, hide_e = protect_table(marginal, totals_n, totals_e, min_cell)
            for g, hn, he in zip(groups, hide_n, hide_e, strict=True):
                if not hn:
                    known_n.append(np.asarray(g))
                if not he:
                    known_e.append(np.asarray(g))
    return known_n, known_e


def pinned(keys, n, events, hide_n, hide_outcome, min_cell, totals=None) -> list[str]:
    """Hidden counts of 1 to min_cell - 1 that the integer attacker pins down."""
    totals = totals if totals is not None else known_totals(keys, n, events, min_cell)
    everything = np.ones(len(np.asarray(n)), dtype=bool)
    return _pinned_cells(keys, n, events, hide_n, hide_outcome, totals, everything, min_cell)


def _pinned_cells(keys, n, events, hide_n, hide_outcome, totals, only, min_cell) -> list[str]:
    n, events = np.asarray(n, dtype=np.int64), np.asarray(events, dtype=np.int64)
    hide_n = np.asarray(hide_n, dtype=bool)
    hide_outcome = np.asarray(hide_outcome, dtype=bool) | hide_n
    known_n, known_e = totals
    cells = len(n)
    index = {("n", i): k for k, i in enumerate(np.nonzero(hide_n)[0])}
    for i in np.nonzero(hide_outcome)[0]:
        index[("e", i)] = len(index)
    size = len(index)
    if size == 0:
        return []

    def term(kind, i):
        vector = np.zeros(size)
        if (kind, i) in index:
            vector[index[(kind, i)]] = 1.0
            return vector, 0.0
        return vector, float(n[i] if kind == "n" else events[i])

    rows, lower, upper = [], [], []
    for kind, values, totals_ in (("n", n, known_n), ("e", events, known_e)):
        for members in totals_:
            vector, constant = np.zeros(size), 0.0
            for i in members:
                v, c = term(kind, int(i))
                vector, constant = vector + v, constant + c
            if vector.any():
                rows.append(vector)
                lower.append(values[members].sum() - constant)
                upper.append(values[members].sum() - constant)
    for i in range(cells):  # events <= n
        ve, ce = term("e", i)
        vn, cn = term("n", i)
        if ve.any() or vn.any():
            rows.append(ve - vn)
            lower.append(-np.inf)
            upper.append(cn - ce)
    constraints = [LinearConstraint(np.array(rows), lower, upper)] if rows else []
    integrality = np.ones(size)
    bounds = Bounds(np.zeros(size), np.full(size, np.inf))
    found = []
    for i in range(cells):
        quantities = []
        if not only[i]:
            continue
        if hide_n[i] and _small([n[i]], min_cell)[0]:
            quantities.append((f"n[{i}]", *term("n", i)))
        if hide_outcome[i]:
            (ve, ce), (vn, cn) = term("e", i), term("n", i)
            if _small([events[i]], min_cell)[0]:
                quantities.append((f"events[{i}]", ve, ce))
            if _small([n[i] - events[i]], min_cell)[0]:
                quantities.append((f"non-events[{i}]", vn - ve, cn - ce))
        for name, vector, constant in quantities:
            # Presolve off: SciPy's HiGHS presolve has been seen to call such a
            # problem infeasible although the true table satisfies it (a HiGHS bug).
            options = {"presolve": False}
            low = milp(vector, constraints=constraints, integrality=integrality, bounds=bounds,
                       options=options)  # fmt: skip
            high = milp(-vector, constraints=constraints, integrality=integrality,
                        bounds=bounds, options=options)  # fmt: skip
            assert low.status == 0, low.message  # the true table is always feasible
            if high.status != 0:  # unbounded above: not pinned
                continue
            if round(low.fun + constant) == round(-high.fun + constant):
                found.append(f"{name} is pinned down")
    return found


def shown_small(n, events, hide_n, hide_outcome, min_cell) -> list[str]:
    """Small counts a table shows (primary suppression failures)."""
    n, events = np.asarray(n), np.asarray(events)
    problems = []
    for name, values, hidden in (
        ("n", n, hide_n),
        ("events", events, hide_outcome),
        ("non-events", n - events, hide_outcome),
    ):
        for i in np.nonzero(_small(values, min_cell) & ~np.asarray(hidden, dtype=bool))[0]:
            problems.append(f"{name}[{i}] is shown")
    return problems


def small_residual(keys, n, events, hidden, totals, min_cell) -> bool:
    """True when, in some known total, the hidden groups that the attacker cannot pin
    down add up to 1..min_cell-1 (a combined small count: two hidden groups with 3 and
    4 people without the outcome, next to a third hidden group whose counts the other
    totals give away)."""
    n, events = np.asarray(n), np.asarray(events)
    _, known_e = totals
    undetermined = hidden.copy()
    for i in np.nonzero(hidden)[0]:
        # is this hidden group's outcome count pinned down? (asked as if it were small)
        if _pinned_value(keys, n, events, hidden, totals, int(i)):
            undetermined[i] = False
    for members in known_e:
        inside = members[undetermined[members]]
        for values in (events, n - events):
            if 0 < values[inside].sum() < min_cell:
                return True
    return False


def _pinned_value(keys, n, events, hidden, totals, cell) -> bool:
    """Whether the attacker pins down the outcome count of one hidden group."""
    no_n = np.zeros(len(n), dtype=bool)
    big = int(np.asarray(n).sum()) + 1  # treat every count as "small": check each one
    only = np.zeros(len(n), dtype=bool)
    only[cell] = True
    leaks = _pinned_cells(keys, n, events, no_n, hidden, totals, only, big)
    return bool(leaks)


def optimal_hidden(keys, n, events, min_cell) -> int:
    """The fewest groups whose outcome must be hidden (every n >= min_cell assumed)."""
    n, events = np.asarray(n), np.asarray(events)
    assert not _small(n, min_cell).any(), "exhaustive search covers outcome-only tables"
    totals = known_totals(keys, n, events, min_cell)
    primary = _small(events, min_cell) | _small(n - events, min_cell)
    if not primary.any():
        return 0
    others = np.nonzero(~primary)[0]
    no_n = np.zeros(len(n), dtype=bool)
    for extra in range(len(others) + 1):
        for chosen in combinations(others, extra):
            hidden = primary.copy()
            hidden[list(chosen)] = True
            if small_residual(keys, n, events, hidden, totals, min_cell):
                continue
            if not pinned(keys, n, events, no_n, hidden, min_cell, totals):
                return int(hidden.sum())
    return len(n)
