"""The ``equitylab`` command-line tool.

    equitylab stratify FILE --by COL [--by COL2] --outcome COL [--format csv|markdown|html]
                            [--min-cell N] [--ci METHOD] [--level L] [--reference VALUE]
                            [--adverse] [--output FILE] [--progress | --no-progress]
                            [--recode-race COL [--ethnicity COL] [--recode-report FILE]
                             [--in-combination]]
    equitylab validate FILE [--schema NAME] [--min-cell N] [--format ...]
    equitylab datasets
    equitylab published [NAME]

FILE is a CSV file (UTF-8 with or without a byte order mark, or Windows-1252 /
Latin-1; CRLF or LF line ends) or a Parquet file. Large files are read in pieces
with a progress indicator on standard error. Small-cell protection is on unless
``--min-cell 0`` is given. A user error (a missing file or column, a bad value)
prints one line and exits with code 2, never a traceback.

``--recode-race COL`` recodes a race/ethnicity column to the 2024 SPD 15 groups
(:func:`~equitylab.race_ethnicity.recode_race_ethnicity`), each person counted once
("alone"), as the grouping column ``race_ethnicity_group`` (first; further ``--by``
columns make an intersection), and writes the recode report after the table (or to
``--recode-report FILE``). ``--in-combination`` writes instead one table per SPD 15
category (people in it alone or in combination, people not in it), each protected
on its own.

The CLI works without a display and without matplotlib or ipywidgets.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd

from ._version import __version__
from .data import DATASETS, SCHEMAS, validate
from .errors import EquityLabError
from .intervals import CI_METHODS
from .privacy import DEFAULT_MIN_CELL
from .published import published_source, published_table, published_tables
from .race_ethnicity import (
    SPD15_CATEGORIES,
    combine_reports,
    recode_race_ethnicity,
    stratify_in_combination,
)
from .stratify import stratify_chunks

#: Files at least this large are read in pieces, with a progress indicator.
PROGRESS_BYTES = 50 * 1024 * 1024
CHUNK_ROWS = 1_000_000
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


# --- reading files -------------------------------------------------------------------


class _Progress:
    """A one-line progress indicator on standard error (a no-op when switched off)."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self.label, self.total, self.enabled = label, max(total, 1), enabled
        self.last = -1

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        percent = min(100, int(100 * done / self.total))
        if percent != self.last:
            self.last = percent
            sys.stderr.write(
                f"\rreading {self.label}: {percent:3d}% "
                f"({done / 1e6:,.0f} of {self.total / 1e6:,.0f} MB)"
            )
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            self.update(self.total)
            sys.stderr.write("\n")


def _encoding(path: Path) -> str:
    """The first of ENCODINGS that decodes the start of the file."""
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    for encoding in ENCODINGS:
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"  # pragma: no cover - latin-1 decodes any bytes


def _is_parquet(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"PAR1"


def read_pieces(
    path: Path, columns: list[str] | None, progress: bool | None
) -> Iterator[pd.DataFrame]:
    """Yield a file as pandas pieces of text columns (blanks kept as "")."""
    if not path.is_file():
        raise EquityLabError(f"file not found: {path}")
    size = path.stat().st_size
    show = size >= PROGRESS_BYTES if progress is None else progress
    meter = _Progress(path.name, size, show)
    try:
        if _is_parquet(path):
            yield from _parquet_pieces(path, columns, meter)
        else:
            yield from _csv_pieces(path, columns, meter)
    finally:
        meter.close()


def _csv_pieces(path: Path, columns, meter: _Progress) -> Iterator[pd.DataFrame]:
    encoding = _encoding(path)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            header = pd.read_csv(text, nrows=0, dtype=str)
        except pd.errors.EmptyDataError:
            raise EquityLabError(f"{path.name} is empty") from None
        except (pd.errors.ParserError, UnicodeDecodeError) as error:
            raise _unreadable(path, error) from None
        names = [str(c) for c in header.columns]
        if columns is not None:
            _require(columns, names, path)
        text.detach()  # a discarded wrapper would otherwise close the file
        raw.seek(0)
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            reader = pd.read_csv(
                text, dtype=str, keep_default_na=False, usecols=columns, chunksize=CHUNK_ROWS
            )
            for piece in reader:
                meter.update(raw.tell())
                yield piece
        except (pd.errors.ParserError, UnicodeDecodeError) as error:
            raise _unreadable(path, error) from None


def _unreadable(path: Path, error: Exception) -> EquityLabError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return EquityLabError(f"could not read {path.name} as CSV: {first}")


def _parquet_pieces(path: Path, columns, meter: _Progress) -> Iterator[pd.DataFrame]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise EquityLabError(
            "reading Parquet needs pyarrow: pip install 'equitylab[parquet]'"
        ) from None
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    if columns is not None:
        _require(columns, names, path)
    done = 0
    for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=columns):
        done += batch.nbytes
        meter.update(min(done, meter.total))
        yield batch.to_pandas()


