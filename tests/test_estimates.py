"""Measures from published estimates (from_estimates) and the transformed SII model.

Known answers: the slope and relative index of inequality of UKHSA's PHEindicatormethods
(github.com/ukhsa-collaboration/PHEindicatormethods, commit
093fd288d8f8949dbcfbed70049dbbf385b6141d), tests/testthat/testdata_SII.xlsx, whose
expected values come from PHE's Excel SII tool and are checked by
tests/testthat/testSII.R: deciles of life expectancy (value type 0, "default"), of a
rate (value type 1) and of a proportion (value type 2), untransformed and with the log
or logit transformation (phe_sii(transform = TRUE)). Point estimates are exact; the
intervals are simulated there (100,000 draws) and here, so they are compared to within
2% of the published interval's width. Also Chesson et al. (Sex Transm Dis
2017;44:513-518), Table 2, reached through published rates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import equitylab as el
from equitylab import measures as m

DECILES = list(range(1, 11))  # decile 1 is the most deprived: rank 0

LE_AREA1 = {  # records 1-10: default (e.g. life expectancy) - default parameters, area1
    "population": [7291, 7997, 6105, 7666, 5790, 6934, 5918, 5974, 7147, 7534],
    "value": [
        75.9334590103081,
        78.3442382727843,
        83.8360631041654,
        83.6375399664931,
        80.4655031529559,
        81.1156759857022,
        81.6930835718562,
        84.1900062060987,
        80.5955641081472,
        86.2894349578624,
    ],
    "lower": [
        72.7220530546453,
        75.2509802190802,
        80.8697295124759,
        80.157578356036,
        77.1308785969275,
        78.0499986811178,
        79.011578491948,
        81.4457282769343,
        75.827185168894,
        83.2190593454592,
    ],
    "upper": [
        79.1448649659708,
        81.4374963264884,
        86.8023966958549,
        87.1175015769501,
        83.8001277089842,
        84.1813532902866,
        84.3745886517644,
        86.9342841352631,
        85.3639430474004,
        89.3598105702656,
    ],
    "se": [
        1.638472426358545,
        1.578192884542907,
        1.5134355059640296,
        1.7754906175801293,
        1.7013390591981388,
        1.56412107376755,
        1.3681148366878566,
        1.4001418005940802,
        2.4328463975781616,
        1.5665181695934678,
    ],
}
LE_AREA2 = {  # records 11-20: default (e.g. life expectancy) - default parameters, area2
    "population": [21675, 20065, 19750, 24713, 20112, 19618, 22408, 19752, 18939, 19312],
    "value": [
        70.54853186,
        71.57155734,
        72.48698671,
        73.51985519,
        73.14605425,
        76.15898712,
        78.65444871,
        80.56476961,
        80.85486627,
        79.9711253,
    ],
    "lower": [
        70.09853186,
        71.12155734,
        72.03698671,
        73.06985519,
        72.69605425,
        75.70898712,
        78.20444871,
        80.11476961,
        80.40486627,
        79.5211253,
    ],
    "upper": [70.99853186, 72.14, 73.21, 73.7, 75.8, 78.76, 79.77, 81.21, 81.30486627, 80.9],
    "se": [
        0.22959183673469533,
        0.2598068010204095,
        0.2992380841836735,
        0.16075122704081746,
        0.7918228954081618,
        0.7783196122448984,
        0.39937532908163315,
        0.2793955076530606,
        0.22959183673469533,
        0.3517537500000029,
    ],
}
RATE_AREA1 = {  # records 71-80: rate (e.g. infant mortality) - default parameters, area1
    "population": [279012, 255993, 236961, 214315, 192812, 183546, 168593, 164822, 154836, 138165],
    "value": [
        5.892219689475721,
        4.7345044591063035,
        3.827634083245766,
        3.8681380211371112,
        3.6771570234217785,
        3.1436261209723995,
        3.1258711808912585,
        2.942568346458604,
        2.82879950399132,
        2.7648101907140012,
    ],
    "lower": [
        5.614959662410748,
        4.475920770781004,
        3.586926055445024,
        3.6140791140579505,
        3.4166969870147965,
        2.8977176350029272,
        2.870493809285979,
        2.6924041297904315,
        2.57630573787527,
        2.501420619088458,
    ],
    "upper": [
        6.183085357576154,
        5.0079519402470885,
        4.0844291026854505,
        4.1399822998098585,
        3.9573934822289045,
        3.4103317188858107,
        3.4038909874130083,
        3.2159015715579464,
        3.1059621495836955,
        3.05584866618335,
    ],
    "se": [
        0.02458749781093432,
        0.028651772387909245,
        0.03313428067829554,
        0.03465674221781768,
        0.03747737394554521,
        0.041552591866051265,
        0.04347834474318538,
        0.045324801522114426,
        0.04769567606225466,
        0.05107105401330555,
    ],
}
RATE_AREA2 = {  # records 81-90: rate (e.g. infant mortality) - default parameters, area2
    "population": [13837, 14519, 14940, 14599, 12311, 21675, 20065, 19750, 24713, 20112],
    "value": [4.89675, 4.5678, 4.67666, 4.35666, 3.9, 3.8, 3.5, 3.2, 3.21, 2.8],
    "lower": [
        4.77675,
        4.4478,
        4.55666,
        4.23666,
        3.78,
        3.6799999999999997,
        3.38,
        3.08,
        3.09,
        2.6799999999999997,
    ],
    "upper": [4.97675, 4.6478, 4.75666, 4.43666, 3.98, 3.88, 3.58, 3.2800000000000002, 3.29, 2.88],
    "se": [
        0.010463435871035195,
        0.01122050955493271,
        0.010958123027823953,
        0.011766994423542733,
        0.013152502465522992,
        0.013500612615903717,
        0.014665074213694304,
        0.01604944525779827,
        0.015999100476435324,
        0.01836058663905341,
    ],
}
PROP_AREA1 = {  # records 91-100: proportion (e.g. child obesity) - default parameters, area1
    "population": [34353, 32112, 27715, 25372, 23889, 23260, 23180, 24193, 23609, 24488],
    "value": [
        0.21212121212121202,
        0.214281265570503,
        0.204077214504781,
        0.19186504808450303,
        0.174808489262841,
        0.16663800515907098,
        0.156039689387403,
        0.146571322283305,
        0.140370197805921,
        0.120875530872264,
    ],
    "lower": [
        0.207830499225555,
        0.209827711465288,
        0.19937351725899902,
        0.187066648694241,
        0.170044640703038,
        0.16190410576997,
        0.151425075468518,
        0.142170753783533,
        0.13599767093637602,
        0.11685200990738201,
    ],
    "upper": [
        0.216476300812899,
        0.218803170788612,
        0.208862933590925,
        0.19675673996565,
        0.17967690552753499,
        0.17148199783416998,
        0.160768288675927,
        0.151084110529924,
        0.144859737537153,
        0.125017980504761,
    ],
    "se": [
        0.013197018471840493,
        0.013599402535469379,
        0.014903436058054755,
        0.015942525582502205,
        0.01703390526979317,
        0.017593885815626962,
        0.018098141690297317,
        0.018176743057472546,
        0.01873422095544007,
        0.019601724030759937,
    ],
}
PROP_AREA2 = {  # records 101-110: proportion (e.g. child obesity) - default parameters, area2
    "population": [36111, 31803, 26681, 24184, 23023, 21506, 22197, 23679, 23271, 23464],
    "value": [
        0.12079421782836301,
        0.117410307203723,
        0.11363891908099401,
        0.105896460469732,
        0.10007383920427401,
        0.09411327071514931,
        0.08730909582376001,
        0.0836606275602855,
        0.0797559193846418,
        0.0696812137742925,
    ],
    "lower": [
        0.117473271937339,
        0.11391851782536101,
        0.109886239767609,
        0.102080757108839,
        0.09626388594689321,
        0.0902830437346462,
        0.0836665612937408,
        0.08020120762600881,
        0.0763441201710209,
        0.0664933849950753,
    ],
    "upper": [
        0.12419583434331499,
        0.120994510822713,
        0.117502836842961,
        0.10983734511402099,
        0.104017228033421,
        0.09808847293030461,
        0.09109444792373561,
        0.0872551115710111,
        0.0833064392278473,
        0.0730099206057122,
    ],
    "se": [
        0.016146775138005474,
        0.017418243061058977,
        0.019288400690570365,
        0.020895990883188453,
        0.02195906395930766,
        0.023351345596214483,
        0.02377464167013697,
        0.02346839135649071,
        0.024194175488285865,
        0.02563725693767251,
    ],
}
LOG_AREA1, LOG_AREA2 = RATE_AREA1, RATE_AREA2  # records 306-325: the same rates, log model
LOGIT_AREA1, LOGIT_AREA2 = PROP_AREA1, PROP_AREA2  # records 326-345: the same, logit model

# Expected (sii, rii, sii_lower, sii_upper, rii_lower, rii_upper) at 95%, columns
# sii, rii, sii_lowercl_1, sii_uppercl_1, rii_lowercl_1, rii_uppercl_1 of the first
# record of each block.
PHE_EXPECTED = {
    "LE_AREA1": (
        6.9346164736688189,
        1.0888180804446217,
        3.1275946176508169,
        10.7586873680794,
        1.0383690591642838,
        1.1412993360251238,
    ),
    "LE_AREA2": (
        12.547846636351798,
        1.180885620848795,
        11.936156426792138,
        13.163020132396579,
        1.1713706914325628,
        1.1904396357244886,
    ),
    "RATE_AREA1": (
        -3.2752012326471758,
        0.40600068953980034,
        -3.5868233016744155,
        -2.9653170017272723,
        0.36888170199068804,
        0.44624776652446996,
    ),
    "RATE_AREA2": (
        -2.2876789027787421,
        0.53525176979876143,
        -2.3985255584029543,
        -2.1761883614121236,
        0.51734312584916309,
        0.55373948894972824,
    ),
    "PROP_AREA1": (
        -0.10720032333730493,
        0.53340153064655071,
        -0.11220857220984691,
        -0.1021798062145461,
        0.51712731963580183,
        0.55015384129130041,
    ),
    "PROP_AREA2": (
        -5.81854710713103e-2,
        0.54701284615554346,
        -6.2166295708858489e-2,
        -5.4174547731294348e-2,
        0.52371450740074543,
        0.5714617043537692,
    ),
    "LOG_AREA1": (
        -3.1559071389545599,
        0.44188484360768232,
        -3.4809615490242884,
        -2.8332373447636319,
        0.40827440803607229,
        0.47856632650069308,
    ),
    "LOG_AREA2": (
        -2.2954691808474057,
        0.54461447597370527,
        -2.4232236888525982,
        -2.1680757851505641,
        0.52707454415684196,
        0.56277497454053882,
    ),
    "LOGIT_AREA1": (
        -0.1096462611125906,
        0.53417757432539459,
        -0.11490838449464633,
        -0.10443087776045443,
        0.51853338500746282,
        0.5501741213468927,
    ),
    "LOGIT_AREA2": (
        -5.970061643992898e-2,
        0.54720744261319809,
        -6.3924254937272079e-2,
        -5.546135190988595e-2,
        0.52484325438271295,
        0.57071057104286427,
    ),
}
# Intercepts (the back-transformed prediction at rank 0) published for the transformed
# blocks: phe_sii(intercept = TRUE).
PHE_INTERCEPT = {
    "LOG_AREA1": 5.6545806054694703,
    "LOG_AREA2": 5.0407161838435188,
    "LOGIT_AREA1": 0.23538210070887111,
    "LOGIT_AREA2": 0.13184981834612891,
}
CASES = {
    # block: (kind, per, model)
    "LE_AREA1": ("mean", None, "wls"),
    "LE_AREA2": ("mean", None, "wls"),
    "RATE_AREA1": ("rate", 1000, "wls"),
    "RATE_AREA2": ("rate", 1000, "wls"),
    "PROP_AREA1": ("proportion", None, "wls"),
    "PROP_AREA2": ("proportion", None, "wls"),
    "LOG_AREA1": ("rate", 1000, "transformed"),
    "LOG_AREA2": ("rate", 1000, "transformed"),
    "LOGIT_AREA1": ("proportion", None, "transformed"),
    "LOGIT_AREA2": ("proportion", None, "transformed"),
}


def _block(name: str) -> pd.DataFrame:
    data = globals()[name]
    return pd.DataFrame({"decile": DECILES, **data})


def _estimates(name: str, **options) -> pd.DataFrame:
    kind, per, _ = CASES[name]
    uncertainty = options.pop("uncertainty", {"lower": "lower", "upper": "upper"})
    return el.from_estimates(
        _block(name),
        "decile",
        "value",
        population="population",
        kind=kind,
        per=per,
        higher_is_better=True,
        **uncertainty,
        **options,
    )


@pytest.mark.parametrize("name", list(CASES))
def test_sii_and_rii_match_phe_sii(name: str) -> None:
    _, _, model = CASES[name]
    table = _estimates(name)
    sii = m.slope_index(table, order=DECILES, model=model, replicates=10_000)
    rii = m.relative_index(table, order=DECILES, model=model, replicates=10_000)
    value, ratio, sii_low, sii_high, rii_low, rii_high = PHE_EXPECTED[name]
    assert sii.value == pytest.approx(value, rel=1e-10)
    assert rii.value == pytest.approx(ratio, rel=1e-10)
    # Both intervals are simulated: within 2% of the published interval's width. For the
    # transformed model phe_sii back-transforms the slope's limits around the fitted
    # midpoint, where equitylab back-transforms every simulated line (the SII's own
    # sampling distribution): their SII limits differ by up to 0.4% of the limit, 3.4% of
    # the width, on these data. The log model's RII depends on the slope alone: no gap.
    sii_tolerance = 0.05 if model == "transformed" else 0.02
    for ours, theirs, width, tolerance in (
        (sii.ci_low, sii_low, sii_high - sii_low, sii_tolerance),
        (sii.ci_high, sii_high, sii_high - sii_low, sii_tolerance),
        (rii.ci_low, rii_low, rii_high - rii_low, 0.02),
        (rii.ci_high, rii_high, rii_high - rii_low, 0.02),
    ):
        assert ours == pytest.approx(theirs, abs=tolerance * width)
        if model == "transformed":
            assert ours == pytest.approx(theirs, rel=0.005)
    assert "normal draws" in sii.ci_method and model in sii.name


@pytest.mark.parametrize("name", list(PHE_INTERCEPT))
def test_transformed_model_intercept_matches_phe_sii(name: str) -> None:
    # SII = g^-1(a + b) - g^-1(a): the back-transformed intercept is the prediction at rank 0.
    table = _estimates(name)
    sii = m.slope_index(table, order=DECILES, model="transformed", replicates=20)
    rii = m.relative_index(table, order=DECILES, model="transformed", replicates=20)
    intercept = PHE_INTERCEPT[name]
    assert intercept * (rii.value - 1) == pytest.approx(sii.value, rel=1e-10)
    top = intercept + sii.value
    assert top / intercept == pytest.approx(rii.value, rel=1e-12)
    assert "transformed" in sii.definition and "PHEindicatormethods" in sii.definition


def test_standard_errors_give_the_same_interval_as_the_limits_for_a_mean() -> None:
    # PHE's own test: the life-expectancy SII with se= or with the limits (symmetric here).
    by_limits = m.slope_index(_estimates("LE_AREA1"), order=DECILES, replicates=2_000)
    by_se = m.slope_index(
        _estimates("LE_AREA1", uncertainty={"se": "se"}), order=DECILES, replicates=2_000
    )
    assert by_se.value == by_limits.value
    assert by_se.ci_low == pytest.approx(by_limits.ci_low, rel=0.01)
    assert by_se.ci_high == pytest.approx(by_limits.ci_high, rel=0.01)


def test_transformed_model_on_a_table_of_counts() -> None:
    # The proportions of records 326-345 are counts over populations (column Count): a
    # stratify table of those counts gives the same transformed SII, with a binomial
    # bootstrap interval.
    counts = [7287, 6881, 5656, 4868, 4176, 3876, 3617, 3546, 3314, 2960]
    population = LOGIT_AREA1["population"]
    aggregate = pd.DataFrame(
        {
            "decile": DECILES,
            "ones": counts,
            "zeros": [p - c for p, c in zip(population, counts, strict=True)],
        }
    )
    table = el.stratify_counts(aggregate, "decile", higher_is_better=True)
    sii = m.slope_index(table, order=DECILES, model="transformed", replicates=200)
    assert sii.value == pytest.approx(PHE_EXPECTED["LOGIT_AREA1"][0], rel=1e-6)
    assert sii.ci_low < sii.value < sii.ci_high and "binomial" in sii.ci_method


def test_transformed_model_refuses_means_and_the_logistic_model_refuses_rates() -> None:
    with pytest.raises(el.EquityLabError, match="not transformed"):
        m.slope_index(_estimates("LE_AREA1"), order=DECILES, model="transformed")
    with pytest.raises(el.EquityLabError, match="logistic models are for proportions"):
        m.slope_index(_estimates("RATE_AREA1"), order=DECILES, model="logistic")
    with pytest.raises(el.EquityLabError, match="model must be one of"):
        m.slope_index(_estimates("RATE_AREA1"), order=DECILES, model="log")


def test_transformed_model_on_a_rates_table() -> None:
    # stratify_rates tables take the log model too; a zero rate makes it undefined.
    frame = pd.DataFrame(
        {"q": [1, 2, 3, 4, 5], "events": [50, 40, 30, 25, 20], "time": [1000.0] * 5}
    )
    table = el.stratify_rates(frame, "q", "events", "time", per=1000, min_cell=0)
    sii = m.slope_index(table, order=[1, 2, 3, 4, 5], model="transformed", replicates=50)
    x = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    slope, intercept = np.polyfit(x, np.log([50, 40, 30, 25, 20]), 1)  # equal weights
    assert sii.value == pytest.approx(np.exp(intercept + slope) - np.exp(intercept), rel=1e-9)
    frame.loc[0, "events"] = 0
    table = el.stratify_rates(frame, "q", "events", "time", per=1000, min_cell=0)
    assert np.isnan(m.slope_index(table, order=[1, 2, 3, 4, 5], model="transformed").value)


# --- from_estimates: the table, its checks and its small-number protection ---------------


def test_the_table_has_the_shape_the_measures_take() -> None:
    table = _estimates("PROP_AREA1")
    assert list(table.columns) == ["decile", "n", "rate", "se", "ci_low", "ci_high", "suppressed"]
    assert table.attrs["from_estimates"] is True and table.attrs["kind"] == "proportion"
    assert table.attrs["uncertainty"] == "interval" and table.attrs["published"] is False
    assert table.attrs["weighted_by"] == "population" and table.attrs["by"] == ["decile"]
    assert "hidden" in table.attrs["small_numbers"] and not table["suppressed"].any()
    assert "events" not in table.columns  # no counts are made up


def test_percentages_are_turned_into_proportions() -> None:
    block = _block("PROP_AREA1")
    percent = block.assign(value=100 * block["value"], lower=100 * block["lower"])
    percent["upper"] = 100 * block["upper"]
    table = el.from_estimates(
        percent,
        "decile",
        "value",
        population="population",
        kind="proportion",
        per=100,
        lower="lower",
        upper="upper",
    )
    assert table["rate"].to_numpy() == pytest.approx(block["value"].to_numpy())
    assert any("divided by 100" in note for note in table.attrs["notes"])
    with pytest.raises(el.EquityLabError, match="pass per=100"):
        el.from_estimates(percent, "decile", "value", population="population", kind="proportion")


SMALL = pd.DataFrame(
    {
        "area": ["North", "South", "East", "West"],
        "percent": [4.0, 20.0, 25.0, 30.0],  # 4% of 150 people implies 6 people
        "people": [150, 400, 500, 600],
    }
)


def test_implied_small_counts_are_hidden_with_a_partner() -> None:
    table = el.from_estimates(
        SMALL, "area", "percent", population="people", kind="proportion", per=100
    )
    hidden = table.set_index("area")["suppressed"]
    assert hidden["North"] and hidden.sum() >= 2  # complementary suppression
    assert table.loc[table["suppressed"], "rate"].isna().all()
    summary = m.between_group_variance(table, higher_is_better=True)
    assert "North" in summary.notes[0]


def test_published_figures_are_shown_and_recorded() -> None:
    table = el.from_estimates(
        SMALL, "area", "percent", population="people", kind="proportion", per=100, published=True
    )
    assert not table["suppressed"].any() and table.attrs["published"] is True
    assert "declared already published" in table.attrs["small_numbers"]


def test_other_small_numbers_are_hidden_too() -> None:
    # the people without the outcome (99% of 500 leaves 5), a small population, a rate
    small = pd.DataFrame({"g": ["a", "b", "c"], "p": [0.99, 0.5, 0.4], "n": [500, 800, 900]})
    table = el.from_estimates(small, "g", "p", population="n", kind="proportion")
    assert table.set_index("g").loc["a", "suppressed"]
    tiny = pd.DataFrame({"g": ["a", "b", "c"], "le": [80.0, 81.0, 79.0], "n": [8, 800, 900]})
    table = el.from_estimates(tiny, "g", "le", population="n", kind="mean")
    assert table.set_index("g").loc["a", "suppressed"] and np.isnan(table.loc[0, "n"])
    rates = pd.DataFrame({"g": ["a", "b", "c"], "r": [3.0, 50.0, 60.0], "n": [2000, 900, 800]})
    table = el.from_estimates(rates, "g", "r", population="n", kind="rate", per=1000)
    assert table.set_index("g").loc["a", "suppressed"]  # 3 per 1,000 of 2,000 is 6 events
    # a tiny implied count is still at least one person
    tiny_rate = rates.assign(r=[0.1, 50.0, 60.0])
    table = el.from_estimates(tiny_rate, "g", "r", population="n", kind="rate", per=1000)
    assert table.set_index("g").loc["a", "suppressed"]


def test_weights_imply_no_counts_and_say_so() -> None:
    shares = SMALL.assign(share=SMALL["people"] / SMALL["people"].sum())
    table = el.from_estimates(shares, "area", "percent", weight="share", kind="proportion", per=100)
    assert not table["suppressed"].any() and table.attrs["weighted_by"] == "weight"
    assert "weights given" in table.attrs["small_numbers"]
    measure = m.theil_index(table, higher_is_better=True)
    assert "groups weighted by their weight" in measure.notes[-1]
    same = el.from_estimates(
        SMALL, "area", "percent", population="people", kind="proportion", per=100, published=True
    )
    assert measure.value == pytest.approx(m.theil_index(same, higher_is_better=True).value)


def test_estimates_without_uncertainty_give_values_without_intervals() -> None:
    table = el.from_estimates(
        _block("LE_AREA1"), "decile", "value", population="population", kind="mean"
    )
    sii = m.slope_index(table, order=DECILES, higher_is_better=True)
    assert sii.value == pytest.approx(PHE_EXPECTED["LE_AREA1"][0], rel=1e-10)
    assert np.isnan(sii.ci_low) and "without standard errors" in sii.ci_method


def test_an_estimate_at_a_bound_has_no_logit_scale_interval() -> None:
    block = _block("PROP_AREA1")
    block.loc[0, ["value", "lower"]] = [0.0, 0.0]
    table = el.from_estimates(
        block,
        "decile",
        "value",
        population="population",
        kind="proportion",
        lower="lower",
        upper="upper",
        published=True,
    )
    sii = m.slope_index(table, order=DECILES, higher_is_better=True, replicates=50)
    assert np.isfinite(sii.value) and np.isnan(sii.ci_low)
    assert "cannot be put on the logit scale" in sii.ci_method


def test_the_summary_takes_estimates() -> None:
    proportions = m.disparity_summary(
        _estimates("PROP_AREA1"), order=DECILES, replicates=100
    ).set_index("measure")
    assert "slope_index_logistic" in proportions.index
    assert proportions["ci_method"].str.contains("logit scale").all()
    means = m.disparity_summary(_estimates("LE_AREA1"), order=DECILES, replicates=100)
    assert not means["measure"].str.contains("logistic").any()
    row = means.set_index("measure").loc["slope_index_wls"]
    assert row["value"] == pytest.approx(PHE_EXPECTED["LE_AREA1"][0], rel=1e-10)
    assert "from published estimates (means)" in row["notes"]


def test_pairwise_comparisons_refuse_estimates() -> None:
    table = _estimates("PROP_AREA1")
    with pytest.raises(el.EquityLabError, match="need each group's counts"):
        m.rate_difference(table, 1, 10)
    with pytest.raises(el.EquityLabError, match="need each group's counts"):
        m.rate_ratio(table, 1, 10)


CHESSON_GROUPS = ["White, non-Hispanic", "Black, non-Hispanic", "Hispanic", "A/PI", "AI/AN"]
CHESSON_POPULATION = [200_000_000, 40_000_000, 55_000_000, 20_000_000, 3_000_000]


@pytest.mark.parametrize(
    ("cases", "index", "weighted"),
    [
        ([54000, 206080, 29100, 2900, 2485], 133.0, 114.8),  # scenario C (gonorrhea 2007)
        ([46800, 170480, 26350, 2880, 3222], 134.1, 112.1),  # scenario D (gonorrhea 2010)
    ],
)
def test_chesson_2017_index_of_disparity_from_published_rates(cases, index, weighted) -> None:
    # Chesson et al. (2017), Table 2: reported rates per 100,000 (cases / population) and
    # populations, as a report gives them; the printed indexes, to one decimal.
    rates = pd.DataFrame(
        {
            "group": CHESSON_GROUPS,
            "rate": [100_000 * c / p for c, p in zip(cases, CHESSON_POPULATION, strict=True)],
            "population": CHESSON_POPULATION,
        }
    )
    table = el.from_estimates(
        rates, "group", "rate", population="population", kind="rate", per=100_000
    )
    fast = {"higher_is_better": False, "replicates": 20}
    assert m.index_of_disparity(table, **fast).value == pytest.approx(index, abs=0.05)
    assert m.index_of_disparity(table, weighted=True, **fast).value == pytest.approx(
        weighted, abs=0.05
    )


@pytest.mark.parametrize(
    ("change", "options", "message"),
    [
        ({}, {"kind": "count"}, "kind must be one of"),
        ({}, {"kind": "rate", "per": None}, "say what the rates are per"),
        ({}, {"kind": "mean", "per": 100}, "a mean has no per"),
        ({}, {"per": 0}, "per must be a positive number"),
        ({}, {"weight": "people"}, "one of the two"),
        ({}, {"population": None}, "one of the two"),
        ({"people": [150, -1, 500, 600]}, {}, "above zero; it does not for: South"),
        ({"people": [150, 0, 500, 600]}, {}, "above zero"),
        ({"people": [150, None, 500, 600]}, {}, "above zero"),
        ({"percent": [4.0, -2.0, 25.0, 30.0]}, {}, "zero or more; negative for: South"),
        ({"percent": [4.0, "*", 25.0, 30.0]}, {}, r"must hold numbers; it also holds '\*'"),
        ({"area": ["North", "North", "East", "West"]}, {}, "repeated: North"),
        ({"area": ["North", None, "East", "West"]}, {}, "blank group label"),
        ({}, {"se": "se"}, "no standard error for: East"),
        ({}, {"lower": "low"}, "both lower= and upper="),
        ({}, {"lower": "low", "upper": "high"}, "must contain the estimate; they do not for: West"),
        ({}, {"se": "nope"}, "'nope' not found"),
        ({}, {"published": "yes"}, "published must be True or False"),
        ({}, {"level": 95}, "level must be a number between 0 and 1"),
        ({}, {"min_cell": -1}, "min_cell must be a whole number"),
    ],
)
def test_bad_estimates_say_what_to_fix(change, options, message) -> None:
    data = SMALL.assign(
        se=[1.0, 1.0, None, 1.0], low=[3.0, 18.0, 22.0, 31.0], high=[5.0, 22.0, 28.0, 33.0]
    )
    for column, values in change.items():
        data[column] = values
    arguments = {"population": "people", "kind": "proportion", "per": 100, **options}
    with pytest.raises(el.EquityLabError, match=message):
        el.from_estimates(data, "area", "percent", **arguments)


def test_a_missing_estimate_leaves_its_group_out() -> None:
    data = SMALL.assign(percent=[None, 20.0, 25.0, 30.0])
    table = el.from_estimates(
        data, "area", "percent", population="people", kind="proportion", per=100
    )
    assert any("no estimate given for: North" in note for note in table.attrs["notes"])
    measure = m.theil_index(table, higher_is_better=True, replicates=20)
    assert "North" in measure.notes[0]


def test_not_a_dataframe() -> None:
    with pytest.raises(el.EquityLabError, match="needs a pandas DataFrame"):
        el.from_estimates([1, 2], "g", "y", population="n", kind="mean")
