"""The `equitylab` command line: stratify, validate, datasets, published."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import equitylab as el
from equitylab import cli
from equitylab.cli import main

ROOT = Path(__file__).resolve().parent.parent
PATIENTS = ROOT / "datasets" / "riverbend_patients.csv"
MESSY = ROOT / "datasets" / "riverbend_extract_messy.csv"


def _run(args, capsys) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"equitylab {el.__version__}"


def test_stratify_csv_output_equals_the_library(capsys) -> None:
    code, out, err = _run(
        [
            "stratify",
            PATIENTS,
            "--by",
            "race_ethnicity_group",
            "--outcome",
            "bp_controlled",
            "--format",
            "csv",
        ],
        capsys,
    )
    assert code == 0
    printed = pd.read_csv(pd.io.common.StringIO(out)).set_index("race_ethnicity_group")
    expected = el.stratify(
        el.load_dataset("riverbend_patients"), "race_ethnicity_group", "bp_controlled"
    ).set_index("race_ethnicity_group")
    expected.index = expected.index.astype(str)
    printed = printed.loc[expected.index]  # the file has text, the library categories
    assert printed["n"].tolist() == expected["n"].tolist()
    assert printed["rate"].to_numpy() == pytest.approx(expected["rate"].to_numpy())
    assert "Wilson" in err and "blank outcome" in err


def test_stratify_markdown_shows_suppression_in_words(capsys) -> None:
    code, out, _ = _run(
        [
            "stratify",
            PATIENTS,
            "--by",
            "race_ethnicity_group",
            "--by",
            "sex",
            "--outcome",
            "bp_controlled",
        ],
        capsys,
    )
    assert code == 0
    assert out.startswith("| race_ethnicity_group ") and "| sex " in out.splitlines()[0]
    assert "suppressed" in out and "reference" in out and "Methods:" in out
    for line in out.splitlines()[2:]:  # no count of 1-10 printed in any n or events cell
        cells = [c.strip() for c in line.split("|")[3:5]] if line.startswith("|") else []
        for cell in cells:
            if cell.replace(",", "").isdigit():
                assert not 0 < int(cell.replace(",", "")) < 11, line


def test_stratify_html_and_output_file(tmp_path, capsys) -> None:
    target = tmp_path / "table.html"
    code, out, _ = _run(
        [
            "stratify",
            PATIENTS,
            "--by",
            "clinic",
            "--outcome",
            "crc_screened",
            "--format",
            "html",
            "--output",
            target,
        ],
        capsys,
    )
    assert code == 0 and out == ""
    assert "<table" in target.read_text() and "Methods:" in target.read_text()


def test_messy_extract_with_bom_crlf_and_spaces_in_headers(capsys) -> None:
    code, out, _ = _run(
        ["stratify", MESSY, "--by", " Race ", "--outcome", "BP Controlled", "--format", "csv"],
        capsys,
    )
    assert code == 0
    printed = pd.read_csv(pd.io.common.StringIO(out), keep_default_na=False)
    assert "Missing" in set(printed[" Race "])


def test_other_encodings_and_parquet(tmp_path, capsys) -> None:
    frame = pd.DataFrame({"lieu": ["Montréal", "Québec"] * 30, "ok": [1, 0, 0] * 20})
    latin = tmp_path / "latin.csv"
    frame.to_csv(latin, index=False, encoding="cp1252", lineterminator="\r\n")
    code, out, _ = _run(
        ["stratify", latin, "--by", "lieu", "--outcome", "ok", "--format", "csv"], capsys
    )
    assert code == 0 and "Montréal" in out and "Québec" in out
    parquet = tmp_path / "data.parquet"
    frame.to_parquet(parquet)
    code, out_parquet, _ = _run(
        ["stratify", parquet, "--by", "lieu", "--outcome", "ok", "--format", "csv"], capsys
    )
    assert code == 0 and out_parquet == out


def test_progress_indicator_for_large_files(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(cli, "PROGRESS_BYTES", 1_000)
    code, _, err = _run(
        ["stratify", PATIENTS, "--by", "clinic", "--outcome", "diabetes", "--format", "csv"], capsys
    )
    assert code == 0 and "reading riverbend_patients.csv: 100%" in err
    code, _, err = _run(
        [
            "stratify",
            PATIENTS,
            "--by",
            "clinic",
            "--outcome",
            "diabetes",
            "--format",
            "csv",
            "--no-progress",
        ],
        capsys,
    )
    assert "reading" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stratify", "no-such-file.csv", "--by", "a", "--outcome", "b"], "file not found"),
        (
            ["stratify", PATIENTS, "--by", "race", "--outcome", "bp_controlled"],
            "'race' not found in riverbend_patients.csv",
        ),
        (["stratify", PATIENTS, "--by", "clinic", "--outcome", "age"], "must hold 0/1"),
        (
            ["stratify", PATIENTS, "--by", "patient_id", "--outcome", "diabetes"],
            "identifier or a measurement",
        ),
        (
            ["stratify", PATIENTS, "--by", "clinic", "--outcome", "diabetes", "--min-cell", "-3"],
            "min_cell",
        ),
        (["validate", "no-such-file.csv"], "file not found"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(args, message, capsys) -> None:
    code, out, err = _run(args, capsys)
    assert code == 2 and out == ""
    assert err.startswith("equitylab: error:") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_no_traceback_from_a_real_process(tmp_path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text('a,b\n1,"unterminated\n')
    result = subprocess.run(
        [sys.executable, "-m", "equitylab", "stratify", str(broken), "--by", "a", "--outcome", "b"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith("equitylab: error:")


def test_validate_reports_problems_and_exit_codes(capsys) -> None:
    code, out, _ = _run(["validate", MESSY], capsys)
    assert code == 1
    assert "header has stray spaces" in out and "spelled several ways" in out
    code, out, _ = _run(["validate", PATIENTS, "--schema", "riverbend_patients"], capsys)
    assert code == 0 and "no problems found" in out


def test_datasets_and_published(capsys) -> None:
    code, out, _ = _run(["datasets"], capsys)
    assert code == 0 and "riverbend_patients" in out and "fictional" in out
    assert main(["published"]) == 0
    assert "hypertension_control_2015_2016" in capsys.readouterr().out.split()
    assert main(["published", "hypertension_control_2015_2016"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "group,percent_controlled"
    assert "Data Brief No. 289" in captured.err
    assert main(["published", "nope"]) == 2


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert "stratify" in capsys.readouterr().out


@pytest.mark.parametrize(
    "command",
    [[str(Path(sys.executable).with_name("equitylab"))], [sys.executable, "-m", "equitylab"]],
)
def test_console_script_works_without_a_display(command: list[str]) -> None:
    result = subprocess.run(
        [*command, "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},  # no DISPLAY
    )
    assert result.stdout.strip() == f"equitylab {el.__version__}"


# --- files as leaders receive them: workbooks, Unicode text, semicolons (real processes) ---

# Groups of 120, 90 and 7 people: the small group is suppressed and, to protect it, one
# other row too (complementary suppression). Some outcomes are blank.
EXTRACT = pd.DataFrame(
    {
        "race": ["White"] * 120 + ["Métis"] * 90 + ["Native Hawaiian"] * 7,
        "controlled": ([1, 0, 1, ""] * 30) + ([0, 1, 1] * 30) + [1, 0, 1, 1, 0, 1, ""],
    }
)


def _equitylab(*args) -> subprocess.CompletedProcess:
    """The CLI as an analyst runs it: a new process, no traceback expected."""
    return subprocess.run(
        [sys.executable, "-m", "equitylab", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _stratified(path: Path, *options) -> str:
    result = _equitylab(
        "stratify", path, "--by", "race", "--outcome", "controlled", "--format", "csv", *options
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _refusal(*args) -> str:
    result = _equitylab(*args)
    assert result.returncode == 2 and result.stdout == "", result.stdout + result.stderr
    assert result.stderr.startswith("equitylab: error:") and result.stderr.count("\n") == 1
    return result.stderr


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _cells(frame: pd.DataFrame) -> list[list]:
    """Rows as Excel holds them: numbers as numbers, a blank as an empty cell."""
    return [[None if v == "" else v for v in row] for row in frame.itertuples(index=False)]


@pytest.fixture(scope="module")
def expected_table(tmp_path_factory) -> str:
    """The table from a plain comma-separated UTF-8 file: every other kind must match it."""
    path = tmp_path_factory.mktemp("csv") / "extract.csv"
    EXTRACT.to_csv(path, index=False)
    table = _stratified(path)
    printed = pd.read_csv(io.StringIO(table))
    hidden = printed.loc[printed["suppressed"], "race"].tolist()
    assert "Native Hawaiian" in hidden and len(hidden) >= 2  # small cell + complement
    assert printed.loc[printed["suppressed"], "events"].isna().all()
    return table


def test_a_workbook_is_read_from_its_first_sheet_with_the_same_protection(
    tmp_path, expected_table
) -> None:
    rows = _cells(EXTRACT)
    rows[0][1], rows[1][1] = True, False  # Excel's TRUE/FALSE cells are outcomes too
    path = _workbook(
        tmp_path / "extract.xlsx",
        {"Patients": [["race", "controlled"], *rows], "Notes": [["Exported by the EHR"]]},
    )
    assert _stratified(path) == expected_table
    result = _equitylab("stratify", path, "--by", "race", "--outcome", "controlled")
    assert result.returncode == 0 and "suppressed" in result.stdout
    for line in result.stdout.splitlines()[2:]:  # no count of 1-10 in any n or events cell
        if line.startswith("|"):
            for cell in (c.strip().replace(",", "") for c in line.split("|")[2:4]):
                assert not (cell.isdigit() and 0 < int(cell) < 11), line
    report = _equitylab("validate", path)  # sees the TRUE cells among the 1s
    assert report.returncode == 1 and "spelled several ways" in report.stdout, report.stderr


def test_a_workbook_sheet_by_name_and_an_unknown_sheet(tmp_path, expected_table) -> None:
    path = _workbook(
        tmp_path / "report.xlsx",
        {"Summary": [["Riverbend extract"]], "Data": [["race", "controlled"], *_cells(EXTRACT)]},
    )
    assert _stratified(path, "--sheet", "Data") == expected_table
    assert _stratified(path, "--sheet", "data") == expected_table  # as Excel matches names
    error = _refusal("stratify", path, "--by", "race", "--outcome", "controlled")
    assert "not found in sheet 'Summary' of report.xlsx" in error
    assert "other sheets: 'Data' (pass --sheet NAME)" in error
    error = _refusal("validate", path, "--sheet", "Patients")
    assert "no sheet named 'Patients' in report.xlsx; its sheets are: 'Summary', 'Data'" in error


def test_utf16_unicode_text_with_tabs_is_read_like_csv(tmp_path, expected_table) -> None:
    # Excel's "Unicode text": UTF-16 with a byte order mark, tab-separated, CRLF.
    path = tmp_path / "extract.txt"
    EXTRACT.to_csv(path, index=False, sep="\t", encoding="utf-16", lineterminator="\r\n")
    assert path.read_bytes()[:2] == b"\xff\xfe"
    assert _stratified(path) == expected_table
    for encoding in ("utf-16-be", "utf-32"):  # the other byte order marks
        other = tmp_path / f"{encoding}.txt"
        text = "\ufeff" + EXTRACT.to_csv(index=False, sep="\t")
        other.write_bytes(
            text.encode(encoding) if encoding != "utf-32" else text[1:].encode(encoding)
        )
        assert _stratified(other) == expected_table, encoding


def test_a_semicolon_file_is_detected_and_an_ambiguous_one_is_refused(
    tmp_path, expected_table
) -> None:
    path = tmp_path / "europe.csv"
    EXTRACT.to_csv(path, index=False, sep=";", encoding="cp1252")
    assert _stratified(path) == expected_table
    # Told the wrong delimiter, the header is one column: the error names the right one.
    error = _refusal("stratify", path, "--by", "race", "--outcome", "y", "--delimiter", ",")
    assert "the header of europe.csv is one column, 'race;controlled'" in error
    assert "seems to use semicolons: pass --delimiter ';'" in error
    # A header with a comma and a semicolon, and data that fit both: it cannot tell.
    both = tmp_path / "both.csv"
    both.write_text("race;controlled,site\n" + "White;1,A\n" * 20, encoding="utf-8")
    error = _refusal("validate", both)
    assert "cannot tell which delimiter both.csv uses" in error
    assert "pass --delimiter ',' or --delimiter ';'" in error
    result = _equitylab("validate", both, "--delimiter", "semicolon")
    assert "2 columns, 20 rows" in result.stdout, result.stdout + result.stderr


def test_a_comma_in_a_quoted_header_does_not_confuse_the_detection(tmp_path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_text('"Race, self-reported";controlled\nWhite;1\n' * 1 + "White;0\n" * 30)
    result = _equitylab("validate", path)
    assert "2 columns, 31 rows" in result.stdout, result.stdout + result.stderr


def test_two_columns_with_the_same_name_are_refused_in_every_kind_of_file(tmp_path) -> None:
    csv_path = tmp_path / "twice.csv"
    csv_path.write_text("race,controlled,race\nWhite,1,Black\n", encoding="utf-8")
    error = _refusal("stratify", csv_path, "--by", "race", "--outcome", "controlled")
    assert "twice.csv has more than one column with the same name: 'race' (columns 1 and 3)" in (
        error
    )
    assert "rename or delete the copies" in error
    book = _workbook(tmp_path / "twice.xlsx", {"Data": [["race", "y", "race"], ["White", 1, "B"]]})
    error = _refusal("validate", book)
    assert "'race' (columns A and C)" in error and "row 1 of sheet 'Data'" in error
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = tmp_path / "twice.parquet"
    columns = [pa.array(["White"]), pa.array(["1"]), pa.array(["Black"])]
    pq.write_table(pa.Table.from_arrays(columns, names=["race", "y", "race"]), parquet)
    assert "'race' (columns 1 and 3)" in _refusal("validate", parquet)


def test_spreadsheet_files_it_cannot_read_are_refused_with_what_to_do(tmp_path) -> None:
    old = tmp_path / "old.xls"  # an Excel 97-2003 workbook starts with the OLE2 signature
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert "Excel 97-2003 workbook (.xls)" in _refusal("validate", old)
    fake = tmp_path / "export.xlsx"
    fake.write_text("race,controlled\nWhite,1\n", encoding="utf-8")
    error = _refusal("validate", fake)
    assert "not an Excel workbook but a text (CSV) file" in error and "rename it to .csv" in error
    page = tmp_path / "report.xls"
    page.write_text("<html><table><tr><td>race</td></tr></table></html>", encoding="utf-8")
    assert "a web page (HTML or XML) saved under an Excel name" in _refusal("validate", page)
    stray = _workbook(tmp_path / "stray.xlsx", {"Data": [["race", "y"], ["White", 1, "note"]]})
    error = _refusal("validate", stray)
    assert "row 2 of sheet 'Data' of stray.xlsx has a value in column C, which has no" in error
    empty = _workbook(tmp_path / "empty.xlsx", {"Data": []})
    assert "sheet 'Data' of empty.xlsx is empty" in _refusal("validate", empty)


def test_without_openpyxl_a_workbook_gives_the_install_command(tmp_path) -> None:
    book = _workbook(tmp_path / "extract.xlsx", {"Data": [["race", "y"], ["White", 1]]})
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.modules['openpyxl'] = None  # as if it were not installed\n"
            "from equitylab.cli import main; raise SystemExit(main(sys.argv[1:]))",
            "validate",
            str(book),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "needs openpyxl: pip install 'equitylab[xlsx]'" in result.stderr


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["race", "White"], ","),  # one column
        (["race;y", "White;1"], ";"),
        (["race\ty", "White\t1"], "\t"),
        (["race|y", "White|1"], "|"),
        (['"Race, self-reported";y', "White;1"], ";"),  # a comma inside quotes
        (["race, self-reported;y", "White;1"], ";"),  # only ; splits the data alike
        (["a,b;c", "1,2;3", "4;5,6"], None),  # neither splits every line alike: refused
    ],
)
def test_the_delimiter_rule(lines, expected) -> None:
    if expected is None:
        with pytest.raises(el.EquityLabError, match="cannot tell which delimiter"):
            cli._delimiter(Path("x.csv"), lines, None)
    else:
        assert cli._delimiter(Path("x.csv"), lines, None) == expected


def test_a_character_cut_at_the_end_of_the_sniffed_start_is_still_utf8(tmp_path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(b"a" * (cli.HEAD_BYTES - 1) + "é".encode())  # é straddles the limit
    assert cli._encoding(path) == "utf-8"


def test_a_workbook_is_streamed_in_pieces(tmp_path, monkeypatch) -> None:
    path = _workbook(tmp_path / "big.xlsx", {"Data": [list(EXTRACT), *_cells(EXTRACT)]})
    monkeypatch.setattr(cli, "XLSX_CHUNK_ROWS", 50)
    pieces = list(cli.read_pieces(path, ["race", "controlled"], progress=False))
    assert [len(p) for p in pieces] == [50, 50, 50, 50, 17]
    assert pd.concat(pieces)["race"].tolist() == EXTRACT["race"].tolist()


def test_the_first_visible_sheet_is_read_by_default(tmp_path) -> None:
    path = tmp_path / "hidden.xlsx"
    _workbook(path, {"Lookup": [["code", "label"], [1, "White"]], "Data": [["race"], ["Black"]]})
    import openpyxl

    book = openpyxl.load_workbook(path)
    book["Lookup"].sheet_state = "hidden"
    book.save(path)
    assert cli.read_table(path, progress=False)["race"].tolist() == ["Black"]
    assert list(cli.read_table(path, progress=False, sheet="Lookup")) == ["code", "label"]


# --- --recode-race: SPD 15 groups, the recode report, in-combination tables --------------


def _extract_with_detail(path: Path) -> pd.DataFrame:
    """A small extract in the single-question format with detailed codes, refusals and
    "Other" (fictional). Samoan (4 people) and "Declined to answer" (5) are small."""
    codes = (
        ["Filipino"] * 30
        + ["Chinese"] * 25
        + ["B"] * 40
        + ["Jamaican"] * 12
        + ["White"] * 60
        + ["Irish"] * 15
        + ["Mexican"] * 35
        + ["Puerto Rican"] * 14
        + ["Lebanese"] * 12
        + ["Samoan"] * 4
        + ["Navajo"] * 11
        + ["Filipino;White"] * 13
        + ["Black;White"] * 12
        + ["Patient refused"] * 14
        + ["Declined to answer"] * 5
        + ["Other"] * 16
        + [""] * 20
    )
    frame = pd.DataFrame(
        {
            "race": codes,
            "screened": [["yes", "no", "yes"][i % 3] for i in range(len(codes))],
            "site": [["North", "South"][i % 2] for i in range(len(codes))],
        }
    )
    frame.to_csv(path, index=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


_cli = _equitylab  # the CLI in a new process, as an analyst runs it


def test_recode_race_gives_the_alone_groups_and_the_report(tmp_path) -> None:
    path = tmp_path / "extract.csv"
    frame = _extract_with_detail(path)
    result = _cli(
        "stratify", path, "--recode-race", "race", "--outcome", "screened", "--format", "csv"
    )
    assert result.returncode == 0, result.stderr
    printed = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    coded = el.recode_race_ethnicity(frame["race"])
    expected = el.stratify(
        frame.assign(race_ethnicity_group=coded.alone()), "race_ethnicity_group", "screened"
    )
    assert (
        printed["race_ethnicity_group"].tolist()
        == expected["race_ethnicity_group"].astype(str).tolist()
    )  # the standard's order, each person once
    counts = pd.to_numeric(printed["n"]).fillna(-1).astype(int).tolist()
    assert counts == expected["n"].fillna(-1).astype(int).tolist()
    assert printed["suppressed"].astype(str).eq("True").tolist() == expected["suppressed"].tolist()
    groups = set(printed["race_ethnicity_group"])
    assert {"Asian", "Declined", "Another race or ethnicity (not specified)", "Unknown"} <= groups
    # the report, on standard error with CSV: every distinct value and what it became
    report_text = result.stderr.split("how many rows had it", 1)[1].split("\n", 1)[1]
    report = pd.read_csv(io.StringIO(report_text), keep_default_na=False)
    assert set(report["value"]) == set(frame["race"].replace("", "(blank)"))
    maps_to = dict(zip(report["value"], report["maps_to"], strict=True))
    assert maps_to["Filipino"] == "Asian [detailed: Filipino]"
    assert maps_to["Patient refused"] == "Declined"
    assert maps_to["Other"] == "Another race or ethnicity (not specified)"
    rows = dict(zip(report["value"], report["rows"], strict=True))
    assert rows["Filipino"] == "30" and rows["Samoan"] == "1 to 10"  # 4 people: hidden


def test_recode_race_markdown_and_report_file(tmp_path) -> None:
    path = tmp_path / "extract.csv"
    frame = _extract_with_detail(path)
    target = tmp_path / "recode.csv"
    result = _cli(
        "stratify",
        path,
        "--recode-race",
        "race",
        "--by",
        "site",
        "--outcome",
        "screened",
        "--recode-report",
        target,
        "--format",
        "markdown",
    )
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0]
    assert header.startswith("| race_ethnicity_group ") and "| site " in header
    assert "Recode report" not in result.stdout  # it went to the file
    written = pd.read_csv(target, keep_default_na=False)  # CSV: the file's extension
    library = el.recode_race_ethnicity(frame["race"]).report
    assert written["value"].replace("(blank)", "").tolist() == library["value"].tolist()
    assert written["maps_to"].tolist() == library["maps_to"].tolist()
    # without --recode-report, the report follows the table and its notes
    result = _cli("stratify", path, "--recode-race", "race", "--outcome", "screened")
    assert result.returncode == 0
    table, report = result.stdout.split("Recode report", 1)
    assert "Methods:" in table and "| Filipino " in report and "1 to 10" in report
    for line in result.stdout.splitlines():  # no count of 1-10 anywhere
        for cell in line.split("|"):
            cell = cell.strip().replace(",", "")
            assert not (cell.isdigit() and 0 < int(cell) < 11), line


def test_recode_race_with_a_separate_ethnicity_column() -> None:
    result = _cli(
        "stratify",
        MESSY,
        "--recode-race",
        " Race ",
        "--ethnicity",
        "Hispanic Ethnicity",
        "--outcome",
        "BP Controlled",
        "--format",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    printed = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    messy = el.load_dataset("riverbend_extract_messy")
    coded = el.recode_race_ethnicity(messy[" Race "], messy["Hispanic Ethnicity"])
    expected = el.stratify(
        messy.assign(race_ethnicity_group=coded.alone()), "race_ethnicity_group", "BP Controlled"
    )
    assert (
        printed["race_ethnicity_group"].tolist()
        == expected["race_ethnicity_group"].astype(str).tolist()
    )
    shown = expected["n"].notna()
    assert printed.loc[shown.to_numpy(), "n"].astype(int).tolist() == (
        expected.loc[shown, "n"].astype(int).tolist()
    )
    assert "'Hispanic Ethnicity'" in result.stderr  # the report names both columns


def test_recode_race_is_the_same_read_in_pieces(tmp_path, capsys, monkeypatch) -> None:
    path = tmp_path / "extract.csv"
    _extract_with_detail(path)
    args = [
        "stratify",
        str(path),
        "--recode-race",
        "race",
        "--outcome",
        "screened",
        "--format",
        "csv",
        "--min-cell",
        "0",
    ]
    assert main(args) == 0
    whole = capsys.readouterr()
    monkeypatch.setattr(cli, "CHUNK_ROWS", 37)  # 8 pieces, values split across them
    assert main(args) == 0
    pieces = capsys.readouterr()
    assert pieces.out == whole.out and pieces.err == whole.err


def test_in_combination_tables_one_per_category(tmp_path) -> None:
    path = tmp_path / "extract.csv"
    frame = _extract_with_detail(path)
    result = _cli(
        "stratify", path, "--recode-race", "race", "--outcome", "screened", "--in-combination"
    )
    assert result.returncode == 0, result.stderr
    sections = result.stdout.split("## ")[1:]
    assert [s.split(",")[0] for s in sections] == list(el.SPD15_CATEGORIES)
    asian = next(s for s in sections if s.startswith("Asian,"))
    # Filipino 30 + Chinese 25 + Filipino;White 13 = 68 in it; no total row
    assert "| Asian (alone or in combination) | 68 " in asian and "Total" not in asian
    assert "| Not Asian " in asian and "more than once" in asian
    nhpi = next(s for s in sections if s.startswith("Native Hawaiian"))
    line = next(x for x in nhpi.splitlines() if x.startswith("| Native Hawaiian"))
    assert "suppressed" in line and "| 4 " not in line  # 4 Samoan people: hidden
    assert "Recode report" in result.stdout
    # CSV: the tables stacked, each labelled by its category
    result = _cli(
        "stratify",
        path,
        "--recode-race",
        "race",
        "--outcome",
        "screened",
        "--in-combination",
        "--format",
        "csv",
        "--min-cell",
        "0",
    )
    stacked = pd.read_csv(io.StringIO(result.stdout), keep_default_na=False)
    assert stacked["category"].unique().tolist() == list(el.SPD15_CATEGORIES)
    for _, table in stacked.groupby("category"):
        assert table["n"].astype(int).sum() == len(frame)  # each person once per table
    white = stacked[stacked["category"] == "White"].set_index("race_ethnicity_in_combination")
    assert int(white.loc["White (alone or in combination)", "n"]) == 60 + 15 + 13 + 12


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--by", "site", "--ethnicity", "x"], "need(s) --recode-race"),
        (["--in-combination", "--by", "site"], "need(s) --recode-race"),
        ([], "give a grouping column"),
        (["--recode-race", "nope"], "'nope' not found"),
        (["--recode-race", "race", "--in-combination", "--reference", "x"], "--reference"),
        (["--recode-race", "race", "--ethnicity", "race"], "different column"),
    ],
)
def test_recode_race_user_errors(tmp_path, args, message) -> None:
    path = tmp_path / "extract.csv"
    _extract_with_detail(path)
    result = _cli("stratify", path, "--outcome", "screened", *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("equitylab: error:") and message in result.stderr
    assert result.stderr.count("\n") == 1


# --- --combine and --prefer-hidden (real processes) --------------------------------------


def _sex_extract(path: Path) -> Path:
    """Fictional: 60 women, 50 men and 4 people whose sex is recorded as Unknown."""
    frame = pd.DataFrame(
        {
            "sex": ["Female"] * 60 + ["Male"] * 50 + ["Unknown"] * 4,
            "screened": ([1, 0] * 30) + ([1, 1, 0, 0, 0] * 10) + [1, 0, 1, 1],
        }
    )
    frame.to_csv(path, index=False)
    return path


def test_combine_leaves_a_category_out_on_the_record(tmp_path: Path) -> None:
    path = _sex_extract(tmp_path / "sex.csv")
    kept = _equitylab("stratify", path, "--by", "sex", "--outcome", "screened", "--format", "csv")
    assert kept.returncode == 0, kept.stderr
    assert "Unknown" in kept.stdout  # kept, its row (and a partner) hidden
    left = _equitylab(
        "stratify", path, "--by", "sex", "--outcome", "screened", "--combine", "sex=Unknown",
    )  # fmt: skip
    assert left.returncode == 0, left.stderr
    assert "| Unknown" not in left.stdout
    assert "1 to 10 people recorded as Unknown are left out of this table" in left.stdout
    assert "| 60 |" in left.stdout and "| 50 |" in left.stdout  # nothing hidden now
    merged = _equitylab(
        "stratify", path, "--by", "sex", "--outcome", "screened",
        "--combine", "sex=Unknown:Another or unknown",
    )  # fmt: skip
    assert merged.returncode == 0, merged.stderr
    assert "'Unknown' is counted in the group 'Another or unknown'" in merged.stdout


def test_bad_combine_options_say_what_to_write(tmp_path: Path) -> None:
    path = _sex_extract(tmp_path / "sex.csv")
    for option, message in (
        ("sex", "write COLUMN=LABEL"),
        ("sex=Unkown", "not a group of 'sex'; its groups are: 'Female', 'Male', 'Unknown'"),
        ("race=Unknown", "not a grouping column"),
    ):
        result = _equitylab(
            "stratify", path, "--by", "sex", "--outcome", "screened", "--combine", option
        )
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert message in result.stderr, result.stderr
