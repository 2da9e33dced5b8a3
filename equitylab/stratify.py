r"""Stratified rates: one row per group, with honest intervals, comparisons and protection.

:func:`stratify` is the function every data chapter of the book rests on. It takes
patient-level data (pandas, polars or DuckDB), counts people and events per group,
and returns a tidy pandas DataFrame:

========================  ==================================================================
column                    meaning
========================  ==================================================================
*by columns*              the group (text labels; missing values are the group "Missing")
``n``                     people in the group with a usable outcome value
``events``                people with the outcome (outcome = 1 / yes / true)
``rate``                  ``events / n``
``ci_low``, ``ci_high``   confidence interval of the rate (Wilson, or Clopper–Pearson)
``share``                 the group's share of all people with a usable outcome
``suppressed``            True where small-cell protection hid the group's outcome
``is_reference``          True for the reference group
``rate_difference``       group rate − reference rate, with ``rate_difference_ci_low/high``
                          (Newcombe's hybrid score interval)
``rate_ratio``            group rate ÷ reference rate, with ``rate_ratio_ci_low/high``
                          (Katz log interval; zero-cell rule in :mod:`equitylab.intervals`)
``p_value``               two-sided test of "no difference" that inverts the Newcombe
                          interval, so it always agrees with the reported interval
``relative_difference``   difference in the *adverse* outcome, relative to the reference
``meaningful``            AHRQ's rule: ``p_value <= 0.05`` and ``|relative_difference| >= 0.10``
========================  ==================================================================

Rules applied the same way on every backend
-------------------------------------------
- **Missing groups are rows, not holes.** A missing or blank value of a grouping
  column is the group "Missing"; "Unknown" and "Declined" are kept as their own
  groups. Labels are trimmed of surrounding spaces, so "Black " and "Black" are one
  group. :func:`completeness` (from ``result.attrs["completeness"]``) reports, per
  grouping column, how many people were Missing, Unknown or Declined.
- **Outcomes** may be 0/1, booleans, or yes/y/no/n/true/false text in any case.
  Blank, missing and "N/A" outcomes are left out of ``n`` and counted in
  ``result.attrs["excluded_outcome"]`` (``None`` when that count is 1–10).
  Anything else is an error that lists the values found.
- **Small cells** are protected by :func:`equitylab.privacy.protect_table`
  (``min_cell=11`` hides counts of 1–10; ``min_cell=0`` switches it off).
- **AHRQ "meaningful" difference.** The National Healthcare Quality and
  Disparities Report calls a difference meaningful when it is statistically
  significant (p ≤ 0.05) and at least 10% in relative terms, with the relative
  difference computed on the adverse outcome: for an outcome where higher is better
  (``higher_is_better=True``, e.g. blood pressure controlled) on ``1 - rate``; for
  an adverse outcome (e.g. readmission) on the rate itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import EquityLabError
from .intervals import (
    CI_METHODS,
    katz_ratio,
    newcombe_difference,
    newcombe_p_value,
    proportion_interval,
    z_value,
)
from .privacy import (
    check_min_cell,
    check_prefer_hidden,
    is_small,
    primary_suppression,
    protect_table,
)

__all__ = ["MISSING", "completeness", "stratify", "stratify_chunks", "stratify_rates"]

MISSING = "Missing"
#: Labels that say the value is not known; they sort after the informative groups.
NOT_INFORMATIVE = ("Unknown", "Declined", MISSING)
_TRUE = {"1", "1.0", "yes", "y", "true", "t"}
_FALSE = {"0", "0.0", "no", "n", "false", "f"}
_BLANK = {"", "na", "n/a", "nan", "none", "null", "<na>", "nat", "."}
_CHUNK = 1 << 20
_MAX_DENSE_BINS = 1 << 22


# --- labels and outcome values ---------------------------------------------------------


def _label(value: object) -> str:
    """The text label of a group value; missing or blank values are "Missing"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return MISSING
        if float(value).is_integer():
            return str(int(value))
    text = str(value).strip()
    return text if text else MISSING


def _order(labels: Sequence[str], categories: Sequence[str] | None) -> list[str]:
    """Category order if the column had one, else a natural order; non-informative last."""
    informative = [lab for lab in dict.fromkeys(labels) if lab not in NOT_INFORMATIVE]
    if categories is not None:
        known = [c for c in dict.fromkeys(categories) if c in informative]
        rest = sorted((lab for lab in informative if lab not in known), key=_natural_key)
        informative = known + rest
    else:
        informative = sorted(informative, key=_natural_key)
    return informative + [lab for lab in NOT_INFORMATIVE if lab in labels]


def _natural_key(text: str) -> tuple:
    return tuple(
        (0, float(part), "") if re.fullmatch(r"-?\d+(\.\d+)?", part) else (1, 0.0, part.lower())
        for part in re.split(r"(-?\d+(?:\.\d+)?)", text)
        if part
    )


def _outcome_class(value: object) -> int | None:
    """0 or 1 for a usable outcome, 2 for blank/missing, None for anything else."""
    if value is None or value is pd.NA or value is pd.NaT:
        return 2
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value) if value in (0, 1) else None
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return 2
        return int(value) if value in (0.0, 1.0) else None
    text = str(value).strip().lower()
    if text in _TRUE:
        return 1
    if text in _FALSE:
        return 0
    if text in _BLANK:
        return 2
    return None


def _plain(value: object) -> object:
    """A value as the user would type it: numpy scalars as Python ones, 2.0 as 2."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _outcome_lookup(uniques: Sequence[object], outcome: str) -> np.ndarray:
    classes = [_outcome_class(u) for u in uniques]
    bad = [u for u, c in zip(uniques, classes, strict=True) if c is None]
    if bad:
        shown = ", ".join(repr(_plain(b)) for b in bad[:10]) + (" ..." if len(bad) > 10 else "")
        raise EquityLabError(
            f"outcome column {outcome!r} must hold 0/1, true/false or yes/no values "
            f"(blank or N/A for unknown); it also holds: {shown}. Recode those values "
            "or choose a binary outcome column"
        )
    return np.asarray(classes, dtype=np.int8)


# --- engines: everything ends as one small table of counts -----------------------------


class _Counts:
    """Counts per group and outcome class, engine-neutral (small: one row per group)."""

    def __init__(self, frame: pd.DataFrame, by: list[str], categories: dict[str, list[str]]):
        self.frame = frame  # columns: by..., zeros, ones, blank
        self.by = by
        self.categories = categories


def _pandas_codes(column: pd.Series) -> tuple[np.ndarray, list[str], list[str] | None]:
    """Integer codes (-1 = missing) and the text label of each code."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        uniques = list(column.cat.categories)
        categories = [_label(c) for c in uniques]
    else:
        codes, uniques_index = pd.factorize(column, use_na_sentinel=True)
        uniques = list(uniques_index)
        categories = None
    return codes, [_label(u) for u in uniques], categories


