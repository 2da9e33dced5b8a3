"""Race and ethnicity following the 2024 OMB SPD 15, from the codes real extracts contain.

The 2024 revision of Statistical Policy Directive No. 15 (OMB, 89 FR 22182, 2024)
asks one combined race and ethnicity question, allows several selections, and
has seven minimum categories (:data:`SPD15_CATEGORIES`). People who select more
than one category are shown as "Multiracial and/or Multiethnic" when each person
is counted once ("alone" tabulation), or in every category they selected ("alone
or in combination" tabulation, whose group counts add up to more than the number
of people).

:func:`recode_race_ethnicity` maps the codes found in extracts ("B", "AA",
"Caucasian", "Patient declined"...) and the older two-question format (a race
column plus a separate Hispanic-ethnicity Yes/No column) to those categories.
Nothing is dropped: values it cannot map become "Unknown" and are listed in the
mapping report, which says what each distinct value became.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from .errors import EquityLabError
from .privacy import suppress_counts

__all__ = [
    "DECLINED",
    "MULTIRACIAL",
    "SPD15_CATEGORIES",
    "UNKNOWN",
    "RaceEthnicity",
    "recode_race_ethnicity",
]

#: The seven minimum categories of the 2024 SPD 15, in the standard's order.
SPD15_CATEGORIES: tuple[str, ...] = (
    "American Indian or Alaska Native",
    "Asian",
    "Black or African American",
    "Hispanic or Latino",
    "Middle Eastern or North African",
    "Native Hawaiian or Pacific Islander",
    "White",
)
MULTIRACIAL = "Multiracial and/or Multiethnic"
UNKNOWN = "Unknown"
DECLINED = "Declined"

_AIAN, _ASIAN, _BLACK, _HISPANIC, _MENA, _NHPI, _WHITE = SPD15_CATEGORIES

#: Codes seen in health-system extracts (matched after lower-casing and collapsing spaces).
DEFAULT_CODES: dict[str, str] = {
    **{c.lower(): c for c in SPD15_CATEGORIES},
    # American Indian or Alaska Native
    "american indian": _AIAN,
    "alaska native": _AIAN,
    "ai/an": _AIAN,
    "aian": _AIAN,
    "ai": _AIAN,
    "native american": _AIAN,
    "american indian/alaska native": _AIAN,
    # Asian
    "a": _ASIAN,
    "asian american": _ASIAN,
    # Black or African American
    "b": _BLACK,
    "black": _BLACK,
    "african american": _BLACK,
    "aa": _BLACK,
    "black/african american": _BLACK,
    "black or african-american": _BLACK,
    # Hispanic or Latino
    "h": _HISPANIC,
    "hispanic": _HISPANIC,
    "latino": _HISPANIC,
    "latina": _HISPANIC,
    "latinx": _HISPANIC,
    "latine": _HISPANIC,
    "hispanic/latino": _HISPANIC,
    # Middle Eastern or North African
    "mena": _MENA,
    "middle eastern": _MENA,
    "north african": _MENA,
    # Native Hawaiian or Pacific Islander (the 1997 standard said "Other Pacific Islander")
    "nhpi": _NHPI,
    "nhopi": _NHPI,
    "native hawaiian": _NHPI,
    "pacific islander": _NHPI,
    "native hawaiian or other pacific islander": _NHPI,
    "native hawaiian/pacific islander": _NHPI,
    # White
    "w": _WHITE,
    "caucasian": _WHITE,
    # Several categories, but not which
    "multiple": MULTIRACIAL,
    "multiracial": MULTIRACIAL,
    "two or more races": MULTIRACIAL,
    "multiracial and/or multiethnic": MULTIRACIAL,
    "multiracial or multiethnic": MULTIRACIAL,
    # Declined
    "declined": DECLINED,
    "patient declined": DECLINED,
    "refused": DECLINED,
    "prefer not to say": DECLINED,
    "prefer not to answer": DECLINED,
    "choose not to disclose": DECLINED,
    # Unknown / not recorded
    "": UNKNOWN,
    "unknown": UNKNOWN,
    "unk": UNKNOWN,
    "u": UNKNOWN,
    "not recorded": UNKNOWN,
    "missing": UNKNOWN,
    "n/a": UNKNOWN,
    "na": UNKNOWN,
    "null": UNKNOWN,
    "none": UNKNOWN,
    "nan": UNKNOWN,
}

_HISPANIC_YES = {"y", "yes", "1", "true", "t", "hispanic", "hispanic or latino", "latino", "h"}
_HISPANIC_NO = {
    "n",
    "no",
    "0",
    "false",
    "f",
    "not hispanic",
    "non-hispanic",
    "not hispanic or latino",
}
_SEPARATORS = re.compile(r"\s*[;|]\s*")

#: Order of the "alone" categories in results.
ALONE_CATEGORIES = (*SPD15_CATEGORIES, MULTIRACIAL, UNKNOWN, DECLINED)


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return " ".join(str(value).strip().lower().split())


@dataclass(frozen=True)
class RaceEthnicity:
    """The result of :func:`recode_race_ethnicity`.

    Attributes
    ----------
    selections:
        For each person, the tuple of SPD 15 categories they selected (empty when
        unknown or declined), in the standard's order.
    status:
        For each person: ``"mapped"``, ``"multiple, not specified"`` (a code such as
        "Multiple" that says several categories apply but not which), ``"declined"``,
        ``"unknown"`` or ``"unrecognized"`` (a code that could not be mapped; counted
        as Unknown).
    report:
        One row per distinct input value (or race/Hispanic pair): what it became,
        its status and how many rows had it (counts of 1–10 hidden unless
        ``min_cell=0``). ``maps_to`` is the person's group in :meth:`alone`; for
        people counted as Multiracial and/or Multiethnic it also lists, in
        brackets, the categories that were recorded (which
        :meth:`alone_or_in_combination` counts).
    """

    selections: pd.Series
    status: pd.Series
    report: pd.DataFrame

    def alone(self) -> pd.Series:
        """Each person once: their single category, "Multiracial and/or Multiethnic"
        for two or more, or "Unknown" / "Declined"."""

        def label(selected: tuple[str, ...], status: str) -> str:
            if status == "declined":
                return DECLINED
            if status == "multiple, not specified" or len(selected) > 1:
                return MULTIRACIAL
            if len(selected) == 1:
                return selected[0]
            return UNKNOWN

        values = [label(s, t) for s, t in zip(self.selections, self.status, strict=True)]
        return pd.Series(
            pd.Categorical(values, categories=ALONE_CATEGORIES),
            index=self.selections.index,
            name="race_ethnicity",
        )

    def alone_or_in_combination(self) -> pd.DataFrame:
        """One row per person and selected category (people with several selections
        appear several times, with the same index). People without a known selection
        appear once, as "Unknown", "Declined" or "Multiracial and/or Multiethnic"
        (categories not recorded). Group counts add up to more than the number of people.
        """
        rows, index = [], []
        alone = self.alone()
        for position, (selected, fallback) in enumerate(zip(self.selections, alone, strict=True)):
            for category in selected or (fallback,):
                rows.append(category)
                index.append(self.selections.index[position])
        return pd.DataFrame(
            {"race_ethnicity": pd.Categorical(rows, categories=ALONE_CATEGORIES)},
            index=pd.Index(index, name=self.selections.index.name),
        )


def _map_one(text: str, codes: Mapping[str, str]) -> tuple[tuple[str, ...], str]:
    if text in codes:
        target = codes[text]
        if target == UNKNOWN:
            return (), "unknown"
        if target == DECLINED:
            return (), "declined"
        if target == MULTIRACIAL:
            return (), "multiple, not specified"
        return (target,), "mapped"
    parts = [p for p in _SEPARATORS.split(text) if p]
    if len(parts) > 1 and all(codes.get(p) in SPD15_CATEGORIES for p in parts):
        chosen = {codes[p] for p in parts}
        return tuple(c for c in SPD15_CATEGORIES if c in chosen), "mapped"
    return (), "unrecognized"


def recode_race_ethnicity(
    race,
    hispanic=None,
    *,
    codes: Mapping[str, str] | None = None,
    min_cell: int = 11,
) -> RaceEthnicity:
    """Map race/ethnicity codes to the 2024 SPD 15 categories, with a mapping report.

    Parameters
    ----------
    race:
        A pandas Series (or list) of codes: SPD 15 names, common abbreviations ("B",
        "AA", "W", "AI/AN"...), several categories separated by ``;`` or ``|``
        ("Black or African American;White"), or "Unknown"/"Declined" variants.
        Blank and missing values count as Unknown.
    hispanic:
        Optional second column in the older two-question format (Yes/No/Y/N/1/0,
        blank): "Yes" adds "Hispanic or Latino" to the person's selections.
    codes:
        Extra or overriding codes: a mapping from a code (any case) to an SPD 15
        category name, "Multiracial and/or Multiethnic", "Unknown" or "Declined".
    min_cell:
        Counts from 1 to ``min_cell - 1`` in the report are hidden (see
        :mod:`equitylab.privacy`); ``0`` shows every count.

    Returns
    -------
    RaceEthnicity
        ``.alone()``, ``.alone_or_in_combination()``, ``.selections``, ``.status``
        and ``.report``.

    Raises
    ------
    EquityLabError
        If ``codes`` maps to something that is not a category, or the two columns
        have different lengths.
    """
    race = pd.Series(race) if not isinstance(race, pd.Series) else race
    table = dict(DEFAULT_CODES)
    allowed = set(ALONE_CATEGORIES)
    for code, target in (codes or {}).items():
        if target not in allowed:
            raise EquityLabError(
                f"code {code!r} maps to {target!r}, which is not a category; use one of: "
                + ", ".join(ALONE_CATEGORIES)
            )
        table[_clean(code)] = target
    if hispanic is not None:
        hispanic = pd.Series(hispanic) if not isinstance(hispanic, pd.Series) else hispanic
        if len(hispanic) != len(race):
            raise EquityLabError(
                f"race has {len(race)} values but hispanic has {len(hispanic)}; "
                "pass two columns of the same table"
            )
        pairs = pd.DataFrame({"race": race.to_numpy(), "hispanic": hispanic.to_numpy()})
    else:
        pairs = pd.DataFrame({"race": race.to_numpy()})

    keys = pairs.map(_clean)
    distinct = keys.drop_duplicates()
    mapping: dict[tuple, tuple[tuple[str, ...], str]] = {}
    for row in distinct.itertuples(index=False):
        selected, status = _map_one(row.race, table)
        if hispanic is not None:
            answer = row.hispanic
            if answer in _HISPANIC_YES:
                merged = {*selected, _HISPANIC}
                selected = tuple(c for c in SPD15_CATEGORIES if c in merged)
                status = status if status == "multiple, not specified" else "mapped"
            elif (
                answer not in _HISPANIC_NO
                and answer
                and table.get(answer)
                not in {
                    UNKNOWN,
                    DECLINED,
                }
            ):
                status = "unrecognized" if not selected else status
        mapping[tuple(row)] = (selected, status)

    as_tuples = [tuple(r) for r in keys.itertuples(index=False)]
    selections = pd.Series([mapping[k][0] for k in as_tuples], index=race.index, name="selections")
    status = pd.Series([mapping[k][1] for k in as_tuples], index=race.index, name="status")

    originals = pairs.copy()
    originals["key"] = as_tuples
    grouped = originals.groupby("key", sort=False, dropna=False)
    report = grouped.first().reset_index(drop=True)
    report = report.rename(columns={"race": "value", "hispanic": "hispanic_value"})
    report["maps_to"] = [_describe(*mapping[k]) for k in grouped.size().index]
    report["status"] = [mapping[k][1] for k in grouped.size().index]
    report["rows"] = grouped.size().to_numpy()
    report = report.sort_values(["status", "rows"], ascending=[True, False], kind="stable")
    report["rows"] = suppress_counts(report["rows"], min_cell=min_cell)
    return RaceEthnicity(selections, status, report.reset_index(drop=True))


def _describe(selected: tuple[str, ...], status: str) -> str:
    """What a code became, as the report shows it: the person's group in ``alone()``,
    with the recorded categories in brackets when that group is Multiracial."""
    multiple = status == "multiple, not specified" or len(selected) > 1
    if not multiple:
        return selected[0] if selected else _fallback(status)
    recorded = "; ".join(selected)
    if status == "multiple, not specified":
        recorded = f"{recorded} + races not specified" if recorded else ""
    return f"{MULTIRACIAL} ({recorded})" if recorded else MULTIRACIAL


def _fallback(status: str) -> str:
    return {
        "declined": DECLINED,
        "multiple, not specified": MULTIRACIAL,
    }.get(status, UNKNOWN)