def _require(columns: list[str], names: Sequence[str], path: Path) -> None:
    missing = [c for c in columns if c not in names]
    if missing:
        raise EquityLabError(
            f"column(s) {', '.join(map(repr, missing))} not found in {path.name}; "
            f"its columns are: {', '.join(names)}"
        )


def read_table(path: Path, progress: bool | None = None) -> pd.DataFrame:
    pieces = list(read_pieces(path, None, progress))
    return pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()


# --- writing results -----------------------------------------------------------------


def _formatted(table: pd.DataFrame) -> pd.DataFrame:
    """Readable values for people: percentages, intervals, and "suppressed"."""
    by = table.attrs.get("by", [])
    out = table[by].astype(str)
    hidden = "suppressed"

    def count(values: pd.Series) -> pd.Series:
        return values.map(lambda v: hidden if pd.isna(v) else f"{int(v):,}")

    def percent(values: pd.Series, places: int = 1) -> pd.Series:
        return values.map(lambda v: "" if pd.isna(v) else f"{100 * v:.{places}f}%")

    out["n"] = count(table["n"])
    out["events"] = count(table["events"])
    out["rate"] = percent(table["rate"])
    out["95% CI" if table.attrs.get("level") == 0.95 else "CI"] = [
        hidden if gone else ("" if pd.isna(lo) else f"{100 * lo:.1f}–{100 * hi:.1f}%")
        for gone, lo, hi in zip(table["suppressed"], table["ci_low"], table["ci_high"], strict=True)
    ]
    out["share"] = percent(table["share"])
    out["difference"] = [
        "reference"
        if ref
        else ("" if pd.isna(d) else f"{100 * d:+.1f} pts ({100 * lo:+.1f} to {100 * hi:+.1f})")
        for ref, d, lo, hi in zip(
            table["is_reference"],
            table["rate_difference"],
            table["rate_difference_ci_low"],
            table["rate_difference_ci_high"],
            strict=True,
        )
    ]
    out["ratio"] = [
        "" if pd.isna(r) else f"{r:.2f} ({lo:.2f}–{hi:.2f})"
        for r, lo, hi in zip(
            table["rate_ratio"],
            table["rate_ratio_ci_low"],
            table["rate_ratio_ci_high"],
            strict=True,
        )
    ]
    out["meaningful"] = table["meaningful"].map(
        lambda v: "" if pd.isna(v) else ("yes" if v else "no")
    )
    return out


