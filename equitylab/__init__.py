"""equitylab — the library behind the Health Equity Leadership Lab.

Pure, tested functions for measuring health disparities honestly, plus thin
plotting (:mod:`equitylab.plots`) and widget (:mod:`equitylab.widgets`) layers.
The plotting and widget modules import matplotlib and ipywidgets, so they are
loaded only when first used: ``import equitylab`` stays fast and works on a
server without a display.

Typical use, as in the book::

    import equitylab as el
    table = el.published_table("hypertension_control_2015_2016")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import qi
from ._version import __version__
from .data import load_dataset, validate
from .errors import EquityLabError
from .estimates import from_estimates
from .exercises import Feedback, check
from .intervals import clopper_pearson, katz_ratio, newcombe_difference, wilson
from .measures import (
    Measure,
    between_group_variance,
    concentration_index,
    disparity_summary,
    gap_in_people,
    gini,
    index_of_disparity,
    mean_difference,
    mean_log_deviation,
    population_attributable_risk,
    rate_difference,
    rate_ratio,
    relative_index,
    slope_index,
    theil_index,
)
from .privacy import DEFAULT_MIN_CELL, audit_release
from .published import published_source, published_table, published_tables
from .quizzes import load_quiz, quiz
from .race_ethnicity import SPD15_CATEGORIES, recode_race_ethnicity, stratify_in_combination
from .standardize import age_standardize, standardized_ratio
from .stratify import completeness, stratify, stratify_chunks, stratify_rates
from .warehouse import stratify_counts, stratify_rates_counts, stratify_rates_sql, stratify_sql

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from . import plots, widgets

__all__ = [
    "DEFAULT_MIN_CELL",
    "SPD15_CATEGORIES",
    "EquityLabError",
    "Feedback",
    "Measure",
    "__version__",
    "age_standardize",
    "audit_release",
    "between_group_variance",
    "check",
    "clopper_pearson",
    "completeness",
    "concentration_index",
    "disparity_summary",
    "from_estimates",
    "gap_in_people",
    "gini",
    "index_of_disparity",
    "katz_ratio",
    "load_dataset",
    "load_quiz",
    "mean_difference",
    "mean_log_deviation",
    "newcombe_difference",
    "plots",
    "population_attributable_risk",
    "published_source",
    "published_table",
    "published_tables",
    "qi",
    "quiz",
    "rate_difference",
    "rate_ratio",
    "recode_race_ethnicity",
    "relative_index",
    "slope_index",
    "standardized_ratio",
    "stratify",
    "stratify_chunks",
    "stratify_counts",
    "stratify_in_combination",
    "stratify_rates",
    "stratify_rates_counts",
    "stratify_rates_sql",
    "stratify_sql",
    "theil_index",
    "validate",
    "widgets",
    "wilson",
]

_LAZY_SUBMODULES = {"plots", "widgets"}


def __getattr__(name: str) -> Any:
    """Import the presentation layers (matplotlib, ipywidgets) on first use."""
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'equitylab' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY_SUBMODULES)