def _pandas_outcome(column: pd.Series, outcome: str) -> np.ndarray:
    """Outcome classes per row: 0, 1, or 2 (blank), as a small integer array."""
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype) and not isinstance(dtype, pd.BooleanDtype):
        return column.to_numpy().view(np.int8)
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_extension_array_dtype(dtype):
        values = column.to_numpy()
        if values.size and (values.min() < 0 or values.max() > 1):
            _outcome_lookup(np.unique(values).tolist(), outcome)  # raises, naming values
        return values
    if pd.api.types.is_float_dtype(dtype) and not pd.api.types.is_extension_array_dtype(dtype):
        values = column.to_numpy()
        finite = values[~np.isnan(values)]
        if finite.size and not np.isin(finite, (0.0, 1.0)).all():
            _outcome_lookup(np.unique(finite).tolist(), outcome)
        classes = np.where(np.isnan(values), 2, values)
        return classes.astype(np.int8)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    lookup = np.append(_outcome_lookup(list(uniques), outcome), np.int8(2))  # -1 -> blank
    return lookup[codes]


def _pandas_lookups(df: pd.DataFrame, by: list[str], max_groups: int):
    """Per grouping column: (codes, code -> label position, number of labels), the labels,
    and the column's category order when it has one. Missing values get the label
    "Missing" (code -1 maps to it through the lookup's last entry)."""
    lookups, labels_per_column, categories = [], [], {}
    for name in by:
        codes, labels, column_categories = _pandas_codes(df[name])
        distinct = list(dict.fromkeys(labels))
        if MISSING not in distinct:
            distinct.append(MISSING)
        if len(distinct) > max_groups + 1:
            raise _too_many_groups(name, len(distinct), max_groups)
        position = {lab: i for i, lab in enumerate(distinct)}
        lookup = np.asarray([position[lab] for lab in labels] + [position[MISSING]])
        lookups.append((codes, lookup, len(distinct)))
        labels_per_column.append(distinct)
        if column_categories is not None:
            categories[name] = column_categories
    return lookups, labels_per_column, categories


def _label_table(by, labels_per_column, index) -> pd.DataFrame:
    return pd.DataFrame(
        {
            name: np.asarray(labels, dtype=object)[codes]
            for name, labels, codes in zip(by, labels_per_column, index, strict=True)
        }
    )


def _pandas_counts(df: pd.DataFrame, by: list[str], outcome: str, max_groups: int) -> _Counts:
    """Counts from pandas with integer codes and one np.bincount (no groupby)."""
    classes = _pandas_outcome(df[outcome], outcome)
    lookups, labels_per_column, categories = _pandas_lookups(df, by, max_groups)
    sizes = [size for _, _, size in lookups]
    bins = 3 * math.prod(sizes)
    if bins <= _MAX_DENSE_BINS:
        counts = _dense_counts(lookups, classes, bins)
        flat = np.nonzero(counts.reshape(-1, 3).sum(axis=1))[0]
        per_class = counts.reshape(-1, 3)[flat]
        index = np.unravel_index(flat, sizes[::-1])[::-1]
    else:
        flat_codes = [lookup[codes] for codes, lookup, _ in lookups]
        frame = pd.DataFrame({f"k{i}": c for i, c in enumerate(flat_codes)})
        frame["cls"] = classes
        grouped = frame.groupby([*frame.columns], sort=False).size().unstack("cls", fill_value=0)
        grouped = grouped.reindex(columns=[0, 1, 2], fill_value=0)
        per_class = grouped.to_numpy()
        index = [grouped.index.get_level_values(i).to_numpy() for i in range(len(by))]
    table = _label_table(by, labels_per_column, index)
    table["zeros"], table["ones"], table["blank"] = per_class.T
    return _Counts(table, by, categories)


def _dense_counts(lookups, classes: np.ndarray, bins: int) -> np.ndarray:
    """np.bincount over (group key, outcome class), in chunks to bound memory."""
    strides, stride = [], 3
    for _, _, size in lookups:
        strides.append(stride)
        stride *= size
    scaled = [
        (codes, (lookup * s).astype(np.int64))
        for (codes, lookup, _), s in zip(lookups, strides, strict=True)
    ]
    key_dtype = np.int32 if bins < 2**31 else np.int64
    scaled = [(codes, table.astype(key_dtype)) for codes, table in scaled]
    total = np.zeros(bins, dtype=np.int64)
    rows = len(classes)
    for start in range(0, max(rows, 1), _CHUNK):
        stop = min(start + _CHUNK, rows)
        if stop <= start:
            break
        codes, table = scaled[0]
        key = table[codes[start:stop]]
        for codes, table in scaled[1:]:
            key += table[codes[start:stop]]
        np.add(key, classes[start:stop], out=key, casting="unsafe")
        total += np.bincount(key, minlength=bins)
    return total


def _dotless(native, columns: Sequence[str], needed: Sequence[str]):
    """The frame and a name map under which no needed column name holds a dot.

    Spark and DuckDB read ``a.b`` as field ``b`` of ``a``, even through narwhals. On
    Spark every column is renamed by position (``toDF``), which needs no parsing;
    other engines get a clear error instead of a confusing engine message.
    """
    dotted = [c for c in needed if "." in c]
    if not dotted:
        return native, {c: c for c in needed}
    import narwhals as nw

    if nw.from_native(native).implementation.is_pyspark():
        safe = [f"__c{i}__" for i in range(len(columns))]
        renamed = native.toDF(*safe)
        position = {c: i for i, c in enumerate(columns)}
        return renamed, {c: safe[position[c]] for c in needed}
    raise EquityLabError(
        f"column name(s) {', '.join(map(repr, dotted))} contain a dot, which this engine "
        "reads as a field of a nested column; rename them (e.g. with an underscore) first"
    )


