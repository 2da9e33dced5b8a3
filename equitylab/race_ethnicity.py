"""Race and ethnicity following the 2024 OMB SPD 15, from the codes real extracts contain.

The 2024 revision of Statistical Policy Directive No. 15 (OMB, "Revisions to OMB's
Statistical Policy Directive No. 15: Standards for Maintaining, Collecting, and
Presenting Federal Data on Race and Ethnicity", Federal Register 89 FR 22182,
March 29, 2024, document 2024-06469) asks one combined race and ethnicity question,
allows several selections, and has seven minimum categories
(:data:`SPD15_CATEGORIES`). It also asks for **detailed** categories by default
(Filipino, Mexican, Somali, Navajo Nation...), each of which belongs to one minimum
category. People who select more than one minimum category are shown as
"Multiracial and/or Multiethnic" when each person is counted once ("alone"
tabulation), or in every category they selected ("alone or in combination"
tabulation, whose group counts add up to more than the number of people).

:func:`recode_race_ethnicity` maps the codes found in extracts ("B", "AA",
"Caucasian", "Filipino", "Patient refused"...) and the older two-question format (a
race column plus a separate Hispanic-ethnicity column) to those categories:

- a **detailed** group (:data:`DETAILED_GROUPS`) counts in its minimum category, and
  the detailed label is kept (``RaceEthnicity.detail`` and the report);
- a **refusal** in any common phrasing ("Patient refused", "Declined to answer",
  "Chose not to disclose"...) becomes Declined, never Unknown;
- **"Other"** or "Some other race" becomes its own group, :data:`ANOTHER`
  ("Another race or ethnicity (not specified)"): the person answered, so it is not
  Unknown, but SPD 15 has no such category, so it is not one of the seven either;
- a value it cannot map becomes Unknown, with the status "unrecognized".

Nothing is dropped: the mapping report says what each distinct value became.

For alone-or-in-combination counts, :func:`stratify_in_combination` gives one table
per minimum category (people in it, alone or in combination, and people not in
it), each protected on its own. Those tables overlap one another, so the summary
measures of :mod:`equitylab.measures` refuse them: use the alone groups there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import EquityLabError
from .privacy import is_small, suppress_counts

__all__ = [
    "ANOTHER",
    "DECLINED",
    "DETAILED_GROUPS",
    "IN_COMBINATION_COLUMN",
    "MULTIRACIAL",
    "SPD15_CATEGORIES",
    "UNKNOWN",
    "RaceEthnicity",
    "combine_reports",
    "recode_race_ethnicity",
    "stratify_in_combination",
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
#: The group of people who answered "Other" or "Some other race". It is an answer, so
#: not Unknown, but not an SPD 15 category either (the 2024 standard has none such).
ANOTHER = "Another race or ethnicity (not specified)"
UNKNOWN = "Unknown"
DECLINED = "Declined"

_AIAN, _ASIAN, _BLACK, _HISPANIC, _MENA, _NHPI, _WHITE = SPD15_CATEGORIES

#: Detailed groups and the minimum category each belongs to. Sources, per family:
#: "definition" = the examples in the standard's definition of the minimum category
#: (89 FR 22182, 2024); "form" = further examples printed on the standard's example
#: combined question with detailed categories; "Census" = a detailed group the
#: Census Bureau tabulates under that category. Ambiguous names ("Indian", "Native",
#: "African", "Spanish") are left out on purpose and stay "unrecognized".
DETAILED_GROUPS: dict[str, str] = {
    # American Indian or Alaska Native. Definition: Navajo Nation, Blackfeet Tribe of
    # the Blackfeet Indian Reservation of Montana, Mayan, Aztec, Native Village of
    # Barrow Inupiat Traditional Government, Nome Eskimo Community. Census: the
    # largest tribal groupings it tabulates (Cherokee, Sioux/Lakota, Chippewa/Ojibwe,
    # Choctaw, Apache, Lumbee, Pueblo, Creek; Yup'ik, Inupiat, Tlingit, Aleut).
    "Navajo Nation": _AIAN,
    "Blackfeet Tribe": _AIAN,
    "Mayan": _AIAN,
    "Aztec": _AIAN,
    "Native Village of Barrow Inupiat Traditional Government": _AIAN,
    "Nome Eskimo Community": _AIAN,
    "Cherokee": _AIAN,
    "Lakota": _AIAN,
    "Sioux": _AIAN,
    "Chippewa": _AIAN,
    "Ojibwe": _AIAN,
    "Choctaw": _AIAN,
    "Apache": _AIAN,
    "Lumbee": _AIAN,
    "Pueblo": _AIAN,
    "Creek": _AIAN,
    "Yup'ik": _AIAN,
    "Inupiat": _AIAN,
    "Tlingit": _AIAN,
    "Aleut": _AIAN,
    # Asian. Definition: Chinese, Asian Indian, Filipino, Vietnamese, Korean, Japanese.
    # Form: Pakistani, Hmong, Afghan (the standard's example lists Afghan under Asian,
    # not under Middle Eastern or North African). Census: Bangladeshi, Burmese,
    # Cambodian, Indonesian, Laotian, Malaysian, Nepalese, Sri Lankan, Taiwanese, Thai.
    "Chinese": _ASIAN,
    "Asian Indian": _ASIAN,
    "Filipino": _ASIAN,
    "Vietnamese": _ASIAN,
    "Korean": _ASIAN,
    "Japanese": _ASIAN,
    "Pakistani": _ASIAN,
    "Hmong": _ASIAN,
    "Afghan": _ASIAN,
    "Bangladeshi": _ASIAN,
    "Burmese": _ASIAN,
    "Cambodian": _ASIAN,
    "Indonesian": _ASIAN,
    "Laotian": _ASIAN,
    "Malaysian": _ASIAN,
    "Nepalese": _ASIAN,
    "Sri Lankan": _ASIAN,
    "Taiwanese": _ASIAN,
    "Thai": _ASIAN,
    # Black or African American. Definition: African American, Jamaican, Haitian,
    # Nigerian, Ethiopian, Somali. Form: Trinidadian and Tobagonian, Ghanaian,
    # Congolese. Census: Eritrean, Kenyan, Liberian, Cameroonian, Sierra Leonean.
    "African American": _BLACK,
    "Jamaican": _BLACK,
    "Haitian": _BLACK,
    "Nigerian": _BLACK,
    "Ethiopian": _BLACK,
    "Somali": _BLACK,
    "Trinidadian and Tobagonian": _BLACK,
    "Ghanaian": _BLACK,
    "Congolese": _BLACK,
    "Eritrean": _BLACK,
    "Kenyan": _BLACK,
    "Liberian": _BLACK,
    "Cameroonian": _BLACK,
    "Sierra Leonean": _BLACK,
    # Hispanic or Latino. Definition: Mexican, Puerto Rican, Salvadoran, Cuban,
    # Dominican, Guatemalan, "and other Central or South American or Spanish culture
    # or origin". Form: Colombian, Honduran, Spaniard. Census: the other Central and
    # South American origins below.
    "Mexican": _HISPANIC,
    "Puerto Rican": _HISPANIC,
    "Salvadoran": _HISPANIC,
    "Cuban": _HISPANIC,
    "Dominican": _HISPANIC,
    "Guatemalan": _HISPANIC,
    "Colombian": _HISPANIC,
    "Honduran": _HISPANIC,
    "Spaniard": _HISPANIC,
    "Nicaraguan": _HISPANIC,
    "Costa Rican": _HISPANIC,
    "Panamanian": _HISPANIC,
    "Venezuelan": _HISPANIC,
    "Ecuadorian": _HISPANIC,
    "Peruvian": _HISPANIC,
    "Bolivian": _HISPANIC,
    "Chilean": _HISPANIC,
    "Argentinean": _HISPANIC,
    "Uruguayan": _HISPANIC,
    "Paraguayan": _HISPANIC,
    # Middle Eastern or North African. Definition: Lebanese, Iranian, Egyptian,
    # Syrian, Iraqi, Israeli. Form: Moroccan, Yemeni, Emirati. Census (its Middle
    # Eastern and North African groups): Arab, Palestinian, Jordanian, Algerian,
    # Tunisian, Libyan, Saudi Arabian, Kuwaiti, Chaldean, Assyrian.
    "Lebanese": _MENA,
    "Iranian": _MENA,
    "Egyptian": _MENA,
    "Syrian": _MENA,
    "Iraqi": _MENA,
    "Israeli": _MENA,
    "Moroccan": _MENA,
    "Yemeni": _MENA,
    "Emirati": _MENA,
    "Arab": _MENA,
    "Palestinian": _MENA,
    "Jordanian": _MENA,
    "Algerian": _MENA,
    "Tunisian": _MENA,
    "Libyan": _MENA,
    "Saudi Arabian": _MENA,
    "Kuwaiti": _MENA,
    "Chaldean": _MENA,
    "Assyrian": _MENA,
    # Native Hawaiian or Pacific Islander. Definition: Native Hawaiian, Samoan,
    # Chamorro, Tongan, Fijian, Marshallese. Form: Chuukese, Palauan, Tahitian.
    "Native Hawaiian": _NHPI,
    "Samoan": _NHPI,
    "Chamorro": _NHPI,
    "Tongan": _NHPI,
    "Fijian": _NHPI,
    "Marshallese": _NHPI,
    "Chuukese": _NHPI,
    "Palauan": _NHPI,
    "Tahitian": _NHPI,
    # White. Definition: English, German, Irish, Italian, Polish, Scottish. Form:
    # French, Swedish, Norwegian. Census: Dutch, Greek, Russian, Ukrainian.
    "English": _WHITE,
    "German": _WHITE,
    "Irish": _WHITE,
    "Italian": _WHITE,
    "Polish": _WHITE,
    "Scottish": _WHITE,
    "French": _WHITE,
    "Swedish": _WHITE,
    "Norwegian": _WHITE,
    "Dutch": _WHITE,
    "Greek": _WHITE,
    "Russian": _WHITE,
    "Ukrainian": _WHITE,
}

#: Other spellings of detailed groups (matched like codes), and the label kept.
_DETAILED_SPELLINGS: dict[str, str] = {
    "navajo": "Navajo Nation",
    "blackfeet": "Blackfeet Tribe",
    "blackfeet tribe of the blackfeet indian reservation of montana": "Blackfeet Tribe",
    "maya": "Mayan",
    "ojibwa": "Ojibwe",
    "yupik": "Yup'ik",
    "iñupiat": "Inupiat",
    "indian (asian)": "Asian Indian",
    "filipina": "Filipino",
    "trinidadian": "Trinidadian and Tobagonian",
    "somalian": "Somali",
    "mexican american": "Mexican",
    "chicano": "Mexican",
    "chicana": "Mexican",
    "salvadorean": "Salvadoran",
    "argentine": "Argentinean",
    "argentinian": "Argentinean",
    "saudi": "Saudi Arabian",
    "hawaiian": "Native Hawaiian",
    "guamanian": "Chamorro",
    "guamanian or chamorro": "Chamorro",
}

#: Codes seen in health-system extracts (matched after lower-casing and collapsing
#: spaces), each mapped to a minimum category or to Multiracial and/or Multiethnic,
#: Another race or ethnicity, Unknown or Declined. Every detailed group of
#: :data:`DETAILED_GROUPS` (and its other spellings) is included. Left out on purpose,
#: so that they stay "unrecognized" and visible in the report: "Indian" (Asian
#: Indian or American Indian?), "Native" and "African" (several categories), and
#: "Spanish" (often a language).
DEFAULT_CODES: dict[str, str] = {
    **{c.lower(): c for c in SPD15_CATEGORIES},
    # American Indian or Alaska Native
    "american indian": _AIAN,
    "alaska native": _AIAN,
    "alaskan native": _AIAN,
    "ai/an": _AIAN,
    "aian": _AIAN,
    "ai": _AIAN,
    "native american": _AIAN,
    "american indian/alaska native": _AIAN,
    # Asian
    "a": _ASIAN,
    "asian american": _ASIAN,
    "south asian": _ASIAN,
    "east asian": _ASIAN,
    "southeast asian": _ASIAN,
    # Black or African American
    "b": _BLACK,
    "black": _BLACK,
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
    "hispanic or latina": _HISPANIC,
    # Middle Eastern or North African
    "mena": _MENA,
    "middle eastern": _MENA,
    "north african": _MENA,
    "middle eastern/north african": _MENA,
    # Native Hawaiian or Pacific Islander (the 1997 standard said "Other Pacific Islander")
    "nhpi": _NHPI,
    "nhopi": _NHPI,
    "pacific islander": _NHPI,
    "native hawaiian or other pacific islander": _NHPI,
    "native hawaiian/pacific islander": _NHPI,
    # White
    "w": _WHITE,
    "caucasian": _WHITE,
    "european": _WHITE,
    # Detailed groups, in every spelling known
    **{label.lower(): category for label, category in DETAILED_GROUPS.items()},
    **{spelling: DETAILED_GROUPS[label] for spelling, label in _DETAILED_SPELLINGS.items()},
    # Several categories, but not which
    "multiple": MULTIRACIAL,
    "multiracial": MULTIRACIAL,
    "multiethnic": MULTIRACIAL,
    "two or more races": MULTIRACIAL,
    "multiracial and/or multiethnic": MULTIRACIAL,
    "multiracial or multiethnic": MULTIRACIAL,
    # "Other": the person answered, with a group the form did not list
    "other": ANOTHER,
    "other race": ANOTHER,
    "some other race": ANOTHER,
    "some other race or ethnicity": ANOTHER,
    "other race or ethnicity": ANOTHER,
    "another race": ANOTHER,
    "another race or ethnicity": ANOTHER,
    "sor": ANOTHER,
    # Declined (more phrasings are caught by _REFUSAL below)
    "declined": DECLINED,
    "patient declined": DECLINED,
    "refused": DECLINED,
    "patient refused": DECLINED,
    "declined to answer": DECLINED,
    "declined to state": DECLINED,
    "chose not to disclose": DECLINED,
    "choose not to disclose": DECLINED,
    "prefer not to say": DECLINED,
    "prefer not to answer": DECLINED,
    "does not wish to disclose": DECLINED,
    "not disclosed": DECLINED,
    # Unknown / not recorded
    "": UNKNOWN,
    "unknown": UNKNOWN,
    "unk": UNKNOWN,
    "u": UNKNOWN,
    "not recorded": UNKNOWN,
    "not reported": UNKNOWN,
    "not asked": UNKNOWN,
    "not specified": UNKNOWN,
    "unable to obtain": UNKNOWN,
    "missing": UNKNOWN,
    "n/a": UNKNOWN,
    "na": UNKNOWN,
    "null": UNKNOWN,
    "none": UNKNOWN,
    "nan": UNKNOWN,
}

#: Refusals in other words ("Patient refused to answer", "Declined to specify",
#: "Prefers not to disclose", "Did not wish to answer"...): a whole value that is
#: not a known code but says the person refused or chose not to answer.
_REFUSAL = re.compile(
    r"\b(refus\w*|declin\w*|unwilling"
    r"|(prefer|prefers|preferred|chose|choose|chooses|wish|wishes|wished) not to"
    r"|(do|does|did) not (wish|want) to)\b"
)

_DETAIL_BY_KEY: dict[str, str] = {
    **{label.lower(): label for label in DETAILED_GROUPS},
    **_DETAILED_SPELLINGS,
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
    "non hispanic",
    "not hispanic or latino",
    "not hispanic/latino",
}
_SEPARATORS = re.compile(r"\s*[;|]\s*")

#: Order of the "alone" groups in results.
ALONE_CATEGORIES = (*SPD15_CATEGORIES, MULTIRACIAL, ANOTHER, UNKNOWN, DECLINED)

#: Statuses of a recoded value (``RaceEthnicity.status`` and the report).
MAPPED = "mapped"
MULTIPLE = "multiple, not specified"
OTHER = "other (not an SPD 15 category)"
STATUS_DECLINED = "declined"
STATUS_UNKNOWN = "unknown"
UNRECOGNIZED = "unrecognized"

#: The grouping column of the tables :func:`stratify_in_combination` returns.
IN_COMBINATION_COLUMN = "race_ethnicity_in_combination"


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    return " ".join(str(value).strip().lower().split())


def _in_combination_labels(category: str) -> tuple[str, str]:
    """The two informative rows of a category's alone-or-in-combination table."""
    return f"{category} (alone or in combination)", f"Not {category}"