def _markdown(frame: pd.DataFrame) -> str:
    cells = [[str(c) for c in frame.columns]] + [
        ["" if pd.isna(v) else str(v).replace("|", "\\|") for v in row]
        for row in frame.itertuples(index=False)
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [
        "| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |"
        for row in cells
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines) + "\n"


def _notes(table: pd.DataFrame) -> list[str]:
    notes = [f"Methods: {table.attrs['method']}."]
    excluded = table.attrs.get("excluded_outcome")
    notes.append(
        "People with a blank outcome (left out): "
        + ("1 to 10 (suppressed)" if excluded is None else f"{int(excluded):,}")
        + "."
    )
    notes += [f"Note: {note}." for note in table.attrs.get("notes", [])]
    return notes


def _write(frame: pd.DataFrame, fmt: str, out, notes: list[str]) -> None:
    if fmt == "csv":
        frame.to_csv(out, index=False, lineterminator="\n")
        for note in notes:
            print(note, file=sys.stderr)
    elif fmt == "markdown":
        out.write(_markdown(frame))
        for note in notes:
            out.write(f"\n{note}\n")
    else:
        out.write(frame.to_html(index=False, na_rep="", border=0))
        out.write("\n" + "".join(f"<p>{note}</p>\n" for note in notes))


# --- commands ------------------------------------------------------------------------


def _cmd_stratify(args, out) -> int:
    if args.recode_race is not None:
        return _cmd_stratify_recoded(args, out)
    given = {
        "--ethnicity": args.ethnicity,
        "--recode-report": args.recode_report,
        "--in-combination": args.in_combination,
    }
    needs = [option for option, value in given.items() if value]
    if needs:
        raise EquityLabError(f"{', '.join(needs)} need(s) --recode-race COLUMN")
    if not args.by:
        raise EquityLabError("give a grouping column with --by COL (or --recode-race COL)")
    path = Path(args.file)
    table = stratify_chunks(
        read_pieces(path, [*args.by, args.outcome], args.progress),
        args.by,
        args.outcome,
        ci=args.ci,
        level=args.level,
        min_cell=args.min_cell,
        reference=None
        if args.reference is None
        else (args.reference[0] if len(args.reference) == 1 else tuple(args.reference)),
        higher_is_better=not args.adverse,
    )
    frame = table if args.format == "csv" else _formatted(table)
    _write(frame, args.format, out, _notes(table))
    return 0


# --- stratify with race and ethnicity recoded to SPD 15 ---------------------------------

#: The grouping column that --recode-race adds (the alone groups).
RECODED_COLUMN = "race_ethnicity_group"


def _recode_columns(args) -> tuple[list[str], list[str]]:
    """The grouping columns (the recoded one first) and the columns to read."""
    race, ethnicity = args.recode_race, args.ethnicity
    if ethnicity is not None and ethnicity == race:
        raise EquityLabError("--ethnicity must name a different column than --recode-race")
    replaced = {RECODED_COLUMN, race, ethnicity}
    others = [b for b in dict.fromkeys(args.by or []) if b not in replaced]
    if args.outcome in {race, ethnicity}:
        raise EquityLabError(f"{args.outcome!r} cannot be both the outcome and recoded")
    read = [race, *([ethnicity] if ethnicity else []), *others, args.outcome]
    return [RECODED_COLUMN, *others], list(dict.fromkeys(read))


def _cmd_stratify_recoded(args, out) -> int:
    path = Path(args.file)
    by, columns = _recode_columns(args)
    race, ethnicity = args.recode_race, args.ethnicity
    options = dict(
        ci=args.ci, level=args.level, min_cell=args.min_cell, higher_is_better=not args.adverse
    )
    if args.in_combination:
        if args.reference is not None:
            raise EquityLabError(
                "--reference does not apply to --in-combination: each table compares the "
                "people in a category with the people not in it"
            )
        whole = _compact(read_pieces(path, columns, args.progress))
        coded = recode_race_ethnicity(
            whole[race], whole[ethnicity] if ethnicity else None, min_cell=args.min_cell
        )
        tables = stratify_in_combination(whole, coded, args.outcome, by=by[1:], **options)
        _write_in_combination(tables, args.format, out)
        report = coded.report
    else:
        reports = []

        def recoded_pieces():
            # Each distinct value is mapped the same way in every piece, so recoding
            # piece by piece gives the whole file's groups; the reports are added up.
            for piece in read_pieces(path, columns, args.progress):
                coded = recode_race_ethnicity(
                    piece[race], piece[ethnicity] if ethnicity else None, min_cell=0
                )
                reports.append(coded.report)
                yield piece.assign(**{RECODED_COLUMN: coded.alone()})

        reference = args.reference
        table = stratify_chunks(
            recoded_pieces(),
            by,
            args.outcome,
            reference=None
            if reference is None
            else (reference[0] if len(reference) == 1 else tuple(reference)),
            **options,
        )
        frame = table if args.format == "csv" else _formatted(table)
        _write(frame, args.format, out, _notes(table))
        report = combine_reports(reports, min_cell=args.min_cell)
    _write_report(report, args, out)
    return 0


def _compact(pieces) -> pd.DataFrame:
    """The pieces of a file as one table of categorical columns (one or two bytes a
    value), for the outputs that need every row at once."""

    def compact(column: pd.Series) -> pd.Categorical:
        # categories of plain Python values, so that pieces whose types differ (a
        # Parquet column of whole numbers that is all missing in one piece) still join
        values = column.astype(object)
        return pd.Categorical(values, categories=pd.Index(values.dropna().unique(), dtype=object))

    frames = [
        {name: compact(piece[name]) for name in piece.columns} for piece in pieces if len(piece)
    ]
    if not frames:
        raise EquityLabError("the table has no rows")
    return pd.DataFrame(
        {name: pd.api.types.union_categoricals([f[name] for f in frames]) for name in frames[0]}
    )


def _write_in_combination(tables: dict[str, pd.DataFrame], fmt: str, out) -> None:
    if fmt == "csv":
        frames = [table.assign(category=category) for category, table in tables.items()]
        stacked = pd.concat(frames, ignore_index=True)
        stacked = stacked[["category", *[c for c in stacked.columns if c != "category"]]]
        stacked.to_csv(out, index=False, lineterminator="\n")
        for category, table in tables.items():
            for note in _notes(table):
                print(f"{category}: {note}", file=sys.stderr)
        return
    for position, (category, table) in enumerate(tables.items()):
        title = f"{category}, alone or in combination"
        if fmt == "markdown":
            out.write(("\n" if position else "") + f"## {title}\n\n")
        else:
            out.write(f"<h2>{title}</h2>\n")
        _write(_formatted(table), fmt, out, _notes(table))


def _write_report(report: pd.DataFrame, args, out) -> None:
    """The recode report: each distinct value, what it became, and how many rows."""
    shown = report.copy()
    for column in ("value", "hispanic_value"):
        if column in shown.columns:
            shown[column] = shown[column].map(lambda v: "(blank)" if _clean_text(v) == "" else v)
    shown["rows"] = shown["rows"].map(lambda v: "1 to 10" if pd.isna(v) else f"{int(v):,}")
    columns = repr(args.recode_race) + (f" and {args.ethnicity!r}" if args.ethnicity else "")
    title = (
        f"Recode report: each distinct value of {columns}, what it became in the SPD 15 "
        f"groups, and how many rows had it"
        + (f" (counts of 1 to {args.min_cell - 1} hidden)" if args.min_cell else "")
        + "."
    )
    if args.recode_report:
        suffix = Path(args.recode_report).suffix.lower()
        fmt = {".csv": "csv", ".md": "markdown", ".html": "html", ".htm": "html"}.get(
            suffix, args.format
        )
        with open(args.recode_report, "w", encoding="utf-8", newline="") as target:
            _write_titled(shown, fmt, target, title, to_stderr=False)
    else:
        _write_titled(shown, args.format, out, title, to_stderr=args.format == "csv")


def _write_titled(frame: pd.DataFrame, fmt: str, out, title: str, *, to_stderr: bool) -> None:
    if to_stderr:  # CSV on standard output holds the table; the report goes beside the notes
        print(title, file=sys.stderr)
        frame.to_csv(sys.stderr, index=False, lineterminator="\n")
    elif fmt == "csv":
        frame.to_csv(out, index=False, lineterminator="\n")
    elif fmt == "markdown":
        out.write(f"\n{title}\n\n" + _markdown(frame))
    else:
        out.write(f"<p>{title}</p>\n" + frame.to_html(index=False, na_rep="", border=0) + "\n")


def _clean_text(value: object) -> str:
    return (
        "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
    )


def _cmd_validate(args, out) -> int:
    frame = read_table(Path(args.file), args.progress)
    report = validate(frame, args.schema, min_cell=args.min_cell)
    if report.empty:
        print(
            f"{Path(args.file).name}: no problems found "
            f"({len(frame.columns)} columns, {len(frame):,} rows).",
            file=out,
        )
        return 0
    report["rows"] = report["rows"].map(lambda v: "1 to 10" if pd.isna(v) else f"{int(v):,}")
    _write(report, args.format, out, [f"{len(report)} problem(s) found."])
    return 1


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="equitylab",
        description="Health Equity Leadership Lab: measure health disparities honestly.",
    )
    parser.add_argument("--version", action="version", version=f"equitylab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(sub) -> None:
        sub.add_argument("file", metavar="FILE", help="a CSV or Parquet file")
        sub.add_argument(
            "--format",
            choices=["csv", "markdown", "html"],
            default="markdown",
            help="output format (default: markdown)",
        )
        sub.add_argument(
            "--min-cell",
            type=int,
            default=DEFAULT_MIN_CELL,
            metavar="N",
            help="smallest non-zero count shown (default 11; 0 switches suppression off)",
        )
        sub.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
        progress = sub.add_mutually_exclusive_group()
        progress.add_argument(
            "--progress",
            dest="progress",
            action="store_true",
            default=None,
            help="always show reading progress",
        )
        progress.add_argument(
            "--no-progress",
            dest="progress",
            action="store_false",
            help="never show reading progress",
        )

    strat = commands.add_parser(
        "stratify",
        help="rates of a yes/no outcome by group, with intervals and comparisons",
        description="Rates of a yes/no outcome by group: confidence intervals, comparison "
        "with a reference group, AHRQ meaningful-difference flag, small-cell protection.",
    )
    common(strat)
    strat.add_argument(
        "--by",
        action="append",
        metavar="COL",
        help="grouping column; repeat for an intersection (optional with --recode-race)",
    )
    strat.add_argument(
        "--outcome",
        required=True,
        metavar="COL",
        help="a column of 0/1, true/false or yes/no values",
    )
    strat.add_argument("--ci", choices=CI_METHODS, default="wilson")
    strat.add_argument("--level", type=float, default=0.95, help="confidence level (0.95)")
    strat.add_argument(
        "--reference",
        nargs="+",
        metavar="VALUE",
        help="reference group (one value per --by column)",
    )
    strat.add_argument(
        "--adverse",
        action="store_true",
        help="the outcome is adverse (e.g. readmission): lower is better",
    )
    recode = strat.add_argument_group(
        "race and ethnicity (2024 SPD 15)",
        "Recode a race/ethnicity column to the SPD 15 groups before stratifying: codes such "
        "as 'B', 'Caucasian', detailed groups such as 'Filipino' or 'Mexican', refusals "
        "('Patient refused') as Declined, 'Other' as 'Another race or ethnicity (not "
        f"specified)'. The groups count each person once (alone) in the column "
        f"{RECODED_COLUMN!r}, placed first (other --by columns make an intersection), and "
        "the recode report (each distinct value, what it became, and how many rows) "
        "follows the table (on standard error with --format csv).",
    )
    recode.add_argument("--recode-race", metavar="COL", help="the race/ethnicity column to recode")
    recode.add_argument(
        "--ethnicity",
        metavar="COL",
        help="a separate Hispanic-ethnicity column (older two-question format; Yes/No)",
    )
    recode.add_argument(
        "--recode-report",
        metavar="FILE",
        help="write the recode report to FILE instead (CSV, markdown or HTML by the "
        "file's extension .csv, .md or .html; otherwise as --format)",
    )
    recode.add_argument(
        "--in-combination",
        action="store_true",
        help="instead of the alone table, one table per SPD 15 category ("
        + ", ".join(SPD15_CATEGORIES[:2])
        + "...): people in it alone or in combination, people not in it, and Unknown or "
        "Declined. Each is protected on its own and has no total row; the tables overlap, "
        "so do not add them up (reads the columns into memory, in compact form)",
    )
    strat.set_defaults(run=_cmd_stratify)

    check = commands.add_parser(
        "validate",
        help="report problems in a data file, column by column",
        description="Report problems column by column (exit code 1 when any is found).",
    )
    common(check)
    check.add_argument(
        "--schema", choices=sorted(SCHEMAS), help="also check against a known schema"
    )
    check.set_defaults(run=_cmd_validate)

    listing = commands.add_parser("datasets", help="list the fictional Riverbend Health datasets")
    listing.set_defaults(run=lambda args, out: _cmd_datasets(out))

    published = commands.add_parser(
        "published",
        help="list the published tables, or print one as CSV with its source",
        description="Without NAME, list the published tables. With NAME, print that table "
        "as CSV on standard output and its source on standard error.",
    )
    published.add_argument("name", nargs="?", help="a table name from the list")
    published.set_defaults(run=_cmd_published)
    return parser


def _cmd_datasets(out) -> int:
    for name, description in DATASETS.items():
        print(f"{name}: {description}", file=out)
    return 0


def _cmd_published(args, out) -> int:
    if args.name is None:
        for name in published_tables():
            print(name, file=out)
        return 0
    table = published_table(args.name)
    source = published_source(args.name)
    table.to_csv(out, index=False, lineterminator="\n")
    print(f"Source: {source.title} {source.url}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if getattr(args, "output", None):
            with open(args.output, "w", encoding="utf-8", newline="") as out:
                return args.run(args, out)
        return args.run(args, sys.stdout)
    except EquityLabError as error:
        print(f"equitylab: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(
            f"equitylab: error: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
