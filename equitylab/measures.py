"""Measures of disparity: a gap in people, and summary measures across groups.

Each function documents its formula, every definition choice and a source. Rates
are proportions between 0 and 1 (write 44.6% as 0.446). The summary measures take
the table :func:`~equitylab.stratify.stratify` returns (proportions), the table
:func:`~equitylab.stratify.stratify_rates` returns (rates per person-time), or a
table of published estimates built by :func:`~equitylab.estimates.from_estimates`
(proportions, rates or means such as life expectancy); groups hidden by small-cell
protection are left out of them, and the result says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from numbers import Real

import numpy as np
import pandas as pd

from .errors import EquityLabError, require_columns

NOT_INFORMATIVE = ("Unknown", "Declined", "Missing")

__all__ = [
    "Measure",
    "between_group_variance",
    "concentration_index",
    "disparity_summary",
    "gap_in_people",
    "gini",
    "index_of_disparity",
    "mean_difference",
    "mean_log_deviation",
    "population_attributable_risk",
    "rate_difference",
    "rate_ratio",
    "relative_index",
    "slope_index",
    "theil_index",
]


def _check_rate(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or math.isnan(float(value)):
        raise EquityLabError(f"{name} must be a number between 0 and 1, got {value!r}")
    value = float(value)
    if not 0.0 <= value <= 1.0:
        hint = " (write percentages as proportions: 44.6% is 0.446)" if value > 1 else ""
        raise EquityLabError(f"{name} must be between 0 and 1, got {value}{hint}")
    return value


def gap_in_people(group_size: float, group_rate: float, reference_rate: float) -> float:
    r"""How many people a gap in rates stands for.

    The number of people in a group who would have the outcome if the group's
    rate equalled the reference group's rate:

    .. math::

        \text{gap in people} = n_g \, (y_\text{ref} - y_g)

    where :math:`n_g` is the number of people in the group, :math:`y_g` its rate
    and :math:`y_\text{ref}` the reference rate. This is the group's share of
    the population attributable risk (the difference between a rate and the
    reference rate) expressed as a count of people, as described in the WHO
    *Handbook on Health Inequality Monitoring* (2013, section on the population
    attributable risk).

    The sign follows the outcome: for a favourable outcome (blood pressure
    controlled, screening done) a positive result is the number of people who
    would gain it; for an adverse outcome a negative result is the number of
    events that would be avoided.

    Parameters
    ----------
    group_size:
        Number of people in the group (the denominator), zero or more.
    group_rate, reference_rate:
        Proportions between 0 and 1.

    Returns
    -------
    float
        The expected number of people (not rounded: round only for display).

    Raises
    ------
    EquityLabError
        If ``group_size`` is negative or not a number, or a rate is outside 0-1.

    Examples
    --------
    NHANES 2015-2016: 44.6% of non-Hispanic Black adults with hypertension had it
    controlled, against 50.8% of non-Hispanic White adults (NCHS Data Brief 289).
    Among 10,000 Black adults with hypertension that gap stands for 620 people:

    >>> round(gap_in_people(10_000, 0.446, 0.508))
    620
    """
    if (
        isinstance(group_size, bool)
        or not isinstance(group_size, Real)
        or not math.isfinite(float(group_size))
    ):
        raise EquityLabError(f"group_size must be a finite number of people, got {group_size!r}")
    if group_size < 0:
        raise EquityLabError(f"group_size must be zero or more, got {group_size}")
    group = _check_rate("group_rate", group_rate)
    reference = _check_rate("reference_rate", reference_rate)
    return float(group_size) * (reference - group)


# =====================================================================================
# Summary measures of disparity across groups
# =====================================================================================
#
# Notation (WHO Handbook on Health Inequality Monitoring, 2013; Harper & Lynch 2005):
# groups j = 1..J with weight (population or patients) n_j, share p_j = n_j / sum(n),
# rate y_j (a proportion), population rate mu = sum(p_j y_j).
# Ordered groups are ranked from the most disadvantaged (rank 0) to the most
# advantaged (rank 1); group j sits at the midpoint of its cumulative share,
# R_j = sum_{k<j} p_k + p_j / 2.

BOOTSTRAP_REPLICATES = 1000


@dataclass(frozen=True)
class Measure:
    """A summary measure with its interval and the definition used.

    Attributes
    ----------
    name:
        Short name, e.g. ``"theil_index"``.
    value:
        The estimate (NaN when undefined, with the reason in ``notes``).
    ci_low, ci_high:
        Confidence limits, or NaN when no interval is available.
    ci_method:
        How the interval was computed (analytic formula or bootstrap), or why
        there is none.
    definition:
        The formula and every definition choice, in words.
    notes:
        Groups left out (suppressed, no people) and other caveats.
    """

    name: str
    value: float
    ci_low: float
    ci_high: float
    ci_method: str
    definition: str
    notes: tuple[str, ...] = ()

    def __float__(self) -> float:
        return float(self.value)


@dataclass(frozen=True)
class _Groups:
    labels: list[str]
    rate: np.ndarray
    weight: np.ndarray
    events: np.ndarray | None
    higher_is_better: bool
    notes: tuple[str, ...]
    kind: str = "proportion"  # "rate" (per person-time) or "mean" (e.g. life expectancy)
    per: float = 1.0  # rates are per this much person-time
    se: np.ndarray | None = None  # estimates only: standard errors on the scale of _LINKS
    estimates: bool = False  # the table was built from estimates (from_estimates)

    @property
    def share(self) -> np.ndarray:
        return self.weight / self.weight.sum()

    @property
    def mean(self) -> np.float64:
        # a NumPy scalar, so that dividing by a zero mean gives inf/NaN, not an exception
        return np.float64((self.share * self.rate).sum())


def _groups(
    table: pd.DataFrame,
    higher_is_better: bool | None = None,
    rate: str = "rate",
    weight: str = "n",
    events: str = "events",
    label: str | Sequence[str] | None = None,
) -> _Groups:
    """The groups of a stratified table that can enter a summary measure.

    Groups hidden by small-cell protection, and groups with nobody in them, are
    left out (and named in the notes): a summary computed from hidden counts could
    give them away. A :func:`~equitylab.stratify.stratify_rates` table holds rates
    per person-time: its groups are weighted by their person-time, so that the
    weighted mean of the rates is the population's rate.
    """
    if not isinstance(table, pd.DataFrame):
        raise EquityLabError(
            f"expected a table of groups (the result of stratify), got {type(table).__name__}"
        )
    _refuse_overlapping(table)
    kind = _table_kind(table)
    estimates = _is_estimates(table)
    if _is_rates(table) and weight == "n":
        weight = "person_time"
    require_columns(table.columns, (rate, weight))
    by = label if label is not None else table.attrs.get("by")
    by = [by] if isinstance(by, str) else list(by) if by else [table.columns[0]]
    labels_all = [" / ".join(map(str, row)) for row in table[by].itertuples(index=False)]
    if higher_is_better is None:
        higher_is_better = table.attrs.get("higher_is_better")
    if not isinstance(higher_is_better, bool):
        raise EquityLabError(
            "say whether a higher rate is better: higher_is_better=True (e.g. screening) "
            "or False (e.g. readmission)"
        )
    y = pd.to_numeric(table[rate], errors="coerce").to_numpy(dtype=float)
    w = pd.to_numeric(table[weight], errors="coerce").to_numpy(dtype=float)
    usable = ~np.isnan(y) & ~np.isnan(w) & (w > 0)
    if "suppressed" in table.columns:
        usable &= ~table["suppressed"].to_numpy(dtype=bool)
    notes = []
    left_out = [lab for lab, ok in zip(labels_all, usable, strict=True) if not ok]
    if left_out:
        why = (
            "hidden to protect small numbers, or no estimate"
            if estimates
            else "suppressed, or no people with a recorded outcome"
        )
        notes.append(f"left out ({why}): " + ", ".join(left_out))
    unknown = np.array([bool(set(lab.split(" / ")) & set(NOT_INFORMATIVE)) for lab in labels_all])
    if (unknown & usable).any():
        notes.append(
            "left out (not a group: the value is not known): "
            + ", ".join(
                lab for lab, u, ok in zip(labels_all, unknown, usable, strict=True) if u and ok
            )
        )
    usable &= ~unknown
    if usable.sum() < 2:
        raise EquityLabError(
            "a summary measure needs at least two groups with a shown rate; "
            f"this table has {int(usable.sum())}"
        )
    if (y[usable] < 0).any() or (kind == "proportion" and (y[usable] > 1).any()):
        raise EquityLabError(
            f"column {rate!r} must hold "
            + ("proportions between 0 and 1" if kind == "proportion" else "values of zero or more")
        )
    counts = None
    if events in table.columns and not estimates:
        e = pd.to_numeric(table[events], errors="coerce").to_numpy(dtype=float)
        if not np.isnan(e[usable]).any():
            counts = e[usable]
    return _Groups(
        [lab for lab, ok in zip(labels_all, usable, strict=True) if ok],
        y[usable],
        w[usable],
        counts,
        higher_is_better,
        tuple(notes),
        kind,
        float(table.attrs.get("per") or 1.0) if kind == "rate" else 1.0,
        _link_se(table, kind, rate)[usable] if estimates else None,
        estimates,
    )


def _refuse_overlapping(table: pd.DataFrame) -> None:
    """Refuse groups that overlap (alone-or-in-combination race and ethnicity).

    A summary measure weighs each group by its share of the people; when a person
    is in several groups those shares, and the total they divide by, are wrong.
    """
    from .race_ethnicity import IN_COMBINATION_COLUMN

    if table.attrs.get("overlapping_groups") or IN_COMBINATION_COLUMN in table.columns:
        raise EquityLabError(
            "this table's groups overlap (race and ethnicity alone or in combination): "
            "people who selected several categories are counted in several groups, so "
            "the rows add up to more than the number of people and population shares, "
            "totals and summary measures would be wrong. Use groups that count each "
            "person once: the alone groups (recode_race_ethnicity(...).alone(), or "
            "equitylab stratify --recode-race without --in-combination)"
        )


def _is_rates(table: pd.DataFrame) -> bool:
    """A table of rates per person-time (from stratify_rates), not of proportions."""
    return "person_time" in table.attrs and "person_time" in table.columns


def _is_estimates(table: pd.DataFrame) -> bool:
    """A table of published estimates (from from_estimates), with no counts behind it."""
    return bool(table.attrs.get("from_estimates"))


def _table_kind(table: pd.DataFrame) -> str:
    """What the table's rates are: "proportion", "rate" or "mean"."""
    if _is_rates(table):
        return "rate"
    if _is_estimates(table):
        return str(table.attrs.get("kind"))
    return "proportion"


