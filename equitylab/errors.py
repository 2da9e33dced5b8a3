"""The one exception family raised by equitylab.

Every message names what is wrong (the column, value or argument at fault) and
what to do about it, so that an analyst can fix the input without reading the
source code.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["EquityLabError", "require_columns"]


class EquityLabError(ValueError):
    """Bad input to an equitylab function, with a message that says how to fix it.

    Subclasses ``ValueError`` so that code which already catches
    ``ValueError`` keeps working.
    """


def require_columns(columns: Iterable[object], needed: Iterable[str], *, place: str = "") -> None:
    """Raise :class:`EquityLabError` naming every column of ``needed`` not in ``columns``.

    ``place`` describes the table when it is not the caller's main input (for
    example ``" in the sums"``); the message lists the columns there are.
    """
    present = list(columns)
    missing = [c for c in needed if c not in present]
    if missing:
        raise EquityLabError(
            f"column(s) {', '.join(map(repr, missing))} not found{place}; "
            f"columns are: {', '.join(map(str, present))}"
        )
