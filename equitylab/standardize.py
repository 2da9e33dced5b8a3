r"""Age standardization: comparing groups whose age structures differ.

Crude rates mix two things: how often something happens at each age, and how old
each group is. Standardization separates them.

**Direct standardization** (:func:`age_standardize`) applies each group's
age-specific rates to one standard population:
:math:`DSR = \sum_i w_i y_i`, with :math:`w_i` the standard's share of people in
age group :math:`i`. Intervals:

- for a yes/no outcome (a proportion, e.g. blood pressure controlled), a normal
  approximation with the binomial variance
  :math:`\mathrm{var} = \sum_i w_i^2 y_i (1 - y_i) / n_i`, clipped to [0, 1];
  Poisson-based intervals (Dobson's) are far too wide for common proportions;
- for events per person-time, the method of Dobson, Kuulasmaa, Eberle & Scherer
  (Stat Med 1991;10:457–462): with :math:`O = \sum_i x_i`,
  :math:`\mathrm{var} = \sum_i w_i^2 x_i / t_i^2` and :math:`(O_L, O_U)` the Poisson
  limits of :math:`O` (exact below 10 events, Byar's approximation from 10, as in UK
  public-health practice), :math:`DSR_{L,U} = DSR + \sqrt{\mathrm{var}/O}\,(O_{L,U} - O)`;
- for events that can repeat in one person (``repeat_events=True``: admissions,
  visits), the same limits with the variance for non-independent events of UKHSA's
  technical guidance (PHEindicatormethods ``calculate_dsr``): each person's events
  squared replace the events in the variance, :math:`\sum_i (w_i/t_i)^2 \sum_f f^2
  P_{if}`, with :math:`P_{if}` the people of age group :math:`i` with :math:`f` events.

**Indirect standardization** (:func:`standardized_ratio`) compares each group's
observed count with the count expected if the group had reference age-specific
rates (by default those of everyone in the data, or reference rates you give):
:math:`SMR = O / E`, with exact Poisson limits on :math:`O` divided by :math:`E`.

Standard populations ship with the package (:data:`STANDARDS`): the US 2000
standard population (NCHS; Klein & Schoenborn, Healthy People 2010 Statistical
Notes no. 20, 2001; 11 age groups) and the 2013 European Standard Population
(Eurostat 2013; 19 age groups).

**Which ages.** Ages are whole years (age at last birthday), each placed in the
standard's age group whose bounds contain it. By default a directly standardized
rate uses the *whole* standard, so the data must cover it: from its youngest age
to its oldest group. When they do not (Riverbend Health's patients are adults,
aged 18 to 100), :func:`age_standardize` refuses and says which ages the data
cover, because standardizing over part of a standard changes its weights and so
the rate. Say which ages to standardize over with ``ages=(18, 100)``: the
standard is then **truncated** to those ages and its weights rescaled to add up
to 1; an age group only partly inside keeps the covered fraction of its weight
(people assumed spread evenly over its years), and ``attrs["standard_note"]``
says so. Ages that cannot be placed unambiguously are refused too: ages that are
not whole years (band midpoints such as 2.5, 7.5), ages outside the standard's
groups (or outside the ``ages`` you gave), and data in which a whole age group of
the standard has nobody (ages that stand for wider bands than the standard's).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .errors import EquityLabError
from .intervals import POISSON_METHODS, poisson_interval, z_value
from .privacy import check_min_cell, is_small, protect_table
from .stratify import _check_columns, _counts, _normalise_by, _pandas_sums

__all__ = ["STANDARDS", "age_standardize", "standard_population", "standardized_ratio"]


def _standard(rows: list[tuple[int, int | None, float]], source: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["age_low", "age_high", "population"])
    frame["age_high"] = frame["age_high"].astype("Int64")
    frame.attrs["source"] = source
    return frame


#: Standard populations by name, each a table of age groups (inclusive bounds, <NA> for an
#: open-ended group) and their population.
STANDARDS: dict[str, pd.DataFrame] = {
    # US 2000 standard population, 11 age groups, in thousands (Klein RJ, Schoenborn CA.
    # Age adjustment using the 2000 projected U.S. population. Healthy People 2010
    # Statistical Notes no. 20. NCHS, 2001; Table 1). Per million: 13,818; 55,317;
    # 145,565; 138,646; 135,573; 162,613; 134,834; 87,247; 66,037; 44,842; 15,508.
    "us2000": _standard(
        [
            (0, 0, 3795),
            (1, 4, 15192),
            (5, 14, 39977),
            (15, 24, 38077),
            (25, 34, 37233),
            (35, 44, 44659),
            (45, 54, 37030),
            (55, 64, 23961),
            (65, 74, 18136),
            (75, 84, 12315),
            (85, None, 4259),
        ],
        "US 2000 standard population, 11 age groups (NCHS; Klein & Schoenborn 2001)",
    ),
    # 2013 European Standard Population, 19 age groups, per 100,000 (Eurostat, Revision of
    # the European Standard Population: report of Eurostat's task force, 2013).
    "esp2013": _standard(
        [(0, 4, 5000)]
        + [
            (low, low + 4, w)
            for low, w in zip(
                range(5, 90, 5),
                [
                    5500,
                    5500,
                    5500,
                    6000,
                    6000,
                    6500,
                    7000,
                    7000,
                    7000,
                    7000,
                    6500,
                    6000,
                    5500,
                    5000,
                    4000,
                    2500,
                    1500,
                ],
                strict=True,
            )
        ]
        + [(90, None, 1000)],
        "2013 European Standard Population, 19 age groups (Eurostat 2013)",
    ),
}


def _check_standard(standard) -> pd.DataFrame:
    if isinstance(standard, str):
        if standard not in STANDARDS:
            raise EquityLabError(
                f"unknown standard {standard!r}; use one of {', '.join(STANDARDS)} or a table "
                "with columns age_low, age_high and population"
            )
        return STANDARDS[standard].copy()
    if isinstance(standard, pd.DataFrame):
        missing = [c for c in ("age_low", "age_high", "population") if c not in standard.columns]
        if missing:
            raise EquityLabError(
                f"a standard population needs columns age_low, age_high, population; "
                f"missing: {', '.join(missing)}"
            )
        frame = standard[["age_low", "age_high", "population"]].copy()
        frame["age_high"] = frame["age_high"].astype("Int64")
        frame.attrs["source"] = standard.attrs.get("source", "a standard population you gave")
        return frame
    raise EquityLabError("standard must be 'us2000', 'esp2013' or a DataFrame")


def standard_population(
    standard="us2000", *, ages: tuple[float, float | None] | None = None
) -> tuple[pd.DataFrame, str]:
    """The standard's age groups with weights adding up to 1, truncated to ``ages``.

    ``"us2000"`` is the US 2000 standard population in NCHS's 11 age groups (Klein &
    Schoenborn, Healthy People 2010 Statistical Notes 20, 2001); ``"esp2013"`` the
    2013 European Standard Population (Eurostat, 2013).

    ``ages=(18, 100)`` keeps the part of the standard from 18 to 100 years
    (``ages=(18, None)``: from 18 up, to the top of the standard): groups outside
    are dropped, a group partly inside keeps the covered fraction of its weight
    (people assumed spread evenly over its years), and the weights are rescaled.
    Returns the table (columns ``age_low``, ``age_high``, ``weight``) and a note
    saying what was done.
    """
    frame = _check_standard(standard)
    low_bound = frame["age_low"].astype(float).to_numpy()
    high_bound = frame["age_high"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    population = frame["population"].astype(float).to_numpy()
    note = f"{frame.attrs['source']}, all ages"
    covered = np.ones(len(frame))
    if ages is not None:
        lo, hi = _age_range(ages, frame)
        years = high_bound - low_bound + 1
        overlap = np.minimum(high_bound, hi) - np.maximum(low_bound, lo) + 1
        with np.errstate(invalid="ignore"):  # inf / inf for an open group: chosen below
            share = np.clip(overlap / years, 0, 1)
        covered = np.where(np.isinf(years), np.where(hi >= low_bound, 1.0, 0.0), share)
        partial = (covered > 0) & (covered < 1)
        span = f"{lo:g} and over" if np.isinf(hi) else f"{lo:g}-{hi:g}"
        note = f"{frame.attrs['source']}, truncated to ages {span} and reweighted" + (
            "; partly covered group(s) "
            + ", ".join(f"{low_bound[i]:g}-{high_bound[i]:g}" for i in np.nonzero(partial)[0])
            + " kept in proportion to the years covered"
            if partial.any()
            else ""
        )
        if (covered == 1).all():
            note = f"{frame.attrs['source']}, all ages"
    weights = population * covered
    keep = weights > 0
    if not keep.any():
        raise EquityLabError("the standard population has no weight in the ages of the data")
    result = pd.DataFrame(
        {
            "age_low": frame["age_low"].to_numpy()[keep],
            "age_high": frame["age_high"].to_numpy()[keep],
            "weight": weights[keep] / weights[keep].sum(),
        }
    )
    return result, note


def _bounds(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each age group's first year and the first year after it (inf when open-ended)."""
    low = frame["age_low"].astype(float).to_numpy()
    high = frame["age_high"].astype("Float64").fillna(np.inf).to_numpy(dtype=float)
    return low, high + 1


