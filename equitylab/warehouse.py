"""Stratify where the data live: the SQL a warehouse runs, and the Python that finishes.

Patient-level data often sit in a warehouse (Snowflake, BigQuery, SQL Server, a
Databricks lakehouse) that analysts are not allowed to export from. The counts
:func:`~equitylab.stratify.stratify` needs are a small aggregate — one row per group — so
the warehouse can compute them and only that aggregate leaves:

1. :func:`stratify_sql` writes the aggregate query (standard SQL, applying the same
   rules as :func:`~equitylab.stratify.stratify`: blank or missing group values are "Missing",
   surrounding spaces are ignored, the outcome may be 1/0, true/false or yes/no in
   any case, blank outcomes are counted but left out).
2. Run it in the warehouse; bring back its result (a few dozen rows).
3. :func:`stratify_counts` turns that aggregate into exactly the table
   :func:`~equitylab.stratify.stratify` returns — intervals, comparisons and small-cell protection.

Rates per person-time follow the same three steps with :func:`stratify_rates_sql` and
:func:`stratify_rates_counts`, which give the table of
:func:`~equitylab.stratify.stratify_rates`.

The SQL comes in two dialects. ``"ansi"`` quotes names with double quotes and casts to
``VARCHAR``: DuckDB runs it in this package's tests, and PostgreSQL and Snowflake
follow the same standard. ``"spark"`` quotes with backticks and casts to ``STRING``:
Spark SQL runs it in ``make test-spark`` (Databricks SQL is Spark SQL). Other
warehouses were not tested: BigQuery also quotes with backticks and casts to
``STRING``, so start from ``"spark"``; in SQL Server a ``CAST`` to ``VARCHAR``
without a length truncates text to 30 characters, so write ``NVARCHAR(4000)``.

Small-cell protection is applied in step 3, so the aggregate of step 2 still holds
small counts: treat it as sensitive (keep it inside the environment that ran the
query) and share only the output of step 3.

With PySpark or DuckDB you do not need the SQL: pass the DataFrame or relation to
:func:`~equitylab.stratify.stratify` directly and it sends one group-by to the engine.
"""

from __future__ import annotations

import re
import textwrap

import numpy as np
import pandas as pd

from .errors import EquityLabError, require_columns
from .stratify import (
    _BLANK,
    _FALSE,
    _TRUE,
    _check_options,
    _check_rate_options,
    _Counts,
    _label,
    _summarise,
    _summarise_rates,
)

__all__ = ["stratify_counts", "stratify_rates_counts", "stratify_rates_sql", "stratify_sql"]

DIALECTS = ("ansi", "spark")

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_ .$-]*$")


def _quoter(dialect: str):
    if dialect not in DIALECTS:
        raise EquityLabError(f"unknown dialect {dialect!r}; choose one of: {', '.join(DIALECTS)}")
    mark = '"' if dialect == "ansi" else "`"

    def quote(name: str) -> str:
        if not isinstance(name, str) or not name or mark in name:
            raise EquityLabError(f"not a usable column or table name: {name!r}")
        return mark + name + mark

    return quote, ("VARCHAR" if dialect == "ansi" else "STRING")


def _source(table: str, quote) -> str:
    if not isinstance(table, str) or not _IDENTIFIER.match(table):
        raise EquityLabError(f"not a usable table name: {table!r}")
    return ".".join(quote(part) for part in table.split("."))