@dataclass(frozen=True)
class RaceEthnicity:
    """The result of :func:`recode_race_ethnicity`.

    Attributes
    ----------
    selections:
        For each person, the tuple of SPD 15 minimum categories they selected
        (empty when unknown, declined or "Other"), in the standard's order.
    status:
        For each person: ``"mapped"``; ``"multiple, not specified"`` (a code such as
        "Multiple" that says several categories apply but not which, or a category
        listed with "Other"); ``"other (not an SPD 15 category)"`` ("Other", "Some
        other race": counted as Another race or ethnicity, not as Unknown);
        ``"declined"``; ``"unknown"``; or ``"unrecognized"`` (a code that could not
        be mapped; counted as Unknown).
    report:
        One row per distinct input value (or race/Hispanic pair): what it became
        (``maps_to``), its ``status`` and how many ``rows`` had it (counts of 1–10
        hidden unless ``min_cell=0``). ``maps_to`` is the person's group in
        :meth:`alone`; for people counted as Multiracial and/or Multiethnic it also
        lists, in brackets, the categories that were recorded (which
        :meth:`alone_or_in_combination` counts), and a detailed group is named after
        it: ``"Asian [detailed: Filipino]"``.
    detail:
        For each person, the detailed groups recorded (:data:`DETAILED_GROUPS`,
        e.g. ``"Filipino"`` or ``"Mexican; Irish"``), missing when only minimum
        categories (or no answer) were recorded. SPD 15 asks for the detail by
        default: tabulate it with ``stratify(df.assign(detail=result.detail), ...)``.
    """

    selections: pd.Series
    status: pd.Series
    report: pd.DataFrame
    detail: pd.Series | None = None

    def alone(self) -> pd.Series:
        """Each person once: their single category, "Multiracial and/or Multiethnic"
        for two or more, "Another race or ethnicity (not specified)" for "Other", or
        "Unknown" / "Declined"."""
        labels: dict[tuple, str] = {}
        values = []
        for pair in zip(self.selections, self.status, strict=True):
            if pair not in labels:
                labels[pair] = _alone_label(*pair)
            values.append(labels[pair])
        return pd.Series(
            pd.Categorical(values, categories=ALONE_CATEGORIES),
            index=self.selections.index,
            name="race_ethnicity",
        )

    def alone_or_in_combination(self) -> pd.DataFrame:
        """One row per person and selected category (people with several selections
        appear several times, with the same index). People without a known selection
        appear once, as "Unknown", "Declined", "Another race or ethnicity (not
        specified)" or "Multiracial and/or Multiethnic" (categories not recorded).
        Group counts add up to more than the number of people, so the frame is marked
        ``attrs["overlapping_groups"] = True``; for rates use
        :func:`stratify_in_combination`, which protects each category on its own.
        """
        rows, index = [], []
        alone = self.alone()
        for position, (selected, fallback) in enumerate(zip(self.selections, alone, strict=True)):
            for category in selected or (fallback,):
                rows.append(category)
                index.append(self.selections.index[position])
        frame = pd.DataFrame(
            {"race_ethnicity": pd.Categorical(rows, categories=ALONE_CATEGORIES)},
            index=pd.Index(index, name=self.selections.index.name),
        )
        frame.attrs["overlapping_groups"] = True
        return frame

    def in_combination(self, category: str) -> pd.Series:
        """For each person, whether they are in ``category`` alone or in combination.

        Values: ``"<category> (alone or in combination)"``, ``"Not <category>"``,
        ``"Unknown"`` (race and ethnicity not recorded or not recognized, or a
        "Multiple" / "Other" selection that does not say which categories, so it is
        not known whether the person is in this one) or
        ``"Declined"``. Each person is counted once, so a table of this column is
        one that small-cell protection and shares can rely on.
        """
        if category not in SPD15_CATEGORIES:
            raise EquityLabError(
                f"{category!r} is not an SPD 15 minimum category; use one of: "
                + ", ".join(SPD15_CATEGORIES)
            )
        inside, outside = _in_combination_labels(category)
        labels: dict[tuple, str] = {}
        values = []
        for selected, status in zip(self.selections, self.status, strict=True):
            pair = (selected, status)
            if pair not in labels:
                if category in selected:
                    labels[pair] = inside
                elif status == STATUS_DECLINED:
                    labels[pair] = DECLINED
                elif status in {MULTIPLE, STATUS_UNKNOWN, UNRECOGNIZED}:
                    labels[pair] = UNKNOWN
                else:
                    labels[pair] = outside
            values.append(labels[pair])
        return pd.Series(
            pd.Categorical(values, categories=[inside, outside, UNKNOWN, DECLINED]),
            index=self.selections.index,
            name=IN_COMBINATION_COLUMN,
        )