def _top(frame: pd.DataFrame) -> str:
    """The standard's oldest age, in words (``85 and over`` for an open-ended group)."""
    last = frame.iloc[-1]
    return f"{last['age_low']:g} and over" if pd.isna(last["age_high"]) else f"{last['age_high']:g}"


def _age_range(ages, frame: pd.DataFrame) -> tuple[float, float]:
    """Validate ``ages=(low, high)`` against a standard; ``high`` None means open-ended."""
    if not isinstance(ages, (tuple, list)) or len(ages) != 2:
        raise EquityLabError(
            f"ages must be a pair (youngest, oldest), e.g. ages=(18, 100) or (18, None) for "
            f"18 and over; got {ages!r}"
        )
    lo, hi = ages

    def number(value, name):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise EquityLabError(f"ages: the {name} age must be a number, got {value!r}")
        if not math.isfinite(float(value)) or float(value) < 0 or float(value) != int(value):
            raise EquityLabError(
                f"ages: the {name} age must be a whole number of years, got {value!r}"
            )
        return float(value)

    lo = number(lo, "youngest")
    hi = np.inf if hi is None else number(hi, "oldest")
    low, end = _bounds(frame)
    if np.isinf(hi) and not np.isinf(end.max()):
        hi = float(end.max() - 1)  # "to the top" of a standard whose last group is closed
    if hi < lo:
        raise EquityLabError(f"ages: the oldest age ({hi:g}) is below the youngest ({lo:g})")
    if lo < low.min() or (not np.isinf(hi) and hi >= end.max()):
        raise EquityLabError(
            f"ages=({lo:g}, {'None' if np.isinf(hi) else f'{hi:g}'}) goes beyond the standard, "
            f"which covers ages {low.min():g} to {_top(frame)}"
        )
    return lo, hi


