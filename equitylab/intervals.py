r"""Confidence intervals for proportions and for comparisons of two proportions.

Every function takes counts (scalars or array-likes of the same shape) and returns
NumPy arrays (or floats for scalar input). Counts must be whole numbers with
``0 <= events <= n``; a group with ``n == 0`` has no rate, and its interval is NaN.

Methods and sources
-------------------
- **Wilson score interval** for one proportion (Wilson 1927; Newcombe 1998a,
  method 3): centre :math:`(\hat p + z^2/2n)/(1 + z^2/n)`, half-width
  :math:`\frac{z}{1 + z^2/n}\sqrt{\hat p(1-\hat p)/n + z^2/4n^2}`. Well behaved at
  0 and at n events.
- **Clopper–Pearson "exact" interval** (Clopper & Pearson 1934; Newcombe 1998a,
  method 5): the quantiles :math:`B^{-1}(\alpha/2; x, n-x+1)` and
  :math:`B^{-1}(1-\alpha/2; x+1, n-x)` of beta distributions (0 when x = 0, 1 when
  x = n). Conservative: coverage at least the nominal level.
- **Newcombe hybrid score interval** for a difference of two independent
  proportions (Newcombe 1998b, method 10): with Wilson limits
  :math:`(l_1, u_1)`, :math:`(l_2, u_2)` and :math:`d = \hat p_1 - \hat p_2`,
  :math:`L = d - \sqrt{(\hat p_1 - l_1)^2 + (u_2 - \hat p_2)^2}` and
  :math:`U = d + \sqrt{(u_1 - \hat p_1)^2 + (\hat p_2 - l_2)^2}`.
- **Test consistent with that interval**: :func:`newcombe_p_value` inverts the
  Newcombe interval — the two-sided p-value is the largest
  :math:`\alpha` for which the :math:`100(1-\alpha)\%` interval still excludes 0 — so
  "p ≤ 0.05" and "the 95% interval excludes 0" never disagree.
- **Katz log interval** for a ratio of two proportions (Katz, Baptista, Azen &
  Pike 1978): :math:`\ln RR \pm z\sqrt{1/x_1 - 1/n_1 + 1/x_2 - 1/n_2}`. Zero cells:
  when exactly one group has no events, 0.5 is added to the events and to the
  non-events of both groups (the Haldane–Anscombe correction) before the ratio and
  its interval are computed; when neither group has any events the ratio is
  undefined (NaN). :func:`katz_ratio` reports which rows were corrected.

References: Wilson EB, J Am Stat Assoc 1927;22:209–212. Clopper CJ, Pearson ES,
Biometrika 1934;26:404–413. Newcombe RG, Stat Med 1998;17:857–872 (single
proportion) and 17:873–890 (difference). Katz D et al., Biometrics 1978;34:469–474.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import NamedTuple

import numpy as np

from .errors import EquityLabError

__all__ = [
    "CI_METHODS",
    "Comparison",
    "clopper_pearson",
    "katz_ratio",
    "newcombe_difference",
    "newcombe_p_value",
    "poisson_byar",
    "poisson_exact",
    "poisson_interval",
    "proportion_interval",
    "rate_difference_wald",
    "rate_ratio_wald",
    "wilson",
    "z_value",
]

#: Interval methods for one proportion, by the name ``stratify(ci=...)`` accepts.
CI_METHODS = ("wilson", "clopper-pearson")


class Comparison(NamedTuple):
    """An estimate with its confidence limits (arrays or floats)."""

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray


def z_value(level: float = 0.95) -> float:
    """The two-sided standard-normal quantile for a confidence ``level`` (0.95 → 1.95996…)."""
    if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0 < level < 1:
        raise EquityLabError(
            f"level must be a number between 0 and 1 (e.g. 0.95 for 95%), got {level!r}"
        )
    return NormalDist().inv_cdf(1 - (1 - level) / 2)


def _counts(events, n, name: str = "") -> tuple[np.ndarray, np.ndarray]:
    label = f" ({name})" if name else ""
    try:
        x = np.asarray(events, dtype=float)
        m = np.asarray(n, dtype=float)
    except (TypeError, ValueError):
        raise EquityLabError(f"counts must be numbers{label}, got {events!r} and {n!r}") from None
    x, m = np.broadcast_arrays(x, m)
    if np.isnan(x).any() or np.isnan(m).any():
        raise EquityLabError(f"counts must not be missing (NaN){label}")
    if (x < 0).any() or (m < 0).any():
        raise EquityLabError(f"counts must be zero or more{label}")
    if (np.floor(x) != x).any() or (np.floor(m) != m).any():
        raise EquityLabError(f"counts must be whole numbers{label}")
    if (x > m).any():
        raise EquityLabError(f"events cannot exceed the number of people{label}")
    return x, m


def _out(value: np.ndarray, scalar: bool):
    return float(value) if scalar else value


def _is_scalar(*values) -> bool:
    return all(np.ndim(v) == 0 for v in values)


def _wilson(x: np.ndarray, n: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        z2 = z * z
        denominator = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denominator
        half = (z / denominator) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    low = np.where(x == 0, 0.0, low)
    high = np.where(x == n, 1.0, high)
    empty = n == 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def wilson(events, n, level: float = 0.95):
    """Wilson score interval for ``events / n`` (Wilson, JASA 1927;22:209–212).
    Returns ``(low, high)``.

    >>> [round(v, 4) for v in wilson(81, 263)]
    [0.2553, 0.3662]
    """
    z = z_value(level)
    x, m = _counts(events, n)
    low, high = _wilson(x, m, z)
    scalar = _is_scalar(events, n)
    return _out(low, scalar), _out(high, scalar)


def clopper_pearson(events, n, level: float = 0.95):
    """Clopper–Pearson exact interval for ``events / n`` (Clopper & Pearson,
    Biometrika 1934;26:404–413). Returns ``(low, high)``.

    Uses SciPy's inverse regularized incomplete beta function (imported on first use).
    """
    from scipy.special import betaincinv

    z_value(level)  # validates level
    alpha = 1 - level
    x, m = _counts(events, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x == 0, 0.0, betaincinv(np.maximum(x, 1e-300), m - x + 1, alpha / 2))
        high = np.where(x == m, 1.0, betaincinv(x + 1, np.maximum(m - x, 1e-300), 1 - alpha / 2))
    empty = m == 0
    low, high = np.where(empty, np.nan, low), np.where(empty, np.nan, high)
    scalar = _is_scalar(events, n)
    return _out(low, scalar), _out(high, scalar)


def proportion_interval(events, n, *, method: str = "wilson", level: float = 0.95):
    """The interval for ``events / n`` by ``method`` (one of :data:`CI_METHODS`)."""
    if method == "wilson":
        return wilson(events, n, level)
    if method in {"clopper-pearson", "clopper_pearson", "exact"}:
        return clopper_pearson(events, n, level)
    raise EquityLabError(
        f"unknown interval method {method!r}; choose one of: {', '.join(CI_METHODS)}"
    )


def _newcombe(x1, n1, x2, n2, z):
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        l1, u1 = _wilson(x1, n1, z)
        l2, u2 = _wilson(x2, n2, z)
        d = p1 - p2
        low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return d, low, high


def newcombe_difference(x1, n1, x2, n2, level: float = 0.95) -> Comparison:
    """Difference ``x1/n1 - x2/n2`` with Newcombe's hybrid score interval (method 10 of
    Newcombe, Statistics in Medicine 1998;17:873–890)."""
    z = z_value(level)
    a, b = _counts(x1, n1, "group 1")
    c, d = _counts(x2, n2, "group 2")
    a, b, c, d = np.broadcast_arrays(a, b, c, d)
    estimate, low, high = _newcombe(a, b, c, d, z)
    scalar = _is_scalar(x1, n1, x2, n2)
    return Comparison(_out(estimate, scalar), _out(low, scalar), _out(high, scalar))


def _wilson_limit(x: float, n: float, z: float, upper: bool) -> float:
    """One Wilson limit, in plain floats (the p-value search calls this many times)."""
    if upper and x == n:
        return 1.0
    if not upper and x == 0:
        return 0.0
    p = x / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = (z / denominator) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return min(1.0, centre + half) if upper else max(0.0, centre - half)


def _z_star(x1: float, n1: float, x2: float, n2: float, tolerance: float) -> float:
    """The z at which the Newcombe limit nearer to 0 touches 0 (bisection)."""
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    low, high = 0.0, 40.0  # p(z = 40) is far below any reportable value
    while high - low > tolerance:
        z = (low + high) / 2
        if d > 0:  # lower limit: d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
            gap = math.hypot(
                p1 - _wilson_limit(x1, n1, z, False), _wilson_limit(x2, n2, z, True) - p2
            )
        else:  # upper limit: d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
            gap = math.hypot(
                _wilson_limit(x1, n1, z, True) - p1, p2 - _wilson_limit(x2, n2, z, False)
            )
        if gap >= abs(d):
            high = z
        else:
            low = z
    return (low + high) / 2


def newcombe_p_value(x1, n1, x2, n2, *, tolerance: float = 1e-10):
    """Two-sided p-value of the test that inverts Newcombe's hybrid score interval.

    The p-value is ``2 * (1 - Φ(z*))`` where ``z*`` is the normal quantile at which
    the interval's nearer limit touches 0 (found by bisection; the limits move
    monotonically with z). It is 1 when the two proportions are equal, and it is
    consistent with :func:`newcombe_difference`: p ≤ α exactly when the
    ``1 - α`` interval excludes 0.
    """
    a, b = _counts(x1, n1, "group 1")
    c, d = _counts(x2, n2, "group 2")
    a, b, c, d = np.broadcast_arrays(a, b, c, d)
    p = np.full(a.shape, np.nan)
    for index in np.ndindex(a.shape):
        x1_, n1_, x2_, n2_ = (float(v[index]) for v in (a, b, c, d))
        if n1_ == 0 or n2_ == 0:
            continue
        if x1_ / n1_ == x2_ / n2_:
            p[index] = 1.0
            continue
        z = _z_star(x1_, n1_, x2_, n2_, tolerance)
        p[index] = math.erfc(z / math.sqrt(2))
    return float(p) if _is_scalar(x1, n1, x2, n2) else p


def katz_ratio(x1, n1, x2, n2, level: float = 0.95) -> tuple[Comparison, np.ndarray]:
    """Ratio ``(x1/n1) / (x2/n2)`` with the Katz log interval (Katz, Baptista, Azen &
    Pike, Biometrics 1978;34:469–474).

    Returns ``(Comparison(estimate, low, high), corrected)`` where ``corrected`` is
    True where the Haldane–Anscombe 0.5 correction was applied (exactly one group
    without events). Where neither group has events the ratio is NaN.
    """
    z = z_value(level)
    a, b = _counts(x1, n1, "group 1")
    c, d = _counts(x2, n2, "group 2")
    a, b, c, d = np.broadcast_arrays(a, b, c, d)
    corrected = ((a == 0) ^ (c == 0)) & (b > 0) & (d > 0)
    add = np.where(corrected, 0.5, 0.0)
    a_, c_ = a + add, c + add
    b_, d_ = b + 2 * add, d + 2 * add
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (a_ / b_) / (c_ / d_)
        se = np.sqrt(1 / a_ - 1 / b_ + 1 / c_ - 1 / d_)
        low = np.exp(np.log(ratio) - z * se)
        high = np.exp(np.log(ratio) + z * se)
    undefined = ((a == 0) & (c == 0)) | (b == 0) | (d == 0)
    ratio, low, high = (np.where(undefined, np.nan, v) for v in (ratio, low, high))
    scalar = _is_scalar(x1, n1, x2, n2)
    result = Comparison(_out(ratio, scalar), _out(low, scalar), _out(high, scalar))
    return result, (bool(corrected) if scalar else corrected)


# --- counts and rates per person-time ------------------------------------------------

#: Interval methods for a count, by the name ``stratify_rates(ci=...)`` accepts.
POISSON_METHODS = ("auto", "exact", "byar")


def _poisson_counts(count, name: str = "count") -> np.ndarray:
    try:
        x = np.asarray(count, dtype=float)
    except (TypeError, ValueError):
        raise EquityLabError(f"{name} must be a number, got {count!r}") from None
    if np.isnan(x).any() or (x < 0).any() or (np.floor(x) != x).any():
        raise EquityLabError(f"{name} must be whole numbers, zero or more")
    return x


def poisson_exact(count, level: float = 0.95):
    r"""Exact (Garwood) interval for a Poisson count: :math:`\chi^2_{\alpha/2}(2x)/2` to
    :math:`\chi^2_{1-\alpha/2}(2x+2)/2`, with a lower limit of 0 when :math:`x = 0`
    (Garwood, Biometrika 1936;28:437–442). Returns ``(low, high)``."""
    from scipy.special import gammaincinv

    z_value(level)
    alpha = 1 - level
    x = _poisson_counts(count)
    with np.errstate(invalid="ignore"):
        low = np.where(x == 0, 0.0, gammaincinv(np.maximum(x, 1e-300), alpha / 2))
        high = gammaincinv(x + 1, 1 - alpha / 2)
    scalar = _is_scalar(count)
    return _out(low, scalar), _out(high, scalar)


def poisson_byar(count, level: float = 0.95):
    r"""Byar's approximation to the exact Poisson interval (Breslow & Day 1987):
    :math:`x(1 - \frac{1}{9x} - \frac{z}{3\sqrt{x}})^3` to
    :math:`(x+1)(1 - \frac{1}{9(x+1)} + \frac{z}{3\sqrt{x+1}})^3`. Returns
    ``(low, high)``.

    **When the lower-limit formula goes negative**, the lower limit returned is 0
    (as it is for :math:`x = 0`, where the formula is undefined). It goes negative
    whenever :math:`\frac{1}{9x} + \frac{z}{3\sqrt{x}} > 1`: for 1 event above
    about 99.2% confidence (at 99.8% the formula gives -0.0028), for 2 events
    above about 99.99%, and for 10 or more events never in practice (only above
    :math:`1 - 10^{-20}`). A lower limit of 0 is conservative: the exact limit is
    above it (0.0010 at 1 event and 99.8%). PHEindicatormethods' ``byars_lower``
    leaves the limit missing (NA) there instead (its test data,
    ``testdata_Byars_Wilson.xlsx``: 1 event at 99.8%, upper limit 9.36218).
    :func:`poisson_interval` with its default ``method="auto"`` uses the exact
    limits below 10 events, so it never meets the case.
    """
    z = z_value(level)
    x = _poisson_counts(count)
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(x == 0, 0.0, x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3)
        high = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    scalar = _is_scalar(count)
    return _out(np.maximum(low, 0.0), scalar), _out(high, scalar)


def poisson_interval(count, *, method: str = "auto", level: float = 0.95):
    """Interval for a count: ``"exact"``, ``"byar"``, or ``"auto"`` — exact below 10 events
    and Byar from 10 upwards, the convention of UK public-health statistics (APHO
    Technical Briefing 3, 2008)."""
    if method == "exact":
        return poisson_exact(count, level)
    if method == "byar":
        return poisson_byar(count, level)
    if method != "auto":
        raise EquityLabError(
            f"unknown interval method {method!r}; choose one of: {', '.join(POISSON_METHODS)}"
        )
    x = _poisson_counts(count)
    exact, byar = poisson_exact(x, level), poisson_byar(x, level)
    low, high = (np.where(x < 10, e, b) for e, b in zip(exact, byar, strict=True))
    scalar = _is_scalar(count)
    return _out(low, scalar), _out(high, scalar)


def rate_ratio_wald(x1, t1, x2, t2, level: float = 0.95) -> Comparison:
    r"""Ratio of two rates per person-time, :math:`(x_1/t_1)/(x_2/t_2)`, with the
    log-scale Wald interval :math:`\ln IRR \pm z\sqrt{1/x_1 + 1/x_2}` (Rothman,
    Greenland & Lash, *Modern Epidemiology*, 3rd ed., ch. 14). Undefined (NaN) when
    either count is 0."""
    z = z_value(level)
    a, c = _poisson_counts(x1, "events"), _poisson_counts(x2, "events")
    b, d = np.asarray(t1, dtype=float), np.asarray(t2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (a / b) / (c / d)
        se = np.sqrt(1 / a + 1 / c)
        low, high = np.exp(np.log(ratio) - z * se), np.exp(np.log(ratio) + z * se)
    bad = (a == 0) | (c == 0) | (b <= 0) | (d <= 0)
    ratio, low, high = (np.where(bad, np.nan, v) for v in (ratio, low, high))
    scalar = _is_scalar(x1, t1, x2, t2)
    return Comparison(_out(ratio, scalar), _out(low, scalar), _out(high, scalar))


def rate_difference_wald(x1, t1, x2, t2, level: float = 0.95) -> Comparison:
    r"""Difference of two rates per person-time, :math:`x_1/t_1 - x_2/t_2`, with the
    Wald interval :math:`\pm z\sqrt{x_1/t_1^2 + x_2/t_2^2}` (Rothman, Greenland & Lash,
    ch. 14)."""
    z = z_value(level)
    a, c = _poisson_counts(x1, "events"), _poisson_counts(x2, "events")
    b, d = np.asarray(t1, dtype=float), np.asarray(t2, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        difference = a / b - c / d
        se = np.sqrt(a / b**2 + c / d**2)
    bad = (b <= 0) | (d <= 0)
    difference = np.where(bad, np.nan, difference)
    low, high = (
        np.where(bad, np.nan, difference - z * se),
        np.where(bad, np.nan, difference + z * se),
    )
    scalar = _is_scalar(x1, t1, x2, t2)
    return Comparison(_out(difference, scalar), _out(low, scalar), _out(high, scalar))