def _narwhals_counts(native, by: list[str], outcome: str, max_groups: int) -> _Counts:
    """Counts from polars, DuckDB or any narwhals-supported frame: one group-by."""
    import narwhals as nw

    frame = nw.from_native(native)
    columns = frame.collect_schema().names()
    _check_columns(columns, by, outcome)
    native, names = _dotless(native, columns, [*by, outcome])
    frame = nw.from_native(native)
    grouped = frame.group_by([names[c] for c in [*by, outcome]], drop_null_keys=False).agg(
        nw.len().alias("__rows__")
    )
    if isinstance(grouped, nw.LazyFrame):
        grouped = grouped.collect()
    small = grouped.to_pandas().rename(columns={v: k for k, v in names.items()})
    if small.empty:
        raise EquityLabError("the table has no rows")
    classes = _outcome_lookup(small[outcome].tolist(), outcome)
    table = pd.DataFrame({name: [_label(v) for v in small[name]] for name in by})
    for name in by:
        if table[name].nunique() > max_groups + 1:
            raise _too_many_groups(name, table[name].nunique(), max_groups)
    rows = small["__rows__"].to_numpy(dtype=np.int64)
    table["zeros"] = np.where(classes == 0, rows, 0)
    table["ones"] = np.where(classes == 1, rows, 0)
    table["blank"] = np.where(classes == 2, rows, 0)
    table = table.groupby(by, sort=False).sum().reset_index()
    return _Counts(table, by, {})


def _too_many_groups(name: str, count: int, max_groups: int) -> EquityLabError:
    return EquityLabError(
        f"column {name!r} has {count:,} distinct values; stratify compares a few groups "
        f"(at most max_groups={max_groups:,}). Is it an identifier or a measurement? "
        "Group it first (e.g. age into age bands) or raise max_groups"
    )


def _check_columns(columns: Sequence[str], by: list[str], outcome: str) -> None:
    missing = [c for c in [*by, outcome] if c not in columns]
    if missing:
        names = ", ".join(map(repr, missing))
        raise EquityLabError(
            f"column(s) {names} not found; the columns are: {', '.join(map(str, columns))}"
        )


# --- the public function ---------------------------------------------------------------


def _normalise_by(by) -> list[str]:
    names = [by] if isinstance(by, str) else list(by) if isinstance(by, (list, tuple)) else None
    if not names or not all(isinstance(b, str) for b in names):
        raise EquityLabError(f"by must be a column name or a list of column names, got {by!r}")
    if len(set(names)) != len(names):
        raise EquityLabError(f"by lists a column twice: {names}")
    return names


def _counts(data, by: list[str], outcome: str, max_groups: int) -> _Counts:
    if isinstance(data, pd.DataFrame):
        _check_columns(list(data.columns), by, outcome)
        if len(data) == 0:
            raise EquityLabError("the table has no rows")
        return _pandas_counts(data, by, outcome, max_groups)
    try:
        import narwhals as nw

        nw.from_native(data)
    except (ImportError, TypeError) as error:
        raise EquityLabError(
            f"stratify needs a table (pandas, polars or DuckDB), got {type(data).__name__}"
        ) from error
    return _narwhals_counts(data, by, outcome, max_groups)


def completeness(table: pd.DataFrame) -> pd.DataFrame:
    """How complete each grouping column of a :func:`stratify` result was.

    One row per grouping column: ``people`` (all rows, whatever their outcome),
    ``missing`` (blank or missing), ``unknown``, ``declined`` and ``complete`` (the
    share with an informative value). Counts of 1–10 are hidden (<NA>), and so is
    the share complete when it would reveal one.
    """
    records = table.attrs.get("completeness")
    if records is None:
        raise EquityLabError("completeness() needs a table returned by stratify()")
    frame = pd.DataFrame(
        records, columns=["column", "people", "missing", "unknown", "declined", "complete"]
    )
    for column in ("people", "missing", "unknown", "declined"):
        frame[column] = frame[column].astype("Int64")
    frame["complete"] = frame["complete"].astype(float)
    return frame


def _completeness(counts: pd.DataFrame, by: Sequence[str], min_cell: int) -> list[dict]:
    """Completeness records (plain values, None where hidden) for ``attrs``.

    pandas compares ``attrs`` when it combines frames, so they hold no DataFrame,
    NaN or <NA> (whose comparisons are not plain True/False).
    """
    total = int(counts["rows"].sum())
    records = []
    for name in by:
        labels = counts[name].to_numpy()
        rows = counts["rows"].to_numpy()
        missing = {lab: int(rows[labels == lab].sum()) for lab in NOT_INFORMATIVE}
        unknown_total = sum(missing.values())
        records.append(
            {
                "column": name,
                "people": total,
                "missing": missing[MISSING],
                "unknown": missing["Unknown"],
                "declined": missing["Declined"],
                "complete": 1 - unknown_total / total if total else np.nan,
            }
        )
    for record in records:
        shown = {key: record[key] for key in ("people", "missing", "unknown", "declined")}
        hidden = {key: bool(is_small([value], min_cell)[0]) for key, value in shown.items()}
        for key, value in shown.items():
            record[key] = None if hidden[key] else int(value)
        if any(hidden.values()) or np.isnan(record["complete"]):
            record["complete"] = None
    return records


def _resolve_reference(reference, keys: pd.DataFrame, n: np.ndarray) -> int:
    if reference is None:
        informative = ~np.isin(keys.to_numpy(), NOT_INFORMATIVE).any(axis=1)
        candidates = np.nonzero(informative & (n > 0))[0]
        if candidates.size == 0:
            candidates = np.nonzero(n > 0)[0]
        return int(candidates[np.argmax(n[candidates])])
    if isinstance(reference, dict):
        wanted = tuple(str(reference.get(c)) for c in keys.columns)
    elif isinstance(reference, (str, int, np.integer)) and not isinstance(reference, bool):
        wanted = (str(reference),)  # quintile 1 and the label "1" name the same group
    elif isinstance(reference, (list, tuple)):
        wanted = tuple(map(str, reference))
    else:
        raise EquityLabError(
            f"reference {reference!r} must be a group's name (text or a whole number), "
            "one value per grouping column in a list, or a dict of column: value"
        )
    if len(wanted) != keys.shape[1]:
        raise EquityLabError(
            f"reference {reference!r} must name one value per grouping column "
            f"({', '.join(keys.columns)})"
        )
    matches = np.nonzero((keys.to_numpy() == np.asarray(wanted, dtype=object)).all(axis=1))[0]
    if matches.size == 0:
        available = ", ".join(" / ".join(map(str, row)) for row in keys.itertuples(index=False))
        raise EquityLabError(f"reference group {reference!r} not found; groups are: {available}")
    return int(matches[0])