def _place(values: pd.Series, frame: pd.DataFrame, column: str) -> np.ndarray:
    """The position of each age's group in ``frame`` (-1 when the age is missing).

    Refuses ages that cannot be placed unambiguously: ages that are not whole years
    (for example band midpoints such as 2.5) and ages in no group of the standard.
    """
    ages = values.to_numpy(dtype=float)
    known = ~np.isnan(ages)
    given = ages[known]
    if (given < 0).any() or np.isinf(given).any():
        raise EquityLabError(f"column {column!r} must hold ages in years, zero or more")
    fractional = given != np.floor(given)
    if fractional.any():
        shown = ", ".join(f"{v:g}" for v in np.unique(given[fractional])[:5])
        raise EquityLabError(
            f"column {column!r} holds ages that are not whole years ({shown}); ages are placed "
            "in the standard's age groups as whole years (age at last birthday). If these are "
            "exact ages, take the whole years first (df[age] // 1); if they are midpoints or "
            "codes of age bands, the people cannot be placed in the standard's groups "
            "unambiguously: give each person's age in years, or standardize with a standard "
            "population whose age groups are the bands of your data"
        )
    low, end = _bounds(frame)
    order = np.argsort(low, kind="stable")
    candidate = np.searchsorted(low[order], np.where(known, ages, -1.0), side="right") - 1
    group = order[np.maximum(candidate, 0)]
    placed = known & (candidate >= 0) & (ages < end[group])
    position = np.where(placed, group, -1)
    outside = known & ~placed
    if outside.any():
        shown = ", ".join(f"{v:g}" for v in np.unique(ages[outside])[:5])
        raise EquityLabError(
            f"column {column!r} holds ages in no age group of the standard ({shown}); the "
            f"standard covers ages {low.min():g} to {_top(frame)}"
        )
    return position