def _alone_label(selected: tuple[str, ...], status: str) -> str:
    if status == STATUS_DECLINED:
        return DECLINED
    if status == MULTIPLE or len(selected) > 1:
        return MULTIRACIAL
    if len(selected) == 1:
        return selected[0]
    if status == OTHER:
        return ANOTHER
    return UNKNOWN


_KINDS = {MULTIRACIAL: "multiple", ANOTHER: "other", DECLINED: "declined", UNKNOWN: "unknown"}


def _kind(
    text: str, codes: Mapping[str, str], *, wording: bool = True
) -> tuple[str, str | None, str | None] | None:
    """What one code says: (kind, minimum category, detailed label), or None if unknown.

    The kind is "category", "multiple", "other", "declined" or "unknown". With
    ``wording``, a code that is not in ``codes`` but says the person refused counts
    as "declined".
    """
    target = codes.get(text)
    if target is None:
        return ("declined", None, None) if wording and _REFUSAL.search(text) else None
    if target in SPD15_CATEGORIES:
        return "category", target, _DETAIL_BY_KEY.get(text)
    return _KINDS[target], None, None


def _map_one(text: str, codes: Mapping[str, str]) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """Selections, status and detailed labels of one cleaned value of the race column."""
    whole = _kind(text, codes, wording=False)
    parts = None if whole is None else [whole]
    pieces = [p for p in _SEPARATORS.split(text) if p]
    if parts is None and len(pieces) > 1:  # several selections: "Filipino;White"
        kinds = [_kind(p, codes) for p in pieces]
        parts = kinds if all(k is not None for k in kinds) else None
    if parts is None:  # a refusal in other words ("Patient refused to answer")
        whole = _kind(text, codes)
        parts = None if whole is None else [whole]
    if parts is None:
        return (), UNRECOGNIZED, ()
    chosen = {category for kind, category, _ in parts if kind == "category"}
    selected = tuple(c for c in SPD15_CATEGORIES if c in chosen)
    detail = tuple(dict.fromkeys(label for _, _, label in parts if label))
    kinds = {kind for kind, _, _ in parts}
    if selected:
        # A category listed with "Multiple" or "Other": several, not all of them named.
        status = MULTIPLE if kinds & {"multiple", "other"} else MAPPED
    elif "multiple" in kinds:
        status = MULTIPLE
    elif "other" in kinds:
        status = OTHER
    elif "declined" in kinds:
        status = STATUS_DECLINED
    else:
        status = STATUS_UNKNOWN
    return selected, status, detail


