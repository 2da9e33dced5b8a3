"""The ``equitylab`` command-line tool.

    equitylab stratify FILE --by COL [--by COL2] --outcome COL [--format csv|markdown|html]
                            [--min-cell N] [--ci METHOD] [--level L] [--reference VALUE]
                            [--adverse] [--output FILE] [--progress | --no-progress]
                            [--sheet NAME] [--delimiter CHAR]
                            [--combine COL=LABEL[:NEW]] [--prefer-hidden LABEL]
                            [--recode-race COL [--ethnicity COL] [--recode-report FILE]
                             [--in-combination]]
    equitylab validate FILE [--schema NAME] [--min-cell N] [--format ...] [--sheet NAME] ...
    equitylab datasets
    equitylab published [NAME]

FILE is one of (recognised from its first bytes, not from its name):

- a text file of columns — CSV, or Excel's "Unicode text". Encoding: the one its byte
  order mark names (UTF-8, UTF-16 or UTF-32), else UTF-8, Windows-1252 or Latin-1;
  CRLF or LF line ends. Delimiter: comma, semicolon (European locales), tab or pipe,
  detected from the header line (the rule is in ``_delimiter``) or given with
  ``--delimiter``;
- an Excel workbook (.xlsx, .xlsm; needs ``pip install 'equitylab[xlsx]'``): the first
  visible sheet, or ``--sheet NAME``. Old .xls, .xlsb and .ods files are refused with
  what to do instead;
- a Parquet file (needs pyarrow).

Every kind gives the same text columns (an empty cell is a blank), the same column
checks (two columns with the same name are an error) and the same protection. Large
files are read in pieces with a progress indicator on standard error. Small-cell
protection is on unless ``--min-cell 0`` is given. A user error (a missing file or
column, a bad value) prints one line and exits with code 2, never a traceback.

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
import codecs
import csv
import datetime
import io
import sys
import warnings
import zipfile
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
#: Rows of a workbook per piece (its cells are Python objects, larger than pandas' text).
XLSX_CHUNK_ROWS = 100_000
#: Tried in this order on the start of a text file that has no byte order mark.
ENCODINGS = ("utf-8", "cp1252", "latin-1")
#: Byte order marks and the encodings they announce (UTF-32 first: its little-endian
#: mark starts with UTF-16's). Python's "utf-16"/"utf-32"/"utf-8-sig" drop the mark.
BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
#: The delimiters detected in a text file's header line, and how to name them.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: Data lines after the header that the delimiter detection looks at (see _delimiter).
SAMPLE_LINES = 20
HEAD_BYTES = 1 << 20
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 workbooks (and encrypted ones)


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


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(HEAD_BYTES)


def _encoding(path: Path, head: bytes | None = None) -> str:
    """The text encoding of a file: the one its byte order mark names, else the first of
    ENCODINGS that decodes its first megabyte (a character cut at the end is fine)."""
    head = _head(path) if head is None else head
    for mark, encoding in BOMS:
        if head.startswith(mark):
            return encoding
    if b"\x00" in head:
        raise EquityLabError(
            f"{path.name} is not a text (CSV) file: it holds NUL bytes (a binary file, or "
            "UTF-16/UTF-32 text without a byte order mark); save it as 'CSV UTF-8' or .xlsx"
        )
    for encoding in ENCODINGS:
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"  # pragma: no cover - latin-1 decodes any bytes


def _file_kind(path: Path) -> str:
    """The kind of file, "parquet", "xlsx" or "text", from its first bytes (not its name);
    an error for the spreadsheet files the CLI cannot read, with what to do instead."""
    head = _head(path)
    if not head:
        raise EquityLabError(f"{path.name} is empty")
    if head.startswith(b"PAR1"):
        return "parquet"
    save_as = "open it in Excel (or LibreOffice) and save it as .xlsx or 'CSV UTF-8'"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                mimetype = archive.read("mimetype") if "mimetype" in names else b""
        except (zipfile.BadZipFile, OSError) as error:
            raise EquityLabError(f"{path.name} is a damaged ZIP or Excel file: {error}") from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "xl/workbook.bin" in names:
            raise EquityLabError(f"{path.name} is an Excel binary workbook (.xlsb): {save_as}")
        if b"opendocument.spreadsheet" in mimetype:
            raise EquityLabError(f"{path.name} is an OpenDocument spreadsheet (.ods): {save_as}")
        raise EquityLabError(f"{path.name} is a ZIP archive, not a data file: unzip it first")
    if head.startswith(b"\x1f\x8b"):
        raise EquityLabError(f"{path.name} is compressed (gzip): decompress it first")
    if head.startswith(_OLE2):
        raise EquityLabError(
            f"{path.name} is an Excel 97-2003 workbook (.xls) or a password-protected "
            f"workbook, which equitylab cannot read: {save_as}"
        )
    if path.suffix.lower() in EXCEL_SUFFIXES:
        if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
            what = "a web page (HTML or XML) saved under an Excel name"
        else:
            what = "a text (CSV) file saved under an Excel name"
        raise EquityLabError(
            f"{path.name} is not an Excel workbook but {what}: {save_as}"
            + ("" if what.startswith("a web") else ", or rename it to .csv")
        )
    return "text"


def read_pieces(
    path: Path,
    columns: list[str] | None,
    progress: bool | None,
    *,
    sheet: str | None = None,
    delimiter: str | None = None,
) -> Iterator[pd.DataFrame]:
    """Yield a file as pandas pieces of text columns (blanks kept as "").

    The kind of file is read from its first bytes: Parquet, an Excel workbook (.xlsx or
    .xlsm; ``sheet`` names the sheet, default the first visible one) or a text (CSV)
    file (``delimiter`` is detected when not given). ``columns`` (when given) must all
    be there; two columns with the same name are refused in every kind of file.
    """
    if not path.is_file():
        raise EquityLabError(f"file not found: {path}")
    kind = _file_kind(path)
    names = {"parquet": "a Parquet file", "xlsx": "an Excel workbook", "text": "a CSV file"}
    if sheet is not None and kind != "xlsx":
        raise EquityLabError(f"--sheet is for Excel workbooks; {path.name} is {names[kind]}")
    if delimiter is not None and kind != "text":
        raise EquityLabError(f"--delimiter is for text (CSV) files; {path.name} is {names[kind]}")
    size = path.stat().st_size
    show = size >= PROGRESS_BYTES if progress is None else progress
    meter = _Progress(path.name, size, show)
    try:
        if kind == "parquet":
            yield from _parquet_pieces(path, columns, meter)
        elif kind == "xlsx":
            yield from _xlsx_pieces(path, columns, meter, sheet)
        else:
            yield from _csv_pieces(path, columns, meter, delimiter)
    finally:
        meter.close()


# --- text (CSV) files ------------------------------------------------------------------


def _outside_quotes(record: str, delimiter: str) -> int:
    """How often ``delimiter`` occurs in a CSV record outside double-quoted fields."""
    return sum(part.count(delimiter) for part in record.split('"')[::2])


def _first_records(head: bytes, encoding: str) -> list[str]:
    """The header record and up to SAMPLE_LINES data records (blank lines skipped) from
    the start of a text file; a quoted field may span lines."""
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=False)
    records: list[str] = []
    lines = io.StringIO(text, newline="")
    pending = ""
    for line in lines:
        pending += line
        if pending.count('"') % 2:
            continue  # inside a quoted field
        record, pending = pending.rstrip("\r\n"), ""
        if not record or (records and not record.strip()):
            continue  # pandas skips empty lines; a blank data line says nothing
        records.append(record)
        if len(records) > SAMPLE_LINES:
            break
    if pending.strip() and not records:
        records.append(pending.rstrip("\r\n"))
    return records


def _delimiter_option(value: str) -> str:
    named = {"tab": "\t", "\\t": "\t", **{name: char for char, name in DELIMITERS.items()}}
    delimiter = named.get(value.lower(), value)
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise EquityLabError(
            f"--delimiter must be one character (',', ';', '|' or tab), got {value!r}"
        )
    return delimiter


def _shown(delimiter: str) -> str:
    """How to pass a delimiter on the command line."""
    return "tab" if delimiter == "\t" else repr(delimiter)


def _delimiter(path: Path, records: list[str], given: str | None) -> str:
    """The delimiter of a text file (see the rule below), or the one the user gave.

    The rule: count each of , ; tab | in the header line, outside double quotes. None
    of them: a one-column file (comma). Exactly one of them: that one. Several: the one
    that splits every sampled data line (up to SAMPLE_LINES) into as many fields as the
    header; if that is not exactly one of them, an error asks for ``--delimiter``.
    """
    header, data = records[0], records[1:]
    counts = {d: _outside_quotes(header, d) for d in DELIMITERS}
    present = [d for d in DELIMITERS if counts[d]]
    if given is not None:
        delimiter = _delimiter_option(given)
        others = [d for d in present if d != delimiter]
        if _outside_quotes(header, delimiter) == 0 and others:
            seems = max(others, key=counts.__getitem__)
            raise EquityLabError(
                f"with --delimiter {_shown(delimiter)} the header of {path.name} is one "
                f"column, {header[:60]!r}; the file seems to use {DELIMITERS[seems]}s: "
                f"pass --delimiter {_shown(seems)} (or leave --delimiter out to detect it)"
            )
        return delimiter
    if not present:
        return ","
    if len(present) == 1:
        return present[0]
    consistent = [d for d in present if all(_outside_quotes(r, d) == counts[d] for r in data)]
    if len(consistent) == 1:
        return consistent[0]
    found = " and ".join(
        f"{counts[d]} {DELIMITERS[d]}{'s' if counts[d] > 1 else ''} ({_shown(d)})" for d in present
    )
    options = " or ".join(f"--delimiter {_shown(d)}" for d in consistent or present)
    raise EquityLabError(
        f"cannot tell which delimiter {path.name} uses: its header line has {found} outside "
        f"quotes, and the lines after it do not settle it; pass {options}"
    )


def _header_names(record: str, delimiter: str) -> list[str]:
    """The column names as pandas will see them (a blank name becomes "Unnamed: i")."""
    fields = next(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter), [])
    return [name if name else f"Unnamed: {i}" for i, name in enumerate(fields)]


def _csv_pieces(path: Path, columns, meter: _Progress, delimiter: str | None):
    head = _head(path)
    encoding = _encoding(path, head)
    records = _first_records(head, encoding)
    if not records:
        raise EquityLabError(f"{path.name} is empty")
    sep = _delimiter(path, records, delimiter)
    names = _header_names(records[0], sep)
    _refuse_duplicates(names, path, [str(i + 1) for i in range(len(names))])
    if columns is not None:
        _require(columns, names, path)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        try:
            reader = pd.read_csv(
                text,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                usecols=columns,
                chunksize=CHUNK_ROWS,
            )
            for piece in reader:
                meter.update(raw.tell())
                yield piece
        except pd.errors.EmptyDataError:
            raise EquityLabError(f"{path.name} is empty") from None
        except (pd.errors.ParserError, UnicodeDecodeError) as error:
            raise _unreadable(path, error) from None


def _unreadable(path: Path, error: Exception, kind: str = "CSV") -> EquityLabError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return EquityLabError(f"could not read {path.name} as {kind}: {first}")


# --- Parquet files and Excel workbooks ---------------------------------------------------


def _parquet_pieces(path: Path, columns, meter: _Progress) -> Iterator[pd.DataFrame]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise EquityLabError(
            "reading Parquet needs pyarrow: pip install 'equitylab[parquet]'"
        ) from None
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    _refuse_duplicates(names, path, [str(i + 1) for i in range(len(names))])
    if columns is not None:
        _require(columns, names, path)
    done = 0
    for batch in parquet.iter_batches(batch_size=CHUNK_ROWS, columns=columns):
        done += batch.nbytes
        meter.update(min(done, meter.total))
        yield batch.to_pandas()


def _cell_text(value: object) -> str:
    """A workbook cell as the text Excel would write for it in a CSV file ("" if empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _worksheet(book, sheet: str | None, path: Path):
    sheets = book.worksheets
    if not sheets:
        raise EquityLabError(f"{path.name} has no worksheet (only chart sheets)")
    if sheet is None:
        visible = [s for s in sheets if s.sheet_state == "visible"]
        return (visible or sheets)[0]
    # Excel's sheet names are unique regardless of case, and matched that way.
    for candidate in sheets:
        if candidate.title.casefold() == sheet.casefold():
            return candidate
    raise EquityLabError(
        f"no sheet named {sheet!r} in {path.name}; its sheets are: "
        + ", ".join(repr(s.title) for s in sheets)
    )


def _sheet_rows(ws, where: str) -> Iterator[tuple]:
    """The rows of a worksheet as tuples of values; a damaged sheet is a user error."""
    try:
        yield from ws.iter_rows(values_only=True)
    except Exception as error:  # the sheet's XML, as openpyxl parses it
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise EquityLabError(f"could not read {where}: {first}") from None


def _xlsx_pieces(path: Path, columns, meter: _Progress, sheet: str | None):
    """An Excel workbook, read in read-only mode (the sheet is streamed, XLSX_CHUNK_ROWS rows
    at a time). The header is the first row with a value; empty rows are skipped; an
    empty cell is a blank (""), like an empty field in a CSV file; a formula gives the
    value Excel last computed and saved with the file."""
    try:
        import openpyxl
        from openpyxl.utils import get_column_letter
    except ImportError:
        raise EquityLabError(
            "reading Excel workbooks (.xlsx) needs openpyxl: pip install 'equitylab[xlsx]'"
        ) from None
    try:
        with warnings.catch_warnings():  # e.g. "Workbook contains no default style"
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise _unreadable(path, error, "an Excel workbook") from None
    try:
        ws = _worksheet(book, sheet, path)
        where = f"sheet {ws.title!r} of {path.name}"
        expected_rows = ws.max_row  # from the sheet's own dimension record, if any
        ws.reset_dimensions()  # that record can be wrong: read every cell there is
        rows = enumerate(_sheet_rows(ws, where), start=1)
        header = next(
            ((number, row) for number, row in rows if any(_cell_text(v) for v in row)), None
        )
        if header is None:
            raise EquityLabError(f"{where} is empty: it needs a header row of column names")
        header_row, cells = header
        texts = [_cell_text(v) for v in cells]
        width = max(i for i, text in enumerate(texts) if text) + 1
        names = [text if text else f"Unnamed: {i}" for i, text in enumerate(texts[:width])]
        letters = [get_column_letter(i + 1) for i in range(width)]
        _refuse_duplicates(names, path, letters, f" (row {header_row} of sheet {ws.title!r})")
        if columns is not None:
            others = ", ".join(repr(s.title) for s in book.worksheets if s is not ws)
            hint = f". The workbook's other sheets: {others} (pass --sheet NAME)" if others else ""
            _require(columns, names, where, hint)
        keep = list(range(width)) if columns is None else [names.index(c) for c in columns]
        kept = [names[i] for i in keep]
        piece: list[list[str]] = [[] for _ in keep]
        count, yielded = 0, False
        for number, row in rows:
            values = [_cell_text(v) for v in row]
            if not any(values):
                continue
            extra = next((i for i in range(width, len(values)) if values[i]), None)
            if extra is not None:
                raise EquityLabError(
                    f"row {number} of {where} has a value in column "
                    f"{get_column_letter(extra + 1)}, which has no header: give the "
                    "column a name in the header row, or delete the value"
                )
            values += [""] * (width - len(values))
            for column, i in zip(piece, keep, strict=True):
                column.append(values[i])
            count += 1
            if count == XLSX_CHUNK_ROWS:
                yield pd.DataFrame(dict(zip(kept, piece, strict=True)), dtype=str)
                piece, count, yielded = [[] for _ in keep], 0, True
                if expected_rows:
                    meter.update(int(meter.total * min(1.0, number / expected_rows)))
        if count or not yielded:
            yield pd.DataFrame(dict(zip(kept, piece, strict=True)), dtype=str)
    finally:
        book.close()


# --- column checks -------------------------------------------------------------------


def _refuse_duplicates(
    names: Sequence[str], path: Path, positions: Sequence[str], where: str = ""
) -> None:
    """Two columns with the same name are an error (pandas would rename one "name.1")."""
    seen: dict[str, list[str]] = {}
    for name, position in zip(names, positions, strict=True):
        seen.setdefault(name, []).append(position)
    repeated = {name: places for name, places in seen.items() if len(places) > 1}
    if repeated:
        which = "; ".join(
            f"{name!r} (columns {', '.join(places[:-1])} and {places[-1]})"
            for name, places in repeated.items()
        )
        raise EquityLabError(
            f"{path.name} has more than one column with the same name{where}: {which}. "
            "Each column needs its own name: rename or delete the copies and save the file"
        )


def _require(columns: list[str], names: Sequence[str], where: Path | str, hint: str = "") -> None:
    """Every column in ``columns`` is in ``names`` (of the file or sheet ``where``)."""
    missing = [c for c in columns if c not in names]
    if missing:
        place = where.name if isinstance(where, Path) else where
        raise EquityLabError(
            f"column(s) {', '.join(map(repr, missing))} not found in {place}; "
            f"its columns are: {', '.join(names)}{hint}"
        )


def read_table(
    path: Path,
    progress: bool | None = None,
    *,
    sheet: str | None = None,
    delimiter: str | None = None,
) -> pd.DataFrame:
    pieces = list(read_pieces(path, None, progress, sheet=sheet, delimiter=delimiter))
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
        read_pieces(
            path,
            [*args.by, args.outcome],
            args.progress,
            sheet=args.sheet,
            delimiter=args.delimiter,
        ),
        args.by,
        args.outcome,
        ci=args.ci,
        level=args.level,
        min_cell=args.min_cell,
        reference=None
        if args.reference is None
        else (args.reference[0] if len(args.reference) == 1 else tuple(args.reference)),
        higher_is_better=not args.adverse,
        combine=_combine_option(args),
        prefer_hidden=_prefer_option(args),
    )
    frame = table if args.format == "csv" else _formatted(table)
    _write(frame, args.format, out, _notes(table))
    return 0