def _coverage_error(column, standard_name, frame, young, old, distinct) -> EquityLabError:
    """Why the data do not cover the whole standard, and the choices there are."""
    partial = []
    low, end = _bounds(frame)
    for lo_i, end_i in zip(low, end, strict=True):
        if np.isinf(end_i):
            continue  # an open-ended group is covered whole once the data reach it
        inside = max(0.0, min(end_i, old + 1) - max(lo_i, young))
        if 0 < inside < end_i - lo_i:
            partial.append(
                f"its {_age_label(lo_i, end_i - 1)} group keeps {inside:g} of its "
                f"{end_i - lo_i:g} years' weight"
            )
    suggestion = f"ages=({young:g}, {old:g})"
    hint = (
        f" The data hold only {distinct} distinct ages: if they are midpoints or codes of age "
        "bands rather than ages in years, use a standard population whose age groups are "
        "those bands instead."
        if distinct <= len(frame)
        else ""
    )
    return EquityLabError(
        f"the ages in column {column!r} run from {young:g} to {old:g}, but the standard "
        f"{standard_name} covers ages {low.min():g} to {_top(frame)}. Standardizing over part "
        "of a standard changes its weights, and with them the rate, so say which ages to "
        f"standardize over: {suggestion} keeps that part of the standard and rescales its "
        "weights"
        + (
            f" ({'; '.join(partial)}, people assumed spread evenly over the years)"
            if partial
            else ""
        )
        + ", or give a standard population that matches the ages of your data."
        + hint
    )


def _age_label(low, high) -> str:
    return f"{low:g}+" if pd.isna(high) else f"{low:g}-{high:g}"