def _logit(p):
    return np.log(p / (1 - p))


def _expit(x):
    return 1 / (1 + np.exp(-x))


#: The scale on which each kind of estimate varies normally, and back: logit for
#: proportions, log for rates, the estimate itself for means (as PHEindicatormethods
#: phe_sii treats its value types 2, 1 and 0).
_LINKS = {
    "proportion": ("logit", _logit, _expit),
    "rate": ("log", np.log, np.exp),
    "mean": ("natural", lambda v: v, lambda v: v),
}


def _link_se(table: pd.DataFrame, kind: str, rate: str) -> np.ndarray:
    """Each estimate's standard error on its link scale (NaN where there is none).

    From the confidence interval when the table has one, ``(g(upper) - g(lower)) /
    (2 z)``, so that an asymmetric interval keeps its shape; otherwise from the
    standard error by the delta method, ``se / g'(estimate)``.
    """
    from .intervals import z_value

    _, link, _ = _LINKS[kind]
    y = pd.to_numeric(table[rate], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if table.attrs.get("uncertainty") == "interval":
            low = pd.to_numeric(table["ci_low"], errors="coerce").to_numpy(dtype=float)
            high = pd.to_numeric(table["ci_high"], errors="coerce").to_numpy(dtype=float)
            z = z_value(float(table.attrs.get("level", 0.95)))
            return (link(high) - link(low)) / (2 * z)
        if table.attrs.get("uncertainty") == "se":
            se = pd.to_numeric(table["se"], errors="coerce").to_numpy(dtype=float)
            slope = {"proportion": y * (1 - y), "rate": y, "mean": np.ones_like(y)}[kind]
            return se / slope
    return np.full(len(y), np.nan)


def _bootstrap(
    groups: _Groups,
    statistic,
    level: float,
    replicates: int,
    seed: int,
) -> tuple[float, float, str]:
    """Percentile interval of a statistic over parametric bootstrap samples.

    Counts are resampled (binomial for proportions, Poisson for rates). A table of
    estimates has no counts: each group's estimate is drawn instead from a normal
    distribution on its link scale (logit, log or natural) with its standard error,
    and back-transformed, as PHEindicatormethods' phe_sii simulates its intervals;
    without standard errors there is no interval, and the method says so.
    """
    if groups.events is None and not groups.estimates:
        return np.nan, np.nan, "no interval: the table has no event counts to resample"
    rng = np.random.default_rng(seed)
    values = np.empty(replicates)
    if groups.estimates:
        scale, link, inverse = _LINKS[groups.kind]
        se = groups.se
        if se is None or np.isnan(se).all():
            return (
                np.nan,
                np.nan,
                "no interval: the estimates came without standard errors or confidence "
                "intervals, and there are no counts to resample (give se= or lower= and upper= "
                "to from_estimates)",
            )
        bad = [lab for lab, v in zip(groups.labels, se, strict=True) if not np.isfinite(v)]
        if bad:
            return (
                np.nan,
                np.nan,
                f"no interval: the standard error of {', '.join(bad)} cannot be put on the "
                f"{scale} scale (an estimate or a confidence limit at "
                + ("0 or 1" if groups.kind == "proportion" else "0")
                + ")",
            )
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            centre = link(groups.rate)
            for b in range(replicates):
                sample = inverse(centre + se * rng.standard_normal(len(se)))
                values[b] = statistic(replace(groups, rate=sample))
        kind = (
            f"normal draws of every group's estimate on the {scale} scale from its standard error"
        )
        source = "simulation"
    elif groups.kind == "rate":
        # events ~ Poisson(rate x person-time), each group's person-time held fixed
        time, expected = groups.weight, groups.rate * groups.weight / groups.per
        for b in range(replicates):
            sample = rng.poisson(expected) / time * groups.per
            values[b] = statistic(replace(groups, rate=sample))
        kind = "Poisson resamples of every group's events"
        source = "bootstrap"
    else:
        n = groups.weight.astype(np.int64)
        for b in range(replicates):
            sample = rng.binomial(n, groups.rate) / n
            values[b] = statistic(replace(groups, rate=sample))
        kind = "binomial resamples of every group's events"
        source = "bootstrap"
    values = values[np.isfinite(values)]
    if values.size < replicates * 0.9:
        return np.nan, np.nan, "no interval: the measure is undefined in too many resamples"
    alpha = (1 - level) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return (
        float(low),
        float(high),
        f"parametric {source}: {replicates:,} {kind} (seed {seed}), {level:.0%} percentile "
        "interval",
    )


def _measure(
    name: str,
    table: pd.DataFrame,
    statistic,
    definition: str,
    *,
    higher_is_better: bool | None,
    level: float,
    replicates: int,
    seed: int,
    extra_notes: Sequence[str] = (),
    **columns,
) -> Measure:
    from .intervals import z_value

    z_value(level)
    groups = _groups(table, higher_is_better, **columns)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = float(statistic(groups))
    notes = list(groups.notes) + list(extra_notes)
    if groups.estimates:
        what = {"proportion": "proportions", "rate": f"rates per {groups.per:,g}", "mean": "means"}
        notes.append(
            f"from published estimates ({what[groups.kind]}); groups weighted by their "
            + ("population" if table.attrs.get("weighted_by") == "population" else "weight")
        )
    elif groups.kind == "rate":
        unit = table.attrs.get("person_time", "person-time")
        notes.append(f"rates per {groups.per:,g} {unit}; groups weighted by their {unit}")
    if not np.isfinite(value):
        notes.append("undefined for these rates (e.g. a zero rate inside a logarithm)")
        return Measure(name, np.nan, np.nan, np.nan, "no interval", definition, tuple(notes))
    with np.errstate(divide="ignore", invalid="ignore"):
        low, high, method = _bootstrap(groups, statistic, level, replicates, seed)
    return Measure(name, value, low, high, method, definition, tuple(notes))


def _best(groups: _Groups) -> float:
    return float(groups.rate.max() if groups.higher_is_better else groups.rate.min())


def _reference_rate(groups: _Groups, reference: str) -> float:
    if reference == "total":
        return groups.mean
    if reference == "best":
        return _best(groups)
    if reference in groups.labels:
        return float(groups.rate[groups.labels.index(reference)])
    raise EquityLabError(
        f"reference must be 'total', 'best' or a group label; {reference!r} is none of: "
        + ", ".join(groups.labels)
    )


COMMON = (
    "table: the result of stratify() (or any table with 'rate' and 'n'); "
    "groups hidden by small-cell protection are left out."
)


def between_group_variance(
    table, *, higher_is_better=None, level=0.95, replicates=BOOTSTRAP_REPLICATES, seed=0
) -> Measure:
    r"""Between-group variance: :math:`BGV = \sum_j p_j (y_j - \mu)^2`.

    Population-weighted mean squared difference between each group's rate and the
    population rate (WHO, *Handbook on Health Inequality Monitoring*, 2013). In
    squared units of the rate (for proportions, squared proportions); 0 when all
    groups have the same rate.
    """
    return _measure(
        "between_group_variance",
        table,
        lambda g: (g.share * (g.rate - g.mean) ** 2).sum(),
        "BGV = sum_j p_j (y_j - mu)^2, p_j the group's share of people, mu the population rate",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def theil_index(
    table, *, higher_is_better=None, level=0.95, replicates=BOOTSTRAP_REPLICATES, seed=0
) -> Measure:
    r"""Theil index: :math:`T = \sum_j p_j \frac{y_j}{\mu} \ln \frac{y_j}{\mu}`.

    A population-weighted, relative measure of how unevenly the outcome is spread
    across groups (WHO 2013; Harper & Lynch 2005). A group with a rate of 0
    contributes 0 (the limit of x ln x). WHO's tools often report it × 1,000.
    """

    def statistic(g: _Groups) -> float:
        ratio = g.rate / g.mean
        terms = np.where(ratio > 0, ratio * np.log(np.where(ratio > 0, ratio, 1.0)), 0.0)
        return float((g.share * terms).sum())

    return _measure(
        "theil_index",
        table,
        statistic,
        "T = sum_j p_j (y_j/mu) ln(y_j/mu); 0 when all rates are equal",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def mean_log_deviation(
    table, *, higher_is_better=None, level=0.95, replicates=BOOTSTRAP_REPLICATES, seed=0
) -> Measure:
    r"""Mean log deviation: :math:`MLD = \sum_j p_j \ln \frac{\mu}{y_j}`.

    Population-weighted and relative (WHO 2013; Harper & Lynch 2005). Undefined
    (NaN) when a group's rate is 0. WHO's tools often report it × 1,000.
    """
    return _measure(
        "mean_log_deviation",
        table,
        lambda g: (g.share * np.log(g.mean / g.rate)).sum(),
        "MLD = sum_j p_j ln(mu / y_j); undefined when a rate is 0",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def mean_difference(
    table,
    *,
    from_="mean",
    weighted=True,
    higher_is_better=None,
    level=0.95,
    replicates=BOOTSTRAP_REPLICATES,
    seed=0,
) -> Measure:
    r"""Mean absolute difference of the group rates from a point of comparison.

    ``from_="mean"``: from the population rate :math:`\mu`; ``"best"``: from the best
    group's rate (highest if ``higher_is_better``, else lowest); or a group label.
    ``weighted=True`` weights groups by their share of people,
    :math:`\sum_j p_j |y_j - r|`; ``False`` averages groups equally,
    :math:`\frac{1}{J}\sum_j |y_j - r|` (WHO 2013; Harper & Lynch 2005).
    """

    def statistic(g: _Groups) -> float:
        r = _reference_rate(g, "total" if from_ == "mean" else from_)
        weights = g.share if weighted else np.full(len(g.rate), 1 / len(g.rate))
        return float((weights * np.abs(g.rate - r)).sum())

    point = {"mean": "the population rate", "best": "the best group's rate"}.get(
        from_, f"the rate of {from_!r}"
    )
    how = "population-weighted" if weighted else "unweighted (each group counts once)"
    return _measure(
        "mean_difference_from_"
        + (from_ if from_ in ("mean", "best") else "reference")
        + ("" if weighted else "_unweighted"),
        table,
        statistic,
        f"{how} mean of |y_j - r|, r = {point}",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def index_of_disparity(
    table,
    *,
    reference="total",
    weighted=False,
    denominator="J",
    adverse=True,
    higher_is_better=None,
    level=0.95,
    replicates=BOOTSTRAP_REPLICATES,
    seed=0,
) -> Measure:
    r"""Index of disparity (ID), in percent, with every definition choice named.

    .. math:: ID = \frac{1}{D} \sum_j \frac{|y_j - R|}{R} \times 100

    - ``reference``: ``"total"`` — :math:`R` is the population rate, as in Pearcy &
      Keppel (Public Health Reports 2002;117:273–280) and Chesson et al. (Sexually
      Transmitted Diseases 2017;44:513–518);
      ``"best"`` — the best group's rate; or a group label.
    - ``weighted``: ``False`` averages the groups (:math:`1/D`); ``True`` weights
      them by their share of people (:math:`p_j` replaces :math:`1/D`).
    - ``denominator`` (unweighted only): ``"J"`` groups, or ``"J-1"`` (used with a
      best or chosen reference group, whose own term is zero).
    - ``adverse``: Pearcy & Keppel express every indicator in its adverse form, so
      that differences are relative to an adverse rate; with ``adverse=True`` a
      favourable outcome (``higher_is_better``) enters as :math:`1 - y_j`.
    """
    if denominator not in {"J", "J-1"}:
        raise EquityLabError("denominator must be 'J' or 'J-1'")

    def statistic(g: _Groups) -> float:
        if adverse and g.higher_is_better and g.kind == "proportion":
            g = replace(g, rate=1 - g.rate, higher_is_better=False)
        r = _reference_rate(g, reference)
        relative = np.abs(g.rate - r) / r
        if weighted:
            return float(100 * (g.share * relative).sum())
        count = len(g.rate) - (1 if denominator == "J-1" else 0)
        return float(100 * relative.sum() / count)

    where = {"total": "the population rate (Pearcy & Keppel 2002)", "best": "the best rate"}.get(
        reference, f"the rate of {reference!r}"
    )
    form = "population-weighted" if weighted else f"unweighted, divided by {denominator}"
    framing = (
        "on the adverse form of the outcome (1 - rate for a favourable one)"
        if adverse and _table_kind(table) == "proportion"
        else "on the outcome as given"
    )
    return _measure(
        "index_of_disparity_"
        + {"total": "total", "best": "best"}.get(reference, "reference")
        + ("_weighted" if weighted else ""),
        table,
        statistic,
        f"ID = mean of |y_j - R| / R x 100, R = {where}; {form}; {framing}",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def population_attributable_risk(
    table,
    *,
    reference="best",
    fraction=False,
    higher_is_better=None,
    level=0.95,
    replicates=BOOTSTRAP_REPLICATES,
    seed=0,
) -> Measure:
    r"""How much the population rate would improve if every group had the reference rate.

    Absolute: :math:`PAR = y_{ref} - \mu` for a favourable outcome and
    :math:`\mu - y_{ref}` for an adverse one; 0 when the reference is not better than
    the population rate. ``fraction=True`` returns :math:`PAF = PAR / \mu \times 100`
    (percent). The reference is the best group by default (WHO 2013).
    """

    def statistic(g: _Groups) -> float:
        r = _reference_rate(g, reference)
        par = (r - g.mean) if g.higher_is_better else (g.mean - r)
        par = max(par, 0.0)
        return 100 * par / g.mean if fraction else par

    return _measure(
        "population_attributable_fraction" if fraction else "population_attributable_risk",
        table,
        statistic,
        ("PAF = PAR / mu x 100" if fraction else "PAR")
        + ": the improvement in the population rate if every group had the "
        + ("best" if reference == "best" else repr(reference))
        + " group's rate (0 if that rate is no better than mu)",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def gini(
    table, *, higher_is_better=None, level=0.95, replicates=BOOTSTRAP_REPLICATES, seed=0
) -> Measure:
    r"""Population-weighted Gini coefficient across groups.

    :math:`G = \sum_i \sum_k p_i p_k |y_i - y_k| / (2\mu)`: half the relative mean
    difference between all pairs of people's group rates (0 = equal rates). Used
    across racial and ethnic groups by Chesson et al. (Sexually Transmitted Diseases
    2017;44:513–518), whose printed values the tests reproduce.
    """

    def statistic(g: _Groups) -> float:
        pairs = np.abs(g.rate[:, None] - g.rate[None, :])
        return float((g.share[:, None] * g.share[None, :] * pairs).sum() / (2 * g.mean))

    return _measure(
        "gini",
        table,
        statistic,
        "G = sum_i sum_k p_i p_k |y_i - y_k| / (2 mu)",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def _ordered(table: pd.DataFrame, order: Sequence[str] | None) -> pd.DataFrame:
    """The table's rows from the most disadvantaged group to the most advantaged."""
    by = table.attrs.get("by") or [table.columns[0]]
    labels = [" / ".join(map(str, row)) for row in table[by].itertuples(index=False)]
    if order is None:
        raise EquityLabError(
            "this measure needs the groups in order, from the most disadvantaged to the most "
            "advantaged: pass order=[...] with every group label"
        )
    order = [str(o) for o in order]
    unknown = [o for o in order if o not in labels]
    if unknown:
        raise EquityLabError(
            f"order names group(s) not in the table: {', '.join(unknown)}; "
            f"groups are: {', '.join(labels)}"
        )
    informative = [lab for lab in labels if lab not in {"Unknown", "Declined", "Missing"}]
    left = [lab for lab in informative if lab not in order]
    if left:
        raise EquityLabError(f"order must list every group; it leaves out: {', '.join(left)}")
    position = {label: i for i, label in enumerate(labels)}
    ordered = table.iloc[[position[o] for o in order]].copy()
    ordered.attrs = dict(table.attrs)
    return ordered


def _ranks(share: np.ndarray) -> np.ndarray:
    return np.cumsum(share) - share / 2


def _wls_line(g: _Groups) -> tuple[float, float]:
    """Intercept and slope of the population-weighted least-squares line y ~ rank."""
    x, w, y = _ranks(g.share), g.share, g.rate
    xm, ym = (w * x).sum(), (w * y).sum()
    slope = (w * (x - xm) * (y - ym)).sum() / (w * (x - xm) ** 2).sum()
    return ym - slope * xm, slope


def _logistic_line(g: _Groups, prior: np.ndarray | None = None) -> tuple[float, float]:
    """Intercept and slope of a binomial logistic regression of the rate on the rank,
    each group weighted by its number of people (IRLS). ``prior`` multiplies the
    weights again (only for the WHO-compatibility mode)."""
    x, n, y = _ranks(g.share), g.weight, g.rate
    if prior is not None:
        n = n * prior
    design = np.column_stack([np.ones_like(x), x])
    beta = np.zeros(2)
    for _ in range(100):
        eta = design @ beta
        mu = 1 / (1 + np.exp(-eta))
        w = n * mu * (1 - mu)
        z = eta + (y - mu) / np.maximum(mu * (1 - mu), 1e-300)
        new = np.linalg.solve(design.T @ (design * w[:, None]), design.T @ (w * z))
        if np.max(np.abs(new - beta)) < 1e-13:
            beta = new
            break
        beta = new
    return float(beta[0]), float(beta[1])


def _predict(model: str, g: _Groups) -> tuple[float, float]:
    """Predicted rates at rank 0 (most disadvantaged) and rank 1 (most advantaged)."""
    if model == "wls":
        a, b = _wls_line(g)
        return a, a + b
    if model == "transformed":
        _, link, inverse = _LINKS[g.kind]
        with np.errstate(divide="ignore", invalid="ignore"):
            a, b = _wls_line(replace(g, rate=link(g.rate)))
            return float(inverse(a)), float(inverse(a + b))
    a, b = _logistic_line(g, g.weight if model == "logistic-who" else None)
    return 1 / (1 + math.exp(-a)), 1 / (1 + math.exp(-(a + b)))


_MODELS = {
    "wls": "population-weighted least squares of the rates on the rank midpoints (Pamuk 1985)",
    "logistic": "binomial logistic regression of the rates on the rank midpoints (the model of "
    "WHO's Health Equity Assessment Toolkit), each group weighted once by its population",
    "transformed": "population-weighted least squares of the logit proportions (or log rates) "
    "on the rank midpoints, the predictions back-transformed (UKHSA's transformed model: "
    "PHEindicatormethods phe_sii with transform = TRUE)",
    "logistic-who": "COMPATIBILITY MODE: the logistic model as WHO's HEAT/healthequal code fits "
    "it, with the population given as prior weights on top of the binomial counts, so each "
    "group weighs as its population squared; use only to reproduce published HEAT numbers",
}


def slope_index(
    table,
    *,
    order,
    model="wls",
    higher_is_better=None,
    level=0.95,
    replicates=BOOTSTRAP_REPLICATES,
    seed=0,
) -> Measure:
    r"""Slope index of inequality (SII) for ordered groups.

    Groups are ranked from the most disadvantaged (``order[0]``) to the most
    advantaged; each sits at the midpoint of its cumulative population share. The
    SII is the predicted rate at rank 1 minus the predicted rate at rank 0, from one
    of these models, each named in the result:

    - ``model="wls"``: population-weighted least squares of the rates on the rank
      (Pamuk 1985; each group weighted once by its population). For proportions,
      rates and means.
    - ``model="logistic"``: the logistic model of WHO's HEAT, each group weighted once
      by its population. For proportions only.
    - ``model="transformed"``: UKHSA's transformed model (PHEindicatormethods
      ``phe_sii`` with ``transform = TRUE``; Low & Low, J Public Health
      2004;26:388–395, for the SII it builds on): population-weighted least squares
      of :math:`\operatorname{logit} y_j` (proportions) or :math:`\ln y_j` (rates) on
      the rank, :math:`g(y) = a + bR`, back-transformed: :math:`SII = g^{-1}(a + b) -
      g^{-1}(a)`. The transformation keeps the line inside the possible values and
      helps where the rates change multiplicatively along the ranking. Not for means.
    - ``"logistic-who"``: a labelled compatibility mode that reproduces the numbers of
      WHO's HEAT and healthequal code, which weight each group by its population
      squared.

    For a favourable outcome a positive SII means the advantaged fare better. On a
    table of estimates (:func:`~equitylab.estimates.from_estimates`) the interval is
    simulated from the estimates' standard errors; PHEindicatormethods does the same,
    but for the transformed model it back-transforms the slope's limits around the
    fitted midpoint, where this library back-transforms every simulated line, the
    SII's own sampling distribution (on the package's test data the limits differ by
    less than 0.5%).
    """
    _check_model(model, table)
    ordered = _ordered(table, order)

    def statistic(g: _Groups) -> float:
        low, high = _predict(model, g)
        return high - low

    return _measure(
        f"slope_index_{model}",
        ordered,
        statistic,
        f"SII = predicted rate at rank 1 (most advantaged) - at rank 0; {_MODELS[model]}",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def relative_index(
    table,
    *,
    order,
    model="wls",
    form="ratio",
    higher_is_better=None,
    level=0.95,
    replicates=BOOTSTRAP_REPLICATES,
    seed=0,
) -> Measure:
    r"""Relative index of inequality (RII) for ordered groups.

    ``form="ratio"``: predicted rate at rank 1 divided by predicted rate at rank 0
    (WHO HEAT; with ``model="transformed"``, the RII of UKHSA's phe_sii, the ratio of
    the back-transformed predictions); ``form="sii/mean"``: the SII divided by the
    population rate (Pamuk 1985). ``model`` as in :func:`slope_index`.
    """
    _check_model(model, table)
    if form not in {"ratio", "sii/mean"}:
        raise EquityLabError("form must be 'ratio' or 'sii/mean'")
    ordered = _ordered(table, order)

    def statistic(g: _Groups) -> float:
        low, high = _predict(model, g)
        return high / low if form == "ratio" else (high - low) / g.mean

    described = (
        "predicted rate at rank 1 / at rank 0" if form == "ratio" else "SII / population rate"
    )
    return _measure(
        f"relative_index_{model}_" + ("ratio" if form == "ratio" else "sii_over_mean"),
        ordered,
        statistic,
        f"RII = {described}; {_MODELS[model]}",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def _check_model(model: str, table=None) -> None:
    if model not in _MODELS:
        raise EquityLabError(f"model must be one of: {', '.join(_MODELS)}")
    kind = _table_kind(table) if isinstance(table, pd.DataFrame) else "proportion"
    if model.startswith("logistic") and kind != "proportion":
        raise EquityLabError(
            "the logistic models are for proportions; for "
            + (
                "rates use model='wls' or model='transformed' (log rates)"
                if kind == "rate"
                else "means (e.g. life expectancy) use model='wls'"
            )
        )
    if model == "transformed" and kind == "mean":
        raise EquityLabError(
            "model='transformed' regresses logit proportions or log rates; a mean (e.g. life "
            "expectancy) is not transformed (PHEindicatormethods allows transform only for "
            "rates and proportions): use model='wls'"
        )


def concentration_index(
    table,
    *,
    order,
    absolute=False,
    higher_is_better=None,
    level=0.95,
    replicates=BOOTSTRAP_REPLICATES,
    seed=0,
) -> Measure:
    r"""Concentration index for ordered groups.

    Relative: :math:`C = \frac{2}{\mu}\sum_j p_j y_j R_j - 1`, between -1 and 1:
    positive when the outcome is concentrated among the advantaged, negative among
    the disadvantaged (WHO 2013; O'Donnell et al. 2008). Absolute
    (``absolute=True``): :math:`ACI = \mu C`. WHO's HEAT reports the relative index
    × 100.
    """
    ordered = _ordered(table, order)

    def statistic(g: _Groups) -> float:
        c = 2 / g.mean * (g.share * g.rate * _ranks(g.share)).sum() - 1
        return g.mean * c if absolute else c

    return _measure(
        "absolute_concentration_index" if absolute else "concentration_index",
        ordered,
        statistic,
        "ACI = mu x C"
        if absolute
        else "C = (2/mu) sum_j p_j y_j R_j - 1, R_j the rank midpoint (most disadvantaged first)",
        higher_is_better=higher_is_better,
        level=level,
        replicates=replicates,
        seed=seed,
    )


def disparity_summary(
    table, *, order=None, higher_is_better=None, level=0.95, replicates=BOOTSTRAP_REPLICATES, seed=0
) -> pd.DataFrame:
    """Every summary measure for one stratified table, as a tidy table.

    One row per measure: ``measure``, ``value``, ``ci_low``, ``ci_high``,
    ``ci_method``, ``definition`` and ``notes``. The ordered measures (slope and
    relative index of inequality, concentration index) are included only when
    ``order`` lists the groups from the most disadvantaged to the most advantaged.
    On a :func:`~equitylab.stratify.stratify_rates` table the groups are weighted by
    person-time, the bootstrap resamples Poisson counts, and the logistic model
    (for proportions) is left out: the relative index is then the ratio of the
    weighted least-squares line's ends. The same holds for a table of estimates
    (:func:`~equitylab.estimates.from_estimates`) of rates or means; there the
    intervals come from the estimates' standard errors (or are reported missing
    when there are none). The transformed model is not in the summary: ask for it
    with :func:`slope_index` and :func:`relative_index`.
    """
    options = dict(higher_is_better=higher_is_better, level=level, replicates=replicates, seed=seed)
    rows = [
        between_group_variance(table, **options),
        theil_index(table, **options),
        mean_log_deviation(table, **options),
        mean_difference(table, from_="mean", weighted=True, **options),
        mean_difference(table, from_="mean", weighted=False, **options),
        mean_difference(table, from_="best", weighted=True, **options),
        index_of_disparity(table, reference="total", **options),
        index_of_disparity(table, reference="best", denominator="J-1", **options),
        population_attributable_risk(table, **options),
        population_attributable_risk(table, fraction=True, **options),
        gini(table, **options),
    ]
    if order is not None:
        # The logistic model is for proportions; other tables get the WLS line twice.
        curve = "logistic" if _table_kind(table) == "proportion" else "wls"
        rows += [
            slope_index(table, order=order, model="wls", **options),
            *([] if curve == "wls" else [slope_index(table, order=order, model=curve, **options)]),
            relative_index(table, order=order, model="wls", form="sii/mean", **options),
            relative_index(table, order=order, model=curve, form="ratio", **options),
            concentration_index(table, order=order, **options),
            concentration_index(table, order=order, absolute=True, **options),
        ]
    summary = pd.DataFrame(
        {
            "measure": [m.name for m in rows],
            "value": [m.value for m in rows],
            "ci_low": [m.ci_low for m in rows],
            "ci_high": [m.ci_high for m in rows],
            "ci_method": [m.ci_method for m in rows],
            "definition": [m.definition for m in rows],
            "notes": ["; ".join(m.notes) for m in rows],
        }
    )
    return summary


def _pair(table: pd.DataFrame, group, reference) -> tuple[int, int, int, int, str, str]:
    by = table.attrs.get("by") or [table.columns[0]]
    labels = [" / ".join(map(str, row)) for row in table[by].itertuples(index=False)]

    def find(value) -> int:
        wanted = " / ".join(map(str, value)) if isinstance(value, tuple) else str(value)
        if wanted not in labels:
            raise EquityLabError(f"group {wanted!r} not found; groups are: {', '.join(labels)}")
        return labels.index(wanted)

    if _is_estimates(table):
        raise EquityLabError(
            "rate_difference and rate_ratio need each group's counts, and a table of "
            "estimates (from_estimates) has none: compare the two estimates with their "
            "standard errors, or stratify the patient-level data"
        )
    i, k = find(group), find(reference)
    rows = table.iloc[[i, k]]
    size = "person_time" if _is_rates(table) else "n"
    if rows[[size, "events"]].isna().any().any():
        raise EquityLabError(
            "one of these groups is hidden to protect small numbers: no comparison can be shown"
        )
    n, events = rows[size].astype(float).tolist(), rows["events"].astype(int).tolist()
    if size == "n":
        n = [int(v) for v in n]
    return events[0], n[0], events[1], n[1], labels[i], labels[k]


def rate_difference(table, group, reference, *, level=0.95) -> Measure:
    """Difference between two groups' rates (group − reference), with Newcombe's hybrid
    score interval (method 10 of Newcombe, Stat Med 1998;17:873–890).

    ``group`` and ``reference`` are group labels (tuples for intersections). Groups
    hidden by small-cell protection cannot be compared. On a
    :func:`~equitylab.stratify.stratify_rates` table the difference is of rates per
    person-time, in the table's units, with the Wald interval of
    :func:`equitylab.intervals.rate_difference_wald`.
    """
    from .intervals import newcombe_difference, rate_difference_wald

    x1, n1, x2, n2, a, b = _pair(table, group, reference)
    if _is_rates(table):
        per = float(table.attrs.get("per", 1.0))
        result = rate_difference_wald(x1, n1, x2, n2, level)
        return Measure(
            "rate_difference",
            float(result.estimate) * per,
            float(result.low) * per,
            float(result.high) * per,
            f"Wald interval for a difference of rates per person-time ({level:.0%})",
            f"rate of {a} - rate of {b}, per {per:,g} {table.attrs['person_time']}",
        )
    estimate, low, high = newcombe_difference(x1, n1, x2, n2, level)
    return Measure(
        "rate_difference",
        estimate,
        low,
        high,
        f"Newcombe hybrid score interval ({level:.0%})",
        f"rate of {a} - rate of {b}",
    )


def rate_ratio(table, group, reference, *, level=0.95) -> Measure:
    """Ratio of two groups' rates (group ÷ reference), with the Katz log interval
    (Katz, Baptista, Azen & Pike, Biometrics 1978;34:469–474).

    When exactly one of the two groups has no events, 0.5 is added to the events
    and non-events of both (Haldane–Anscombe), and the notes say so. On a
    :func:`~equitylab.stratify.stratify_rates` table the ratio is of rates per
    person-time, with the log-scale Wald interval of
    :func:`equitylab.intervals.rate_ratio_wald` (undefined when a group has no events).
    """
    from .intervals import katz_ratio, rate_ratio_wald

    x1, n1, x2, n2, a, b = _pair(table, group, reference)
    if _is_rates(table):
        result = rate_ratio_wald(x1, n1, x2, n2, level)
        return Measure(
            "rate_ratio",
            float(result.estimate),
            float(result.low),
            float(result.high),
            f"log-scale Wald interval for a ratio of rates per person-time ({level:.0%})",
            f"rate of {a} / rate of {b}",
        )
    (estimate, low, high), corrected = katz_ratio(x1, n1, x2, n2, level)
    notes = ("Haldane-Anscombe 0.5 correction (one group has no events)",) if corrected else ()
    return Measure(
        "rate_ratio",
        estimate,
        low,
        high,
        f"Katz log interval ({level:.0%})",
        f"rate of {a} / rate of {b}",
        notes,
    )