def stratify(
    df,
    by,
    outcome: str,
    *,
    ci: str = "wilson",
    level: float = 0.95,
    min_cell: int = 11,
    reference=None,
    higher_is_better: bool = True,
    max_groups: int = 1000,
    combine: dict | None = None,
    prefer_hidden: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Rates of a yes/no outcome by group, with intervals, comparisons and protection.

    Parameters
    ----------
    df:
        Patient-level data: a pandas or polars DataFrame, or a DuckDB relation (any
        table narwhals can read). Only the ``by`` and ``outcome`` columns are used.
    by:
        A grouping column, or a list of columns for an intersection
        (``["race_ethnicity_group", "sex"]``).
    outcome:
        A column of 0/1, booleans or yes/no text (blank = unknown, excluded).
    ci:
        Interval for each rate: ``"wilson"`` (default) or ``"clopper-pearson"``.
    level:
        Confidence level of every interval (default 0.95).
    min_cell:
        Smallest non-zero count shown (default 11: counts 1–10 are hidden, with
        complementary suppression). ``0`` switches protection off.
    reference:
        The group others are compared with: a value (one-way tables) or a tuple of
        values (intersections). Default: the largest group whose labels are not
        Missing, Unknown or Declined.
    higher_is_better:
        True when the outcome is favourable (screening done, blood pressure
        controlled), False when it is adverse (readmission). Decides the framing of
        ``relative_difference`` (AHRQ computes it on the adverse outcome).
    max_groups:
        Largest number of groups allowed per grouping column (guards against
        grouping by an identifier by mistake).
    combine:
        What a sparse category means, said on the record: ``{column: {label: new
        label}}`` counts a label's people in another group (``{"race": {"Declined":
        "Unknown or declined"}}``), and ``{column: {label: None}}`` leaves them out
        of the table (``{"sex": {"Unknown": None}}``). The people left out are
        reported only as one total per column (``attrs["left_out"]``, None when 1–10)
        and in ``notes``; :func:`completeness` still describes the data before.
        Leaving people out changes the totals: a table published beside another
        that keeps them can reveal their counts (see
        :func:`equitylab.privacy.audit_release`).
    prefer_hidden:
        Labels whose groups complementary suppression hides first when it has a
        choice (default: Unknown, Declined and Missing); ``[]`` treats every group
        alike. A label that says who people are (Multiracial and/or Multiethnic, a
        language) is never treated as residual unless listed here.

    Returns
    -------
    pandas.DataFrame
        One row per group (see the module documentation for the columns). Metadata
        in ``.attrs``: ``method`` (the methods used, in words), ``reference``,
        ``level``, ``min_cell``, ``excluded_outcome`` (people with a blank outcome,
        None when 1–10), ``completeness`` (records; :func:`completeness` turns them
        into a table), ``notes``, ``combine``, ``left_out`` and ``prefer_hidden``.
        Only plain values are kept there, so that
        pandas operations on the result keep working.

    Raises
    ------
    EquityLabError
        For a missing column, an empty table, an outcome that is not yes/no, no
        usable outcome at all, too many groups, or invalid options.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"group": ["A"] * 40 + ["B"] * 60,
    ...                      "screened": [1] * 30 + [0] * 10 + [1] * 30 + [0] * 30})
    >>> table = stratify(data, by="group", outcome="screened", reference="B")
    >>> table[["group", "n", "events", "rate"]].to_string(index=False)
    'group  n  events  rate\\n    A 40      30  0.75\\n    B 60      30  0.50'
    """
    by, min_cell = _check_options(by, outcome, ci, level, min_cell, higher_is_better, max_groups)
    counted = _counts(df, by, outcome, max_groups)
    result = _summarise(
        counted,
        outcome,
        ci=ci,
        level=level,
        min_cell=min_cell,
        reference=reference,
        higher_is_better=higher_is_better,
        combine=combine,
        prefer_hidden=prefer_hidden,
    )
    if isinstance(df, pd.DataFrame) and df.attrs.get("overlapping_groups"):
        # rows that count a person several times (alone-or-in-combination rows) give
        # groups that overlap: the summary measures refuse such a table
        result.attrs["overlapping_groups"] = True
    return result


def stratify_chunks(
    chunks,
    by,
    outcome: str,
    *,
    ci: str = "wilson",
    level: float = 0.95,
    min_cell: int = 11,
    reference=None,
    higher_is_better: bool = True,
    max_groups: int = 1000,
    combine: dict | None = None,
    prefer_hidden: Sequence[str] | None = None,
) -> pd.DataFrame:
    """:func:`stratify` over a file too large to load at once, one piece at a time.

    ``chunks`` is any iterable of tables with the same columns, e.g.
    ``pandas.read_csv(path, chunksize=1_000_000, usecols=[...])``. Counts are
    added up across the pieces and the result is exactly what :func:`stratify`
    would return for the whole table. Memory stays proportional to one piece.
    """
    by, min_cell = _check_options(by, outcome, ci, level, min_cell, higher_is_better, max_groups)
    parts, categories = [], {}
    for chunk in chunks:
        if isinstance(chunk, pd.DataFrame) and len(chunk) == 0:
            continue
        counted = _counts(chunk, by, outcome, max_groups)
        parts.append(counted.frame)
        categories = categories or counted.categories  # a categorical column keeps its order
    if not parts:
        raise EquityLabError("the table has no rows")
    merged = pd.concat(parts, ignore_index=True).groupby(by, sort=False).sum().reset_index()
    return _summarise(
        _Counts(merged, by, categories),
        outcome,
        ci=ci,
        level=level,
        min_cell=min_cell,
        reference=reference,
        higher_is_better=higher_is_better,
        combine=combine,
        prefer_hidden=prefer_hidden,
    )


# Column names of the results (and of the counts behind them): a grouping column with
# one of these names would collide with them.
RESULT_COLUMNS = frozenset(
    {
        "n", "events", "person_time", "rate", "ci_low", "ci_high", "share", "suppressed",
        "is_reference", "rate_difference", "rate_difference_ci_low", "rate_difference_ci_high",
        "rate_ratio", "rate_ratio_ci_low", "rate_ratio_ci_high", "p_value",
        "relative_difference", "meaningful", "rows", "zeros", "ones", "blank", "unusable",
        "total_rows", "negative",
    }
)  # fmt: skip


def _check_options(by, outcome, ci, level, min_cell, higher_is_better, max_groups):
    by = _normalise_by(by)
    clashes = [name for name in by if name in RESULT_COLUMNS]
    if clashes:
        raise EquityLabError(
            f"grouping column(s) {', '.join(map(repr, clashes))} have the name of a column of "
            "the result; rename them first (e.g. df.rename(columns={'n': 'n_group'}))"
        )
    if not isinstance(outcome, str):
        raise EquityLabError(f"outcome must be a column name, got {outcome!r}")
    if outcome in by:
        raise EquityLabError(f"{outcome!r} is both the outcome and a grouping column")
    if ci not in CI_METHODS:
        raise EquityLabError(f"unknown ci {ci!r}; choose one of: {', '.join(CI_METHODS)}")
    z_value(level)
    min_cell = check_min_cell(min_cell)
    if not isinstance(higher_is_better, bool):
        raise EquityLabError(f"higher_is_better must be True or False, got {higher_is_better!r}")
    if isinstance(max_groups, bool) or not isinstance(max_groups, int) or max_groups < 1:
        raise EquityLabError(f"max_groups must be a positive whole number, got {max_groups!r}")
    return by, min_cell


def _ordered(counted: _Counts):
    """Sort order of the count rows, each key column's codes and labels, and the keys."""
    by, table = counted.by, counted.frame
    orders, codes = {}, {}
    for name in by:
        labels = table[name].to_numpy(dtype=object)
        orders[name] = _order(list(labels), counted.categories.get(name))
        position = {label: i for i, label in enumerate(orders[name])}
        codes[name] = np.fromiter(
            (position[label] for label in labels), dtype=np.int64, count=len(labels)
        )
    sort = np.lexsort([codes[name] for name in reversed(by)])
    codes = {name: values[sort] for name, values in codes.items()}
    keys = pd.DataFrame(
        {name: np.asarray(orders[name], dtype=object)[codes[name]] for name in by}, dtype=object
    )
    return sort, codes, orders, keys


