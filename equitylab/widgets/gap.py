"""The gap explorer: a gap between two rates, counted in people."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..measures import gap_in_people
from ._base import needs_kernel

__all__ = ["GapExplorer", "gap_explorer"]


class GapExplorer(widgets.VBox):
    """Turn a gap between two rates into a number of people, for any group size.

    Move ``size`` (a slider) and ``result`` (an HTML line) shows how many
    people in the group the gap stands for, computed by
    :func:`~equitylab.measures.gap_in_people`.

    Parameters
    ----------
    group_rate, reference_rate:
        Proportions between 0 and 1 for the group and the reference group.
    group_label, reference_label:
        Plural descriptions, e.g. ``"Black adults with hypertension"``.
    outcome:
        The favourable outcome, e.g. ``"their blood pressure controlled"``.
    initial_size, max_size, step:
        The slider's start, maximum and step (numbers of people).
    """

    def __init__(
        self,
        group_rate: float,
        reference_rate: float,
        *,
        group_label: str,
        reference_label: str,
        outcome: str,
        initial_size: int = 2_000,
        max_size: int = 100_000,
        step: int = 100,
    ) -> None:
        # Validate once, up front, through the same function the callback uses.
        gap_in_people(initial_size, group_rate, reference_rate)
        self.group_rate = group_rate
        self.reference_rate = reference_rate
        self.group_label = group_label
        self.reference_label = reference_label
        self.outcome = outcome
        self.size = widgets.IntSlider(
            value=initial_size,
            min=0,
            max=max_size,
            step=step,
            description=f"Number of {group_label}",
            readout_format=",",
            continuous_update=False,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="min(100%, 38rem)"),
        )
        self.result = widgets.HTML()
        super().__init__([self.size, self.result])
        self.size.observe(self._update, names="value")
        self._update()
        needs_kernel(self)

    def _update(self, change: dict | None = None) -> None:
        people = gap_in_people(self.size.value, self.group_rate, self.reference_rate)
        self.result.value = (
            f"<p>If the {self.size.value:,} {html.escape(self.group_label)} had "
            f"{html.escape(self.outcome)} as often as {html.escape(self.reference_label)} "
            f"({100 * self.group_rate:.1f}% against {100 * self.reference_rate:.1f}%), about "
            f"<strong>{round(people):,} more people</strong> would have "
            f"{html.escape(self.outcome)}.</p>"
        )


def gap_explorer(group_rate: float, reference_rate: float, **options) -> GapExplorer:
    """A :class:`GapExplorer` widget; ``options`` are its keyword arguments.

    It needs a kernel to respond, so it is marked with :func:`needs_kernel`.
    """
    return GapExplorer(group_rate, reference_rate, **options)