def _strata(
    df,
    by,
    outcome,
    age,
    standard,
    person_time,
    max_groups,
    *,
    ages=None,
    direct=True,
    squares=False,
    min_cell=11,
):
    """Counts per group and standard age group, the weights, and what was done.

    Returns the counted table, the weights by age-group label, the labels in order,
    the standard's note, the number of people without an age, and ``coverage``: the
    ages the data cover and the range standardized over (for ``attrs``), with notes.
    """
    if not isinstance(df, pd.DataFrame):
        raise EquityLabError("age standardization needs a pandas DataFrame")
    _check_columns(list(df.columns), [*by, age], outcome)
    if person_time is not None:
        _check_columns(list(df.columns), by, person_time)
    frame_std = _check_standard(standard)
    name = standard if isinstance(standard, str) else "you gave"
    ages_all = pd.to_numeric(df[age], errors="coerce")
    if ages_all.notna().sum() == 0:
        raise EquityLabError(f"column {age!r} has no numeric ages")
    _place(ages_all, frame_std, age)
    young, old = float(ages_all.min()), float(ages_all.max())
    notes: list[str] = []
    if not direct:
        weights, note = standard_population(frame_std, ages=(young, old))
        span = (young, old)
    elif ages is None:
        low, end = _bounds(frame_std)
        short = old < low.max() if np.isinf(end.max()) else old + 1 < end.max()
        if young > low.min() or short:
            raise _coverage_error(age, name, frame_std, young, old, ages_all.nunique())
        weights, note = standard_population(frame_std)
        span = (float(low.min()), None if np.isinf(end.max()) else float(end.max() - 1))
    else:
        lo, hi = _age_range(ages, frame_std)
        outside = (ages_all < lo) | (ages_all > hi)
        if outside.any():
            count = int(outside.sum())
            raise EquityLabError(
                f"{'1 to 10' if is_small([count], min_cell)[0] else f'{count:,}'} people in column "
                f"{age!r} are aged outside the ages={tuple(ages)!r} you gave; filter the data "
                "to those ages first, or widen ages"
            )
        if young > lo or old < hi:
            notes.append(
                f"the data's ages run from {young:g} to {old:g}, within the ages "
                f"{lo:g} to {'the top of the standard' if np.isinf(hi) else f'{hi:g}'} "
                "standardized over"
            )
        weights, note = standard_population(frame_std, ages=(lo, None if np.isinf(hi) else hi))
        span = (lo, None if np.isinf(hi) else hi)
    position = _place(ages_all, weights.rename(columns={"weight": "population"}), age)
    labels = [
        _age_label(lo, hi) for lo, hi in zip(weights["age_low"], weights["age_high"], strict=True)
    ]
    groups = pd.Series(
        np.where(position >= 0, np.asarray(labels, dtype=object)[np.maximum(position, 0)], None),
        index=df.index,
        dtype=object,
    )
    if direct:
        people = np.bincount(position[position >= 0], minlength=len(labels))
        empty = [lab for lab, count in zip(labels, people, strict=True) if count == 0]
        if empty:
            raise EquityLabError(
                f"nobody in the data is aged {', '.join(empty)}, although the data's ages run "
                f"from {young:g} to {old:g}: no group can have a standardized rate. If the ages "
                "stand for wider age bands (e.g. 10-year bands given by their first year), use "
                "a standard population whose age groups are those bands"
            )
    frame = df[[*by, outcome] + ([person_time] if person_time else [])].copy()
    frame["__age_group__"] = groups
    no_age = int(groups.isna().sum())
    frame = frame[groups.notna()]
    keys = [*by, "__age_group__"]
    if person_time is None:
        counted = _counts(frame, keys, outcome, max_groups).frame
        counted["n"] = counted["zeros"] + counted["ones"]
        counted["events"] = counted["ones"]
        counted["rows"] = counted["n"] + counted["blank"]
    else:
        counted = _pandas_sums(frame, keys, outcome, person_time, max_groups).frame
        if squares:  # the sum of each person's events squared, for non-independent events
            squared = frame.assign(__squared__=pd.to_numeric(frame[outcome], errors="coerce") ** 2)
            sums = _pandas_sums(squared, keys, "__squared__", person_time, max_groups).frame
            counted = counted.merge(
                sums[[*keys, "events"]].rename(columns={"events": "events_squared"}), on=keys
            )
    counted = counted[counted["__age_group__"] != "Missing"]
    w = dict(zip(labels, weights["weight"], strict=True))
    coverage = {
        "ages_covered": [_plain_age(young), _plain_age(old)],
        "age_range": [_plain_age(span[0]), None if span[1] is None else _plain_age(span[1])],
        "notes": notes,
    }
    return counted, w, labels, note, no_age, coverage