def _result_frame(
    by, codes, orders, *, n, events, rate, low, high, share, hide_n, hide_outcome,
    no_comparison, is_reference, diff, ratio, p, relative, meaningful, undefined,
    per=None, person_time=None,
) -> pd.DataFrame:  # fmt: skip
    """The result table, with every hidden value blanked (rates scaled by ``per``)."""
    scale = 1 if per is None else per

    def shown(values, hidden) -> np.ndarray:
        return np.where(hidden, np.nan, np.asarray(values, dtype=float))

    columns = {name: pd.Categorical.from_codes(codes[name], categories=orders[name]) for name in by}
    columns.update(
        n=pd.array(np.where(hide_n, None, n), dtype="Int64"),
        events=pd.array(np.where(hide_outcome, None, events), dtype="Int64"),
    )
    if person_time is not None:
        columns["person_time"] = shown(person_time, hide_n)
    columns.update(
        rate=shown(rate * scale, hide_outcome),
        ci_low=shown(low * scale, hide_outcome),
        ci_high=shown(high * scale, hide_outcome),
        share=shown(share, hide_n),
        suppressed=hide_outcome,
        is_reference=is_reference,
        rate_difference=shown(diff.estimate * scale, no_comparison),
        rate_difference_ci_low=shown(diff.low * scale, no_comparison),
        rate_difference_ci_high=shown(diff.high * scale, no_comparison),
        rate_ratio=shown(ratio.estimate, no_comparison),
        rate_ratio_ci_low=shown(ratio.low, no_comparison),
        rate_ratio_ci_high=shown(ratio.high, no_comparison),
        p_value=shown(p, no_comparison),
        relative_difference=shown(relative, no_comparison),
        meaningful=pd.array(np.where(no_comparison | undefined, None, meaningful), dtype="boolean"),
    )
    return pd.DataFrame(columns)


def _check_rate_options(
    by, events, person_time, per, ci, level, min_cell, higher_is_better, max_groups
):
    """The options of stratify_rates (and of the warehouse path to the same table)."""
    from .intervals import POISSON_METHODS

    by, min_cell = _check_options(
        by, events, "wilson", level, min_cell, higher_is_better, max_groups
    )
    if person_time in by or person_time == events:
        raise EquityLabError(f"{person_time!r} cannot also be a grouping or events column")
    if ci not in POISSON_METHODS:
        raise EquityLabError(f"unknown ci {ci!r}; choose one of: {', '.join(POISSON_METHODS)}")
    if isinstance(per, bool) or not isinstance(per, (int, float)) or per <= 0:
        raise EquityLabError(f"per must be a positive number (e.g. 1000), got {per!r}")
    return by, min_cell


# --- what the analyst says sparse categories mean -----------------------------------------


def _check_combine(combine, by: Sequence[str]) -> dict[str, dict[str, str | None]]:
    """Validate ``combine`` ({column: {label: new label or None}}) and return a copy."""
    if combine is None:
        return {}
    if not isinstance(combine, dict):
        raise EquityLabError(
            "combine must be a dict of grouping column -> {label: new label, or None to "
            "leave those people out}, e.g. combine={'sex': {'Unknown': None}}; "
            f"got {combine!r}"
        )
    checked: dict[str, dict[str, str | None]] = {}
    for column, mapping in combine.items():
        if column not in by:
            raise EquityLabError(
                f"combine names {column!r}, which is not a grouping column "
                f"(by = {', '.join(map(repr, by))})"
            )
        if not isinstance(mapping, dict) or not mapping:
            raise EquityLabError(
                f"combine[{column!r}] must be a non-empty dict of label -> new label (or "
                f"None to leave those people out), got {mapping!r}"
            )
        for label, target in mapping.items():
            if not isinstance(label, str):
                raise EquityLabError(f"combine[{column!r}]: labels must be text, got {label!r}")
            if target is not None and (not isinstance(target, str) or not target.strip()):
                raise EquityLabError(
                    f"combine[{column!r}][{label!r}] must be a new label (text) or None "
                    f"(leave those people out), got {target!r}"
                )
        checked[column] = {
            str(k).strip(): (None if v is None else v.strip()) for k, v in mapping.items()
        }
    return checked


