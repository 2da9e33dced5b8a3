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


def _cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "equitylab", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


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