def _values(values: set[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


def _cleaned(by: list[str], quote, text: str, source: str, extra: list[str]) -> list[str]:
    """A ``WITH cleaned AS (...)`` block: group values read as stratify reads them."""
    taken = [c for c in by if c in _WORK_COLUMNS]
    if taken:
        raise EquityLabError(
            f"grouping column(s) {', '.join(map(repr, taken))} have a name the query uses "
            "for itself; rename them first"
        )
    columns = [
        f"COALESCE(NULLIF(TRIM(CAST({quote(c)} AS {text})), ''),\n"
        f"                 'Missing') AS {quote(c)}"
        for c in by
    ]
    selected = ",\n".join("        " + c for c in [*columns, *extra])
    return ["WITH cleaned AS (", "    SELECT", selected, f"    FROM {source}", ")"]


def _count_when(test: str, values: set[str], name: str) -> list[str]:
    """``COUNT(CASE WHEN <test> (<values>) THEN 1 END) AS <name>``, wrapped to 76 columns.

    COUNT of a CASE without ELSE counts the rows that pass, as a whole number in every
    dialect (a SUM of ones can come back as a 128-bit integer or a float).
    """
    listed = textwrap.wrap(
        "(" + _values(values) + ")", 76, initial_indent=" " * 19, subsequent_indent=" " * 20
    )
    return [f"    COUNT(CASE WHEN {test}", *listed, f"               THEN 1 END) AS {name}"]


def _tail(by: list[str], quote) -> list[str]:
    names = ", ".join(quote(c) for c in by)
    return ["FROM cleaned", f"GROUP BY {names}"]


_WORK_COLUMNS = {"outcome_value", "events_value", "time_value", "recorded"}


def stratify_sql(table: str, by, outcome: str, *, dialect: str = "ansi") -> str:
    """The aggregate query a warehouse runs for :func:`stratify_counts`.

    ``table`` is the table (or view, or ``schema.table``) name; ``by`` a column or
    list of columns; ``outcome`` the yes/no column; ``dialect`` ``"ansi"`` or
    ``"spark"`` (see the module description). The query returns one row per group
    with the columns of ``by`` and ``ones``, ``zeros``, ``blank`` and ``unusable``
    (rows whose outcome is not a yes/no value: must be 0).
    """
    by, _ = _check_options(by, outcome, "wilson", 0.95, 0, True, 1000)
    quote, text = _quoter(dialect)
    source = _source(table, quote)
    value = f"LOWER(TRIM(CAST({quote(outcome)} AS {text}))) AS outcome_value"
    lines = [
        *_cleaned(by, quote, text, source, [value]),
        "SELECT",
        *[f"    {quote(c)}," for c in by],
        *_count_when("outcome_value IN", _TRUE, "ones,"),
        *_count_when("outcome_value IN", _FALSE, "zeros,"),
        *_count_when("outcome_value IS NULL OR outcome_value IN", _BLANK, "blank,"),
        *_count_when("outcome_value NOT IN", _TRUE | _FALSE | _BLANK, "unusable"),
        *_tail(by, quote),
    ]
    return "\n".join(lines) + "\n"


def stratify_rates_sql(
    table: str, by, events: str, person_time: str, *, dialect: str = "ansi"
) -> str:
    """The aggregate query a warehouse runs for :func:`stratify_rates_counts`.

    ``events`` (a count per person, 0 or more) and ``person_time`` are numeric
    columns. The query returns one row per group with the columns of ``by`` and
    ``total_rows``, ``n`` (rows with both values recorded), ``events`` and
    ``person_time`` (their sums over those rows) and ``negative`` (rows with a
    negative value: must be 0). Group values are read as in :func:`stratify_sql`.
    """
    by, _ = _check_rate_options(by, events, person_time, 1000, "auto", 0.95, 0, False, 1000)
    quote, text = _quoter(dialect)
    source = _source(table, quote)
    e, t = quote(events), quote(person_time)
    extra = [
        f"{e} AS events_value",
        f"{t} AS time_value",
        f"CASE WHEN {e} IS NOT NULL AND {t} IS NOT NULL\n            THEN 1 ELSE 0 END AS recorded",
    ]
    lines = [
        *_cleaned(by, quote, text, source, extra),
        "SELECT",
        *[f"    {quote(c)}," for c in by],
        "    COUNT(*) AS total_rows,",
        "    COUNT(CASE WHEN recorded = 1 THEN 1 END) AS n,",
        "    SUM(CASE WHEN recorded = 1 THEN events_value ELSE 0 END) AS events,",
        "    SUM(CASE WHEN recorded = 1 THEN time_value ELSE 0 END) AS person_time,",
        "    COUNT(CASE WHEN events_value < 0 OR time_value < 0",
        "               THEN 1 END) AS negative",
        *_tail(by, quote),
    ]
    return "\n".join(lines) + "\n"


def stratify_counts(
    counts: pd.DataFrame,
    by,
    outcome: str = "outcome",
    *,
    ci: str = "wilson",
    level: float = 0.95,
    min_cell: int = 11,
    reference=None,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """The :func:`~equitylab.stratify.stratify` table from an aggregate of counts.

    The aggregate typically comes from running :func:`stratify_sql` in a warehouse.

    ``counts`` has one row per group: the ``by`` columns and ``ones`` (people with
    the outcome), ``zeros`` (without it) and optionally ``blank`` (outcome not
    recorded) and ``unusable`` (must be 0). ``outcome`` only names the outcome in
    the result's metadata.
    """
    by, min_cell = _check_options(by, outcome, ci, level, min_cell, higher_is_better, 1000)
    if not isinstance(counts, pd.DataFrame):
        raise EquityLabError(f"counts must be a pandas DataFrame, got {type(counts).__name__}")
    require_columns(counts.columns, [*by, "ones", "zeros"], place=" in the counts")
    if "unusable" in counts.columns and pd.to_numeric(counts["unusable"]).sum() > 0:
        bad = int(pd.to_numeric(counts["unusable"]).sum())
        raise EquityLabError(
            f"{bad:,} rows have outcome values that are not yes/no; find them with "
            f"SELECT DISTINCT on the outcome column, recode them, and run the query again"
        )
    frame = pd.DataFrame({name: [_label(v) for v in counts[name]] for name in by})
    for column in ("zeros", "ones", "blank"):
        values = counts[column] if column in counts.columns else np.zeros(len(counts))
        numbers = pd.to_numeric(pd.Series(values), errors="coerce")
        if numbers.isna().any() or (numbers < 0).any() or (numbers % 1 != 0).any():
            raise EquityLabError(f"column {column!r} must hold whole counts, zero or more")
        frame[column] = numbers.to_numpy(dtype=np.int64)
    if len(frame) == 0:
        raise EquityLabError("the counts table has no rows")
    frame = frame.groupby(by, sort=False).sum().reset_index()
    return _summarise(
        _Counts(frame, by, {}),
        outcome,
        ci=ci,
        level=level,
        min_cell=min_cell,
        reference=reference,
        higher_is_better=higher_is_better,
    )


def stratify_rates_counts(
    sums: pd.DataFrame,
    by,
    events: str = "events",
    person_time: str = "person_time",
    *,
    per: float = 1000,
    ci: str = "auto",
    level: float = 0.95,
    min_cell: int = 11,
    reference=None,
    higher_is_better: bool = False,
) -> pd.DataFrame:
    """The :func:`~equitylab.stratify.stratify_rates` table from an aggregate of sums.

    ``sums`` has one row per group, as :func:`stratify_rates_sql` returns it: the
    ``by`` columns, ``n``, ``events`` and ``person_time``, and optionally
    ``total_rows`` (all rows of the group, to count those left out) and ``negative``
    (must be 0). ``events`` and ``person_time`` only name the columns of the patient
    table in the result's metadata; the other options are those of
    :func:`~equitylab.stratify.stratify_rates`.
    """
    by, min_cell = _check_rate_options(
        by, events, person_time, per, ci, level, min_cell, higher_is_better, 1000
    )
    if not isinstance(sums, pd.DataFrame):
        raise EquityLabError(f"sums must be a pandas DataFrame, got {type(sums).__name__}")
    require_columns(sums.columns, [*by, "n", "events", "person_time"], place=" in the sums")
    if len(sums) == 0:
        raise EquityLabError("the sums table has no rows")
    if "negative" in sums.columns and pd.to_numeric(sums["negative"]).sum() > 0:
        bad = int(pd.to_numeric(sums["negative"]).sum())
        raise EquityLabError(
            f"{bad:,} rows have a negative {events!r} or {person_time!r}; find them with a "
            "WHERE ... < 0 query, correct them, and run the query again"
        )
    frame = pd.DataFrame({name: [_label(v) for v in sums[name]] for name in by})
    for column, whole in (("n", True), ("events", True), ("person_time", False)):
        numbers = pd.to_numeric(pd.Series(sums[column]), errors="coerce")
        if numbers.isna().any() or (numbers < 0).any() or (whole and (numbers % 1 != 0).any()):
            kind = "whole counts" if whole else "numbers"
            raise EquityLabError(f"column {column!r} must hold {kind}, zero or more")
        frame[column] = numbers.to_numpy(dtype=np.int64 if whole else float)
    total = sums["total_rows"] if "total_rows" in sums.columns else sums["n"]
    frame["rows"] = pd.to_numeric(pd.Series(total)).to_numpy(dtype=np.int64)
    frame = frame.groupby(by, sort=False).sum().reset_index()
    return _summarise_rates(
        _Counts(frame, by, {}),
        events,
        person_time,
        per=per,
        ci=ci,
        level=level,
        min_cell=min_cell,
        reference=reference,
        higher_is_better=higher_is_better,
    )