def _combine(counted: _Counts, combine: dict, min_cell: int) -> tuple[_Counts, dict]:
    """Apply ``combine`` to the counts: merge labels, or leave people out. Returns the
    new counts and, per column, how many people were left out (None when 1 to
    ``min_cell - 1``: a protected total, never per group)."""
    if not combine:
        return counted, {}
    frame = counted.frame.copy()
    by = counted.by
    values = [c for c in frame.columns if c not in by]
    size = frame["rows"] if "rows" in frame else frame["zeros"] + frame["ones"] + frame["blank"]
    keep = np.ones(len(frame), dtype=bool)
    left_out, categories = {}, dict(counted.categories)
    for column, mapping in combine.items():
        labels = frame[column].astype(object)
        present = set(labels)
        missing = [label for label in mapping if label not in present]
        if missing:
            groups = ", ".join(map(repr, _order(list(present), categories.get(column))))
            raise EquityLabError(
                f"combine[{column!r}] names {', '.join(map(repr, missing))}, not a group of "
                f"{column!r}; its groups are: {groups}"
            )
        dropped = labels.isin([k for k, v in mapping.items() if v is None]).to_numpy()
        if any(v is None for v in mapping.values()):
            people = int(size[dropped].sum())
            left_out[column] = None if is_small([people], min_cell)[0] else people
        keep &= ~dropped
        frame[column] = labels.map(lambda lab, m=mapping: m.get(lab) or lab)
        if column in categories:
            order = []
            for label in categories[column]:
                new = mapping.get(label, label)
                if new is not None and new not in order:
                    order.append(new)
            categories[column] = order
    frame = frame[keep]
    if len(frame) == 0:
        raise EquityLabError("combine left every person out of the table")
    merged = frame.groupby(by, sort=False, observed=True)[values].sum().reset_index()
    return _Counts(merged, by, categories), left_out


def _combine_notes(combine: dict, left_out: dict, min_cell: int) -> list[str]:
    notes = []
    for column, mapping in combine.items():
        dropped = [label for label, target in mapping.items() if target is None]
        merged = {label: target for label, target in mapping.items() if target is not None}
        if dropped:
            people = left_out[column]
            count = f"1 to {min_cell - 1} people" if people is None else f"{people:,} people"
            notes.append(
                f"{column}: {count} recorded as {', '.join(dropped)} are left out of this table"
            )
        for label, target in merged.items():
            notes.append(f"{column}: {label!r} is counted in the group {target!r}")
    return notes


def _protection_notes(hide_outcome: np.ndarray, primary: np.ndarray) -> list[str]:
    if (hide_outcome & ~primary).any():
        return [
            "some groups are hidden only so that smaller ones cannot be worked out from "
            "the totals (complementary suppression): a hidden group is not necessarily a "
            "small one"
        ]
    return []


def _summarise(
    counted: _Counts, outcome: str, *, ci, level, min_cell, reference, higher_is_better,
    combine=None, prefer_hidden=None,
) -> pd.DataFrame:  # fmt: skip
    combine = _check_combine(combine, counted.by)
    prefer_hidden = check_prefer_hidden(prefer_hidden)
    before = counted.frame
    before_rows = before[counted.by].assign(rows=before["zeros"] + before["ones"] + before["blank"])
    counted, left_out = _combine(counted, combine, min_cell)
    by = counted.by
    table = counted.frame
    sort, codes, orders, keys = _ordered(counted)

    zeros = table["zeros"].to_numpy(dtype=np.int64)[sort]
    ones = table["ones"].to_numpy(dtype=np.int64)[sort]
    blank = table["blank"].to_numpy(dtype=np.int64)[sort]
    n = zeros + ones
    if n.sum() == 0:
        raise EquityLabError(
            f"outcome column {outcome!r} has no usable values (all blank or missing)"
        )

    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, ones / np.maximum(n, 1), np.nan)
    low, high = proportion_interval(ones, n, method=ci, level=level)
    share = n / n.sum()

    ref = _resolve_reference(reference, keys, n)
    ref_x, ref_n = ones[ref], n[ref]
    diff = newcombe_difference(ones, n, ref_x, ref_n, level)
    ratio, corrected = katz_ratio(ones, n, ref_x, ref_n, level)
    p = newcombe_p_value(ones, n, ref_x, ref_n)
    adverse = 1 - rate if higher_is_better else rate
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = (adverse - adverse[ref]) / adverse[ref]
    meaningful = (p <= 0.05) & (np.abs(relative) >= 0.10)
    undefined = np.isnan(p) | np.isnan(relative) | (n == 0)
    is_reference = np.arange(len(n)) == ref

    hide_n, hide_outcome = protect_table(keys, n, ones, min_cell, prefer_hidden=prefer_hidden)
    notes = _combine_notes(combine, left_out, min_cell)
    notes += _protection_notes(hide_outcome, primary_suppression(n, ones, min_cell))
    if hide_outcome[ref]:
        notes.append("the reference group is suppressed, so no comparison can be shown")
    # Comparisons: not for the reference itself, not for hidden groups, and none at
    # all when the reference is hidden (a difference would reveal its rate).
    no_comparison = is_reference | hide_outcome | hide_outcome[ref]

    result = _result_frame(
        by, codes, orders, n=n, events=ones, rate=rate, low=low, high=high, share=share,
        hide_n=hide_n, hide_outcome=hide_outcome, no_comparison=no_comparison,
        is_reference=is_reference, diff=diff, ratio=ratio, p=p, relative=relative,
        meaningful=meaningful, undefined=undefined,
    )  # fmt: skip

    if corrected[~no_comparison].any():
        notes.append(
            "rate ratios where one group has no events use the Haldane-Anscombe 0.5 correction"
        )
    method = (
        f"{'Wilson score' if ci == 'wilson' else 'Clopper-Pearson exact'} {level:.0%} intervals; "
        "rate difference with Newcombe's hybrid score interval and the test that inverts it; "
        "rate ratio with the Katz log interval; AHRQ meaningful difference (p <= 0.05 and a "
        "relative difference of at least 10% on the adverse outcome); "
    ) + (
        f"counts of 1 to {min_cell - 1} suppressed, with complementary suppression"
        if min_cell
        else "small-cell suppression switched off (min_cell=0)"
    )
    result.attrs.update(
        outcome=outcome,
        by=list(by),
        method=method,
        ci=ci,
        level=level,
        min_cell=min_cell,
        higher_is_better=higher_is_better,
        reference=tuple(keys.iloc[ref]) if len(by) > 1 else keys.iloc[ref, 0],
        excluded_outcome=None if is_small([blank.sum()], min_cell)[0] else int(blank.sum()),
        completeness=_completeness(before_rows, by, min_cell),
        notes=notes,
        combine={column: dict(mapping) for column, mapping in combine.items()},
        left_out=left_out,
        prefer_hidden=list(prefer_hidden),
    )
    return result