def _with_hispanic(
    answer: str,
    selected: tuple[str, ...],
    status: str,
    detail: tuple[str, ...],
    codes: Mapping[str, str],
) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    """Combine the answer of a separate Hispanic-ethnicity question (older format)."""
    target = codes.get(answer)
    if answer in _HISPANIC_YES or target == _HISPANIC:
        merged = {*selected, _HISPANIC}
        selected = tuple(c for c in SPD15_CATEGORIES if c in merged)
        label = _DETAIL_BY_KEY.get(answer) if target == _HISPANIC else None
        if label:
            detail = tuple(dict.fromkeys((*detail, label)))
        return selected, status if status == MULTIPLE else MAPPED, detail
    says_nothing = (
        answer in _HISPANIC_NO or not answer or target in {UNKNOWN, DECLINED}
    ) or _REFUSAL.search(answer)
    if not says_nothing and not selected and status == STATUS_UNKNOWN:
        status = UNRECOGNIZED
    return selected, status, detail


def _codes_table(codes: Mapping[str, str] | None) -> dict[str, str]:
    table = dict(DEFAULT_CODES)
    allowed = set(ALONE_CATEGORIES)
    for code, target in (codes or {}).items():
        if target not in allowed:
            raise EquityLabError(
                f"code {code!r} maps to {target!r}, which is not a category; use one of: "
                + ", ".join(ALONE_CATEGORIES)
            )
        table[_clean(code)] = target
    return table