def _plain_age(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def _reference_rates(table: pd.DataFrame, standard) -> dict[str, float]:
    missing = [c for c in ("age_low", "events", "population") if c not in table.columns]
    if missing:
        raise EquityLabError(
            "reference_rates needs columns age_low, events and population; missing: "
            + ", ".join(missing)
        )
    groups = _check_standard(standard)
    labels = {
        float(lo): _age_label(lo, hi)
        for lo, hi in zip(groups["age_low"], groups["age_high"], strict=True)
    }
    rates = {}
    for lo, events, population in zip(
        table["age_low"], table["events"], table["population"], strict=True
    ):
        if float(lo) not in labels:
            raise EquityLabError(
                f"reference age group starting at {lo} is not an age group of the standard"
            )
        rates[labels[float(lo)]] = float(events) / float(population)
    return rates


def age_standardize(
    df,
    by,
    outcome: str,
    age: str,
    *,
    standard="us2000",
    ages: tuple[float, float | None] | None = None,
    person_time: str | None = None,
    repeat_events: bool = False,
    per: float = 100,
    level: float = 0.95,
    min_cell: int = 11,
    max_groups: int = 1000,
) -> pd.DataFrame:
    r"""Directly age-standardized rates by group, next to the crude rates.

    Parameters
    ----------
    df:
        Patient-level pandas data with an ``age`` column in whole years (one row per
        person; with ``person_time``, rows that each stand for a whole age band, such
        as published counts, also work unless ``repeat_events=True``).
    by:
        Grouping column(s), as in :func:`~equitylab.stratify.stratify`.
    outcome:
        A yes/no column (the rate is a proportion), or, with ``person_time``, a
        count of events per person.
    standard:
        ``"us2000"``, ``"esp2013"`` or a table with ``age_low``, ``age_high`` and
        ``population``.
    ages:
        The ages to standardize over, ``(youngest, oldest)``; ``oldest=None`` means
        to the top of the standard. By default (``None``) the whole standard is
        used, and the data must cover it: if they do not (adult patients, say), the
        function refuses and names the ages the data cover, since standardizing over
        part of a standard is a choice that changes the rate. With ``ages`` the
        standard is truncated to those ages (a partly covered age group keeps the
        covered fraction of its weight) and people outside them are refused. See
        the module notes for the ages that cannot be placed in the standard's groups.
    person_time:
        For event rates: the column of person-time (e.g. years of follow-up).
    repeat_events:
        With ``person_time``: ``True`` when one person can have several events
        (admissions, visits), so the events are not independent. The rate is
        unchanged; its interval uses the variance for non-independent events of
        UKHSA's public health technical guidance, as implemented by
        ``calculate_dsr(independent_events = FALSE)`` in PHEindicatormethods: people
        with *f* events in age group *i* are a Poisson count, each weighing *f*
        events, so :math:`\mathrm{var} = \sum_i (w_i/t_i)^2 \sum_f f^2 P_{if}`, with
        :math:`P_{if}` the number of people in group *i* with *f* events (the sum of
        each person's events squared, where the independent-events variance sums the
        events). Dobson's limits are then built from it as usual. Each row must be
        one person. The ``variance_inflation`` column gives the ratio of this
        variance to the independent-events one.
    per:
        Rates are shown per ``per`` (100 = percent for proportions; e.g. 1,000 for
        events per 1,000 person-years).

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``n``, ``events``, ``crude_rate``, ``adjusted_rate``,
        ``adjusted_ci_low``, ``adjusted_ci_high`` and ``suppressed`` (and
        ``variance_inflation`` with ``repeat_events=True``). ``attrs``: ``method``,
        ``standard_note``, ``weights`` (age group → weight), ``ages_covered`` (the
        youngest and oldest age in the data), ``age_range`` (the ages standardized
        over; ``None`` for an open top), ``repeat_events`` and ``notes`` (age groups
        missing in a group, people without an age).

    Raises
    ------
    EquityLabError
        When the data do not cover the standard and ``ages`` is not given; for ages
        that are not whole years, outside the standard or outside ``ages``; when an
        age group of the standard has nobody in the data; and for bad options.
    """
    by = _normalise_by(by)
    z = z_value(level)
    min_cell = check_min_cell(min_cell)
    if not isinstance(repeat_events, bool):
        raise EquityLabError(f"repeat_events must be True or False, got {repeat_events!r}")
    if repeat_events and person_time is None:
        raise EquityLabError(
            "repeat_events=True is for counts of events per person over person-time: give "
            "person_time= (a yes/no outcome has at most one event per person)"
        )
    counted, w, labels, note, no_age, coverage = _strata(
        df,
        by,
        outcome,
        age,
        standard,
        person_time,
        max_groups,
        ages=ages,
        squares=repeat_events,
        min_cell=min_cell,
    )
    notes = list(coverage["notes"])
    if no_age:
        notes.append(
            f"{'1 to 10' if is_small([no_age], min_cell)[0] else no_age} people "
            "without an age were left out"
        )
    results = []
    for key, part in counted.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        part = part.set_index("__age_group__")
        n_total, x_total = int(part["n"].sum()), int(part["events"].sum())
        present = [lab for lab in labels if lab in part.index and part.loc[lab, "n"] > 0]
        absent = [lab for lab in labels if lab not in present]
        wi = np.array([w[lab] for lab in present])
        inflation = np.nan
        if person_time is None:
            ni = part.loc[present, "n"].to_numpy(dtype=float)
            xi = part.loc[present, "events"].to_numpy(dtype=float)
            yi = xi / ni
            crude = x_total / n_total if n_total else np.nan
            adjusted = float((wi * yi).sum())
            se = math.sqrt(float((wi**2 * yi * (1 - yi) / ni).sum()))
            low, high = max(0.0, adjusted - z * se), min(1.0, adjusted + z * se)
        else:
            ti = part.loc[present, "person_time"].to_numpy(dtype=float)
            xi = part.loc[present, "events"].to_numpy(dtype=float)
            yi = xi / ti
            crude = x_total / part["person_time"].sum() if part["person_time"].sum() else np.nan
            adjusted = float((wi * yi).sum())
            variance = float((wi**2 * xi / ti**2).sum())
            if repeat_events:
                squared = part.loc[present, "events_squared"].to_numpy(dtype=float)
                independent, variance = variance, float((wi**2 * squared / ti**2).sum())
                inflation = variance / independent if independent > 0 else np.nan
            observed = xi.sum()
            if observed > 0:
                o_low, o_high = poisson_interval(observed, method="auto", level=level)
                scale = math.sqrt(variance / observed)
                low, high = (
                    adjusted + scale * (o_low - observed),
                    adjusted + scale * (o_high - observed),
                )
            else:
                low, high = np.nan, np.nan
        if absent:
            adjusted, low, high, inflation = np.nan, np.nan, np.nan, np.nan
            notes.append(
                f"{' / '.join(key)}: no people aged {', '.join(absent)}, so no standardized rate"
            )
        results.append((*key, n_total, x_total, crude, adjusted, low, high, inflation))
    table = pd.DataFrame(
        results,
        columns=[
            *by,
            "n",
            "events",
            "crude_rate",
            "adjusted_rate",
            "adjusted_ci_low",
            "adjusted_ci_high",
            "variance_inflation",
        ],
    )
    hide_n, hide_outcome = protect_table(
        table[by].astype(str), table["n"], table["events"], min_cell, bounded=person_time is None
    )
    for column in ("crude_rate", "adjusted_rate", "adjusted_ci_low", "adjusted_ci_high"):
        table[column] = np.where(hide_outcome, np.nan, table[column] * per)
    table["variance_inflation"] = np.where(hide_outcome, np.nan, table["variance_inflation"])
    table["n"] = pd.array(np.where(hide_n, None, table["n"]), dtype="Int64")
    table["events"] = pd.array(np.where(hide_outcome, None, table["events"]), dtype="Int64")
    table["suppressed"] = hide_outcome
    if not repeat_events:
        table = table.drop(columns="variance_inflation")
    if person_time is None:
        kind = "proportions, normal approximation with binomial variance"
    elif repeat_events:
        kind = (
            "event rates, Dobson et al. (1991) interval from exact Poisson limits (Byar's from "
            "10 events), with the variance for non-independent events (people with 1, 2, 3... "
            "events; UKHSA technical guidance, PHEindicatormethods calculate_dsr)"
        )
    else:
        kind = (
            "event rates, Dobson et al. (1991) interval from exact Poisson limits (Byar's from "
            "10 events), events assumed independent"
        )
    table.attrs.update(
        by=list(by),
        outcome=outcome,
        method=f"direct standardization; {level:.0%} intervals for {kind}; rates per {per:g}",
        standard_note=note,
        weights=dict(w),
        ages_covered=coverage["ages_covered"],
        age_range=coverage["age_range"],
        repeat_events=repeat_events,
        notes=notes,
        min_cell=min_cell,
    )
    return table


def standardized_ratio(
    df,
    by,
    outcome: str,
    age: str,
    *,
    standard="us2000",
    person_time: str | None = None,
    reference_rates: pd.DataFrame | None = None,
    ci: str = "exact",
    level: float = 0.95,
    min_cell: int = 11,
    max_groups: int = 1000,
) -> pd.DataFrame:
    """Indirect standardization: observed ÷ expected, by group (the SMR; Breslow & Day,
    *Statistical Methods in Cancer Research*, vol. II, IARC 1987).

    The expected count of a group applies reference age-specific rates to the
    group's own people (or person-time) in each age group of ``standard`` (which
    here only sets the age groups). The reference rates are those of everyone in
    the data, all groups together, unless ``reference_rates`` gives them: a table
    with ``age_low`` (matching the standard's groups), ``events`` and ``population``
    (e.g. national counts). The interval is the Poisson interval of the observed
    count (``ci="exact"``, or ``"auto"``: exact below 10, Byar from 10, as in UK
    practice) divided by the expected count.

    Returns the ``by`` columns, ``n``, ``observed``, ``expected``, ``ratio``,
    ``ci_low``, ``ci_high`` and ``suppressed`` (small observed counts are hidden).
    """
    by = _normalise_by(by)
    min_cell = check_min_cell(min_cell)
    if ci not in POISSON_METHODS:
        raise EquityLabError(f"unknown ci {ci!r}; choose one of: {', '.join(POISSON_METHODS)}")
    counted, _, _, note, _, _ = _strata(
        df, by, outcome, age, standard, person_time, max_groups, direct=False, min_cell=min_cell
    )
    exposure = "person_time" if person_time else "n"
    if reference_rates is None:
        overall = counted.groupby("__age_group__")[["events", exposure]].sum()
        reference = (overall["events"] / overall[exposure]).to_dict()
        source = "the age-specific rates of all groups together"
    else:
        reference = _reference_rates(reference_rates, standard)
        source = "the reference age-specific rates given"
    rows = []
    for key, part in counted.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        observed = int(part["events"].sum())
        expected = float(
            sum(
                reference.get(a, 0.0) * e
                for a, e in zip(part["__age_group__"], part[exposure], strict=True)
            )
        )
        low, high = poisson_interval(observed, method=ci, level=level)
        rows.append(
            (
                *key,
                int(part["n"].sum()),
                observed,
                expected,
                observed / expected,
                low / expected,
                high / expected,
            )
        )
    table = pd.DataFrame(
        rows, columns=[*by, "n", "observed", "expected", "ratio", "ci_low", "ci_high"]
    )
    hide_n, hide_outcome = protect_table(
        table[by].astype(str), table["n"], table["observed"], min_cell, bounded=person_time is None
    )
    for column in ("ratio", "ci_low", "ci_high", "expected"):
        table[column] = np.where(hide_outcome, np.nan, table[column])
    table["n"] = pd.array(np.where(hide_n, None, table["n"]), dtype="Int64")
    table["observed"] = pd.array(np.where(hide_outcome, None, table["observed"]), dtype="Int64")
    table["suppressed"] = hide_outcome
    table.attrs.update(
        by=list(by),
        outcome=outcome,
        method=f"indirect standardization against {source}; {level:.0%} "
        f"{'exact' if ci == 'exact' else ci} Poisson interval of the observed count / expected",
        standard_note=note,
        min_cell=min_cell,
    )
    return table