# --- counts of events per person-time ----------------------------------------------------


def _numeric(column, name: str, whole: bool) -> np.ndarray:
    """A numeric column as float (NaN where missing); anything else is an error."""
    values = pd.to_numeric(pd.Series(column), errors="coerce").to_numpy(dtype=float)
    original = pd.Series(column)
    bad = (
        np.isnan(values)
        & original.notna().to_numpy()
        & (original.astype(str).str.strip().str.lower().map(lambda v: v not in _BLANK).to_numpy())
    )
    if bad.any():
        shown = ", ".join(repr(v) for v in pd.unique(original[bad])[:10])
        raise EquityLabError(f"column {name!r} must hold numbers; it also holds: {shown}")
    finite = values[~np.isnan(values)]
    if (finite < 0).any() or np.isinf(finite).any():
        raise EquityLabError(f"column {name!r} must hold finite numbers, zero or more")
    if whole and (np.floor(finite) != finite).any():
        raise EquityLabError(f"column {name!r} counts events: it must hold whole numbers")
    return values


def _pandas_sums(df, by, events, person_time, max_groups) -> _Counts:
    lookups, labels_per_column, categories = _pandas_lookups(df, by, max_groups)
    counted = _numeric(df[events], events, whole=True)
    time = _numeric(df[person_time], person_time, whole=False)
    valid = ~np.isnan(counted) & ~np.isnan(time)
    sizes = [size for _, _, size in lookups]
    key = np.zeros(len(df), dtype=np.int64)
    stride = 1
    for codes, lookup, size in lookups:
        key += lookup.astype(np.int64)[codes] * stride
        stride *= size
    flat, inverse = np.unique(key, return_inverse=True)
    groups = len(flat)
    rows = np.bincount(inverse, minlength=groups)
    people = np.bincount(inverse, weights=valid, minlength=groups)
    total_events = np.bincount(inverse, weights=np.where(valid, counted, 0), minlength=groups)
    total_time = np.bincount(inverse, weights=np.where(valid, time, 0), minlength=groups)
    index = np.unravel_index(flat, sizes[::-1])[::-1]
    table = _label_table(by, labels_per_column, index)
    table["rows"], table["n"] = rows, people.astype(np.int64)
    table["events"], table["person_time"] = total_events.round().astype(np.int64), total_time
    return _Counts(table, by, categories)


def _narwhals_sums(native, by, events, person_time, max_groups) -> _Counts:
    import narwhals as nw

    frame = nw.from_native(native)
    columns = frame.collect_schema().names()
    _check_columns(columns, by, events)
    _check_columns(columns, by, person_time)
    native, names = _dotless(native, columns, [*by, events, person_time])
    frame = nw.from_native(native)
    count, time = nw.col(names[events]), nw.col(names[person_time])
    valid = ~(count.is_null() | time.is_null())
    grouped = frame.group_by([names[c] for c in by], drop_null_keys=False).agg(
        nw.len().alias("__rows__"),
        nw.when(valid).then(1).otherwise(0).sum().alias("__n__"),  # Spark cannot sum booleans
        nw.when(valid).then(count).otherwise(0).sum().alias("__events__"),
        nw.when(valid).then(time).otherwise(0).sum().alias("__time__"),
        count.min().alias("__min_events__"),
        time.min().alias("__min_time__"),
    )
    if isinstance(grouped, nw.LazyFrame):
        grouped = grouped.collect()
    small = grouped.to_pandas().rename(columns={names[c]: c for c in by})
    if small.empty:
        raise EquityLabError("the table has no rows")
    if (small["__min_events__"].dropna() < 0).any() or (small["__min_time__"].dropna() < 0).any():
        raise EquityLabError(f"columns {events!r} and {person_time!r} must be zero or more")
    table = pd.DataFrame({name: [_label(v) for v in small[name]] for name in by})
    for name in by:
        if table[name].nunique() > max_groups + 1:
            raise _too_many_groups(name, table[name].nunique(), max_groups)
    table["rows"] = small["__rows__"].to_numpy(dtype=np.int64)
    table["n"] = small["__n__"].to_numpy(dtype=np.int64)
    table["events"] = small["__events__"].to_numpy(dtype=float).round().astype(np.int64)
    table["person_time"] = small["__time__"].to_numpy(dtype=float)
    table = table.groupby(by, sort=False).sum().reset_index()
    return _Counts(table, by, {})