def _factorize(values: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Codes per row and the distinct values, missing values (any kind) as one value."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    uniques = list(uniques)
    if (codes < 0).any():
        codes = np.where(codes < 0, len(uniques), codes)
        uniques.append(None)
    return codes, uniques


def _object_array(values: Sequence[object]) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        array[i] = value
    return array


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
        "AA", "W", "AI/AN"...), detailed groups ("Filipino", "Mexican", "Somali",
        "Navajo Nation": :data:`DETAILED_GROUPS`), several selections separated by
        ``;`` or ``|`` ("Black or African American;White", "Filipino;Irish"),
        "Other" / "Some other race", or Unknown and refusal phrasings ("Patient
        refused", "Declined to answer", "Chose not to disclose"...). Blank and
        missing values count as Unknown.
    hispanic:
        Optional second column in the older two-question format (Yes/No/Y/N/1/0,
        blank, or a Hispanic origin such as "Mexican"): "Yes" adds "Hispanic or
        Latino" to the person's selections, so a blank or "Other" race with "Yes"
        is Hispanic or Latino alone.
    codes:
        Extra or overriding codes: a mapping from a code (any case) to an SPD 15
        category name, "Multiracial and/or Multiethnic", "Another race or ethnicity
        (not specified)", "Unknown" or "Declined".
    min_cell:
        Counts from 1 to ``min_cell - 1`` in the report are hidden (see
        :mod:`equitylab.privacy`); ``0`` shows every count.

    Returns
    -------
    RaceEthnicity
        ``.alone()``, ``.alone_or_in_combination()``, ``.in_combination(category)``,
        ``.selections``, ``.status``, ``.detail`` and ``.report``. Each distinct value
        is mapped once, the same way wherever it occurs, so recoding a file piece by
        piece gives the same result as recoding it whole (:func:`combine_reports`
        adds up the pieces' reports).

    Raises
    ------
    EquityLabError
        If ``codes`` maps to something that is not a category, or the two columns
        have different lengths.

    Examples
    --------
    >>> result = recode_race_ethnicity(["Filipino", "Patient refused", "Other", "W;B"])
    >>> result.alone().tolist()
    ['Asian', 'Declined', 'Another race or ethnicity (not specified)', \
'Multiracial and/or Multiethnic']
    >>> result.detail.tolist()[0]
    'Filipino'
    """
    race = pd.Series(race) if not isinstance(race, pd.Series) else race
    table = _codes_table(codes)
    race_codes, race_values = _factorize(race)
    columns = [race_values]
    if hispanic is not None:
        hispanic = pd.Series(hispanic) if not isinstance(hispanic, pd.Series) else hispanic
        if len(hispanic) != len(race):
            raise EquityLabError(
                f"race has {len(race)} values but hispanic has {len(hispanic)}; "
                "pass two columns of the same table"
            )
        hispanic_codes, hispanic_values = _factorize(hispanic)
        columns.append(hispanic_values)
        combined = race_codes.astype(np.int64) * len(hispanic_values) + hispanic_codes
        pair_codes, pairs = pd.factorize(combined)  # distinct pairs, in order of appearance
        pairs = [divmod(int(p), len(hispanic_values)) for p in pairs]
    else:
        pair_codes, pairs = race_codes, [(i,) for i in range(len(race_values))]

    # Distinct pairs -> distinct cleaned keys, in order of first appearance.
    key_ids: dict[tuple[str, ...], int] = {}
    key_of_pair = np.empty(len(pairs), dtype=np.int64)
    originals: list[list[object]] = []
    for p, pair in enumerate(pairs):
        raw = [values[i] for values, i in zip(columns, pair, strict=True)]
        key = tuple(_clean(v) for v in raw)
        k = key_ids.setdefault(key, len(key_ids))
        if k == len(originals):
            originals.append(raw)
        else:  # like groupby().first(): the first value that is not missing
            originals[k] = [
                new if (old is None or _missing(old)) else old
                for old, new in zip(originals[k], raw, strict=True)
            ]
        key_of_pair[p] = k
    row_key = key_of_pair[pair_codes] if len(pairs) else np.zeros(0, dtype=np.int64)

    mapped = []
    for key in key_ids:
        selected, status, detail = _map_one(key[0], table)
        if hispanic is not None:
            selected, status, detail = _with_hispanic(key[1], selected, status, detail, table)
        mapped.append((selected, status, detail))

    selections = pd.Series(
        _object_array([m[0] for m in mapped])[row_key], index=race.index, name="selections"
    )
    status = pd.Series(
        np.asarray([m[1] for m in mapped], dtype=object)[row_key],
        index=race.index,
        name="status",
    )
    detail = pd.Series(
        _object_array(["; ".join(m[2]) if m[2] else None for m in mapped])[row_key],
        index=race.index,
        name="detail",
    )

    report = pd.DataFrame(
        {"value": [o[0] for o in originals]}
        | ({"hispanic_value": [o[1] for o in originals]} if hispanic is not None else {})
    )
    report["maps_to"] = [_describe(*m) for m in mapped]
    report["status"] = [m[1] for m in mapped]
    report["rows"] = np.bincount(row_key, minlength=len(mapped)).astype(np.int64)
    return RaceEthnicity(selections, status, _finish_report(report, min_cell), detail)


def _missing(value: object) -> bool:
    return value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _finish_report(report: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """Sort the report (status, most rows first, then the values alphabetically, so
    that the order does not depend on where in a file a value first appears) and
    hide small counts."""
    values = [c for c in ("value", "hispanic_value") if c in report.columns]
    ties = {f"_tie_{c}": report[c].map(_clean) for c in values}
    report = (
        report.assign(**ties)
        .sort_values(
            ["status", "rows", *ties],
            ascending=[True, False, *[True] * len(ties)],
            kind="stable",
        )
        .drop(columns=list(ties))
    )
    report["rows"] = suppress_counts(report["rows"], min_cell=min_cell)
    return report.reset_index(drop=True)


def combine_reports(reports: Iterable[pd.DataFrame], *, min_cell: int = 11) -> pd.DataFrame:
    """One mapping report from the reports of several pieces of the same file.

    Each piece must have been recoded with ``min_cell=0`` (so that its counts are
    complete); the combined counts are protected here. The result is the report
    :func:`recode_race_ethnicity` gives for the whole file at once.
    """
    frames = [r for r in reports if len(r)]
    if not frames:
        raise EquityLabError("there are no reports to combine (the table has no rows)")
    whole = pd.concat(frames, ignore_index=True)
    if whole["rows"].isna().any():
        raise EquityLabError(
            "a report to combine has hidden counts: recode each piece with min_cell=0 and "
            "protect the combined report (combine_reports(..., min_cell=11))"
        )
    values = [c for c in ("value", "hispanic_value") if c in whole.columns]
    key = pd.Series(
        list(zip(*(whole[c].map(_clean) for c in values), strict=True)), index=whole.index
    )
    grouped = whole.groupby(key, sort=False)
    report = grouped[[*values, "maps_to", "status"]].first().reset_index(drop=True)
    report["rows"] = grouped["rows"].sum().to_numpy().astype(np.int64)
    return _finish_report(report, min_cell)


def _describe(selected: tuple[str, ...], status: str, detail: tuple[str, ...] = ()) -> str:
    """What a code became, as the report shows it: the person's group in ``alone()``,
    with the recorded categories in brackets when that group is Multiracial, and the
    detailed groups recorded."""
    multiple = status == MULTIPLE or len(selected) > 1
    if not multiple:
        text = selected[0] if selected else _fallback(status)
    else:
        recorded = "; ".join(selected)
        if status == MULTIPLE:
            recorded = f"{recorded} + races not specified" if recorded else ""
        text = f"{MULTIRACIAL} ({recorded})" if recorded else MULTIRACIAL
    return f"{text} [detailed: {'; '.join(detail)}]" if detail else text


def _fallback(status: str) -> str:
    return {
        STATUS_DECLINED: DECLINED,
        MULTIPLE: MULTIRACIAL,
        OTHER: ANOTHER,
    }.get(status, UNKNOWN)


# --- alone-or-in-combination tables ------------------------------------------------------

_OVERLAP_NOTE = (
    "alone-or-in-combination groups: a person who selected several categories is in "
    "several of these tables, so the tables together count people more than once; "
    "compare groups with the alone table, not across these tables"
)
_BESIDE_ALONE_NOTE = (
    "do not publish this table beside the alone table: the difference between the two "
    "counts the people who selected {category} and another category, and that count (or "
    "the count with or without the outcome) is between 1 and {top}"
)


def stratify_in_combination(
    df: pd.DataFrame,
    race_ethnicity: RaceEthnicity,
    outcome: str,
    *,
    by: str | Sequence[str] | None = None,
    ci: str = "wilson",
    level: float = 0.95,
    min_cell: int = 11,
    higher_is_better: bool = True,
    max_groups: int = 1000,
) -> dict[str, pd.DataFrame]:
    """Rates for everyone in each SPD 15 category, alone or in combination.

    Alone-or-in-combination groups overlap (a person who selected Asian and White is
    in both), so they cannot be rows of one table: its rows would add up to more
    than the number of people, and the totals that small-cell protection and
    population shares rely on would be wrong. Instead, each minimum category gets
    its own table, one row per person: people in the category
    (``"Asian (alone or in combination)"``), people not in it (``"Not Asian"``), and
    people for whom it is not known (``"Unknown"``, ``"Declined"``; rows appear
    only when such people exist). Each table is exactly :func:`~equitylab.stratify.stratify`
    on the column :meth:`RaceEthnicity.in_combination` gives, so it is protected on
    its own with the usual small-cell suppression; there is no total row.

    Tables published side by side can give away what each one hides: a category's
    in-combination row minus its row in the alone table counts the people who
    selected it and another category. When that difference (or its split by the
    outcome) is a small count, the table's notes say so, so that only one of the
    two is published.

    Parameters
    ----------
    df:
        The pandas DataFrame the race and ethnicity were recoded from (same rows, in
        the same order), holding ``outcome`` and any ``by`` columns.
    race_ethnicity:
        The result of :func:`recode_race_ethnicity` for ``df``'s rows.
    outcome, ci, level, min_cell, higher_is_better, max_groups:
        As for :func:`~equitylab.stratify.stratify`.
    by:
        Optional further grouping columns (an intersection with membership).

    Returns
    -------
    dict
        ``{category: table}`` for the seven minimum categories, in the standard's
        order. Each table's grouping column is ``race_ethnicity_in_combination``;
        its rows compare people in the category with people not in it (the
        reference, for one-way tables). ``attrs`` holds what ``stratify`` records,
        plus ``overlapping_groups=True`` and ``alone_or_in_combination`` (the
        category): the summary measures of :mod:`equitylab.measures` refuse these
        tables, because across categories they count people more than once.

    Raises
    ------
    EquityLabError
        If ``df`` is not a pandas DataFrame of the recoded rows, or for anything
        ``stratify`` refuses.
    """
    from .stratify import stratify

    if not isinstance(df, pd.DataFrame):
        raise EquityLabError(
            f"stratify_in_combination needs a pandas DataFrame, got {type(df).__name__} "
            "(convert it first, e.g. with .to_pandas())"
        )
    if not isinstance(race_ethnicity, RaceEthnicity):
        raise EquityLabError(
            "race_ethnicity must be the result of recode_race_ethnicity(), got "
            f"{type(race_ethnicity).__name__}"
        )
    if len(race_ethnicity.selections) != len(df):
        raise EquityLabError(
            f"the recoded race and ethnicity has {len(race_ethnicity.selections):,} people "
            f"but the table has {len(df):,} rows; recode a column of this table"
        )
    extra = [] if by is None else [by] if isinstance(by, str) else list(by)
    if IN_COMBINATION_COLUMN in df.columns or IN_COMBINATION_COLUMN in extra:
        raise EquityLabError(
            f"the table already has a column {IN_COMBINATION_COLUMN!r}; rename it first"
        )
    keys = [IN_COMBINATION_COLUMN, *extra]

    def counts(groups: pd.Series) -> dict[tuple, tuple[int, int]]:
        """Unprotected n and events per group (never shown; compared below)."""
        data = df.assign(**{IN_COMBINATION_COLUMN: groups.array})
        full = stratify(data, keys, outcome, min_cell=0, max_groups=max_groups)
        labels = full[keys].astype(str).itertuples(index=False, name=None)
        return dict(zip(labels, zip(full["n"], full["events"], strict=True), strict=True))

    alone = counts(race_ethnicity.alone()) if min_cell else {}
    tables = {}
    for category in SPD15_CATEGORIES:
        membership = race_ethnicity.in_combination(category)
        data = df.assign(**{IN_COMBINATION_COLUMN: membership.array})
        notes = [_OVERLAP_NOTE]
        if min_cell and _gives_away(counts(membership), alone, category, min_cell):
            notes.append(_BESIDE_ALONE_NOTE.format(category=category, top=min_cell - 1))
        outside = _in_combination_labels(category)[1]
        has_outside = not extra and bool((membership == outside).any())
        table = stratify(
            data,
            [IN_COMBINATION_COLUMN, *extra],
            outcome,
            ci=ci,
            level=level,
            min_cell=min_cell,
            reference=outside if has_outside else None,
            higher_is_better=higher_is_better,
            max_groups=max_groups,
        )
        table.attrs["overlapping_groups"] = True
        table.attrs["alone_or_in_combination"] = category
        table.attrs["notes"] = [*table.attrs.get("notes", []), *notes]
        tables[category] = table
    return tables


def _gives_away(
    inside: dict[tuple, tuple[int, int]],
    alone: dict[tuple, tuple[int, int]],
    category: str,
    min_cell: int,
) -> bool:
    """Whether a category's in-combination rows minus its alone rows (the people who
    selected it and another category) are a count of 1 to min_cell - 1."""
    label = _in_combination_labels(category)[0]
    for key, (n, events) in inside.items():
        if key[0] != label:
            continue
        n_alone, events_alone = alone.get((category, *key[1:]), (0, 0))
        differences = [n - n_alone, events - events_alone]
        differences.append(differences[0] - differences[1])
        if is_small(differences, min_cell).any():
            return True
    return False