# --- stratify with race and ethnicity recoded to SPD 15 ---------------------------------

#: The grouping column that --recode-race adds (the alone groups).
RECODED_COLUMN = "race_ethnicity_group"


def _combine_option(args) -> dict | None:
    """--combine COL=LABEL[:NEW] options as the combine= dict of stratify."""
    if not args.combine:
        return None
    combine: dict[str, dict[str, str | None]] = {}
    for item in args.combine:
        column, equals, rest = item.partition("=")
        if not equals or not column.strip() or not rest.strip():
            raise EquityLabError(
                f"--combine {item!r}: write COLUMN=LABEL to leave a label's people out, or "
                "COLUMN=LABEL:NEW to count them in the group NEW (e.g. --combine sex=Unknown)"
            )
        label, colon, new = rest.partition(":")
        combine.setdefault(column.strip(), {})[label.strip()] = new.strip() if colon else None
    return combine


def _prefer_option(args) -> list[str] | None:
    if args.prefer_hidden is None:
        return None
    return [label for label in args.prefer_hidden if label.strip()]


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
    if args.combine or args.prefer_hidden is not None:
        if args.in_combination:
            raise EquityLabError("--combine and --prefer-hidden do not apply to --in-combination")
        options.update(combine=_combine_option(args), prefer_hidden=_prefer_option(args))
    if args.in_combination:
        if args.reference is not None:
            raise EquityLabError(
                "--reference does not apply to --in-combination: each table compares the "
                "people in a category with the people not in it"
            )
        whole = _compact(
            read_pieces(path, columns, args.progress, sheet=args.sheet, delimiter=args.delimiter)
        )
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
            for piece in read_pieces(
                path, columns, args.progress, sheet=args.sheet, delimiter=args.delimiter
            ):
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
    frame = read_table(Path(args.file), args.progress, sheet=args.sheet, delimiter=args.delimiter)
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
        sub.add_argument(
            "file", metavar="FILE", help="a CSV or text file, an Excel workbook or a Parquet file"
        )
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
        sub.add_argument(
            "--sheet",
            metavar="NAME",
            help="the sheet to read from an Excel workbook (default: the first visible one)",
        )
        sub.add_argument(
            "--delimiter",
            metavar="CHAR",
            help="what separates the columns of a text file: , ; | or tab "
            "(default: detected from the header line)",
        )
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
    strat.add_argument(
        "--combine",
        action="append",
        metavar="COL=LABEL[:NEW]",
        help="say what a sparse category means, on the record: 'sex=Unknown' leaves the "
        "people recorded as Unknown out of the table (reported as one protected total); "
        "'race=Declined:Unknown or declined' counts them in the group named after ':'. "
        "Repeat for more labels",
    )
    strat.add_argument(
        "--prefer-hidden",
        action="append",
        metavar="LABEL",
        help="labels whose groups complementary suppression hides first (default: Unknown, "
        "Declined, Missing); repeat for several, or give '' to prefer none",
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