def stratify_rates(
    df,
    by,
    events: str,
    person_time: str,
    *,
    per: float = 1000,
    ci: str = "auto",
    level: float = 0.95,
    min_cell: int = 11,
    reference=None,
    higher_is_better: bool = False,
    max_groups: int = 1000,
    combine: dict | None = None,
    prefer_hidden: Sequence[str] | None = None,
) -> pd.DataFrame:
    r"""Rates of events per person-time by group (e.g. emergency visits per 1,000 person-years).

    Each person contributes a count of ``events`` (0, 1, 2…) over ``person_time``
    (e.g. years of follow-up). Per group: ``rate = sum(events) / sum(person_time)
    × per``, with an interval for the count (:func:`equitylab.intervals.poisson_interval`:
    exact below 10 events and Byar's approximation from 10, by default) divided by
    the person-time. Compared with the reference group: the rate difference and the
    rate ratio with Wald intervals on the natural and log scales (Rothman, Greenland
    & Lash, *Modern Epidemiology*, ch. 14), the z-test on the log rate ratio
    (``p_value``, consistent with that interval), and AHRQ's meaningful-difference
    flag (p ≤ 0.05 and a relative difference of at least 10%).

    The same rules as :func:`stratify`: missing group values are the group
    "Missing"; rows whose events or person-time are blank are left out and counted
    (``attrs["excluded_outcome"]``); small-cell protection hides groups with 1–10
    people or 1–10 events, with complementary suppression (events may exceed the
    number of people here, so the protection treats them as a count, not a yes/no
    outcome). Columns: the ``by`` columns, ``n`` (people), ``events``,
    ``person_time``, ``rate``, ``ci_low``, ``ci_high``, ``share``, ``suppressed``,
    ``is_reference``, ``rate_difference`` and ``rate_ratio`` with their ``_ci_low`` /
    ``_ci_high``, ``p_value``, ``relative_difference``, ``meaningful``.
    """
    by, min_cell = _check_rate_options(
        by, events, person_time, per, ci, level, min_cell, higher_is_better, max_groups
    )
    if isinstance(df, pd.DataFrame):
        _check_columns(list(df.columns), by, events)
        _check_columns(list(df.columns), by, person_time)
        if len(df) == 0:
            raise EquityLabError("the table has no rows")
        counted = _pandas_sums(df, by, events, person_time, max_groups)
    else:
        try:
            import narwhals as nw

            nw.from_native(df)
        except (ImportError, TypeError) as error:
            raise EquityLabError(
                f"stratify_rates needs a table (pandas, polars or DuckDB), got {type(df).__name__}"
            ) from error
        counted = _narwhals_sums(df, by, events, person_time, max_groups)
    return _summarise_rates(
        counted,
        events,
        person_time,
        per=per,
        ci=ci,
        level=level,
        min_cell=min_cell,
        reference=reference,
        higher_is_better=higher_is_better,
        combine=combine,
        prefer_hidden=prefer_hidden,
    )


def _summarise_rates(
    counted, events, person_time, *, per, ci, level, min_cell, reference, higher_is_better,
    combine=None, prefer_hidden=None,
) -> pd.DataFrame:  # fmt: skip
    from .intervals import poisson_interval, rate_difference_wald, rate_ratio_wald

    combine = _check_combine(combine, counted.by)
    prefer_hidden = check_prefer_hidden(prefer_hidden)
    before_rows = counted.frame[counted.by].assign(rows=counted.frame["rows"])
    counted, left_out = _combine(counted, combine, min_cell)
    by = counted.by
    table = counted.frame
    sort, codes, orders, keys = _ordered(counted)
    rows = table["rows"].to_numpy(dtype=np.int64)[sort]
    n = table["n"].to_numpy(dtype=np.int64)[sort]
    x = table["events"].to_numpy(dtype=np.int64)[sort]
    t = table["person_time"].to_numpy(dtype=float)[sort]
    if n.sum() == 0 or t.sum() <= 0:
        raise EquityLabError(
            f"columns {events!r} and {person_time!r} have no usable values (all blank or zero)"
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(t > 0, x / t, np.nan)
    low, high = poisson_interval(x, method=ci, level=level)
    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = np.where(t > 0, low / t, np.nan), np.where(t > 0, high / t, np.nan)
    share = n / n.sum()

    ref = _resolve_reference(reference, keys, n)
    diff = rate_difference_wald(x, t, x[ref], t[ref], level)
    ratio = rate_ratio_wald(x, t, x[ref], t[ref], level)
    with np.errstate(invalid="ignore", divide="ignore"):
        log_se = np.sqrt(1 / x + 1 / x[ref])
        zstat = np.log(ratio.estimate) / log_se
    p = np.array([math.erfc(abs(v) / math.sqrt(2)) if np.isfinite(v) else np.nan for v in zstat])
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = (rate - rate[ref]) / rate[ref]
    meaningful = (p <= 0.05) & (np.abs(relative) >= 0.10)
    undefined = np.isnan(p) | np.isnan(relative)
    is_reference = np.arange(len(n)) == ref

    hide_n, hide_outcome = protect_table(
        keys, n, x, min_cell, bounded=False, prefer_hidden=prefer_hidden
    )
    notes = _combine_notes(combine, left_out, min_cell)
    notes += _protection_notes(hide_outcome, primary_suppression(n, x, min_cell, bounded=False))
    if hide_outcome[ref]:
        notes.append("the reference group is suppressed, so no comparison can be shown")
    no_comparison = is_reference | hide_outcome | hide_outcome[ref]

    result = _result_frame(
        by, codes, orders, n=n, events=x, rate=rate, low=low, high=high, share=share,
        hide_n=hide_n, hide_outcome=hide_outcome, no_comparison=no_comparison,
        is_reference=is_reference, diff=diff, ratio=ratio, p=p, relative=relative,
        meaningful=meaningful, undefined=undefined, per=per, person_time=t,
    )  # fmt: skip
    excluded = int((rows - n).sum())
    method = {
        "auto": "exact Poisson below 10 events, Byar's approximation from 10",
        "exact": "exact Poisson",
        "byar": "Byar's approximation",
    }[ci]
    result.attrs.update(
        outcome=events,
        person_time=person_time,
        per=per,
        by=list(by),
        method=(
            f"rates per {per:,g} {person_time}; {level:.0%} intervals: {method}; rate ratio "
            "and difference with Wald intervals (log and natural scale) and the z-test on the "
            "log ratio; AHRQ meaningful difference (p <= 0.05 and at least 10% relative); "
        )
        + (
            f"counts of 1 to {min_cell - 1} people or events suppressed, with complementary "
            "suppression"
            if min_cell
            else "small-cell suppression switched off (min_cell=0)"
        ),
        ci=ci,
        level=level,
        min_cell=min_cell,
        higher_is_better=higher_is_better,
        reference=tuple(keys.iloc[ref]) if len(by) > 1 else keys.iloc[ref, 0],
        excluded_outcome=None if is_small([excluded], min_cell)[0] else excluded,
        completeness=_completeness(before_rows, by, min_cell),
        notes=notes,
        combine={column: dict(mapping) for column, mapping in combine.items()},
        left_out=left_out,
        prefer_hidden=list(prefer_hidden),
    )
    return result
