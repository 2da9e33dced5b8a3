"""Small-cell protection: no output shows, or lets a reader work out, a count of 1–10.

The rule follows the CMS cell-size suppression policy: counts from 1 to 10 are
not published, nor any value from which such a count can be derived. In
``equitylab`` the threshold is ``min_cell`` — the smallest non-zero count ever
shown (default 11, so 1–10 are hidden). Zero is shown: it identifies no one.
``min_cell=0`` switches protection off, and must be asked for explicitly.

What a table protects (:func:`protect_table`)
---------------------------------------------
*Primary suppression* hides a group whose number of people ``n``, number with the
outcome ``events`` or number without it ``n - events`` is between 1 and
``min_cell - 1``. When ``events`` (or ``n - events``) is hidden, so is everything
computed from it (rate, intervals, comparisons); when ``n`` is hidden, the whole
row is hidden, its share of the total included.

*Complementary suppression* then hides more groups so that no hidden count can
be recovered from the totals. The reader is assumed to know every marginal total
— the grand total and, for an intersection table (``by=["race", "sex"]``), every
row and column total, as a separate, protected one-way table would publish them
(a total that such a table would itself hide is not assumed known) — and to
reason with whole numbers, as an integer program would.

How the partners are chosen
~~~~~~~~~~~~~~~~~~~~~~~~~~~
A hidden count is safe when the table and its totals fit at least two different
whole-number values of it. The simplest proof is a *cycle* of hidden groups: in a
two-way table, four hidden cells at the corners of a rectangle (two rows, two
columns) can trade one person around the rectangle — one more in two opposite
corners, one fewer in the other two — without changing any row or column total;
in a k-way table the same holds for the 2^k corners of a box that takes two values
of every grouping column. For each hidden small count that no such box of hidden
groups protects yet, :func:`protect_table` hides the cheapest box around it: the
one that hides the fewest *substantive* groups, counting a group whose labels
include one of ``prefer_hidden`` (by default Unknown, Declined and Missing) as a
tenth of one, then the fewest people. A group whose label says who people are —
Multiracial and/or Multiethnic, a gender identity, a language — is never treated
as residual unless the caller lists it. Finally, within every known total the
hidden groups together must not add up to a count of 1 to ``min_cell - 1``
(two hidden groups of 3 and 4 would reveal a combined 7); a third group joins
them when they do.

Finding the fewest cells to hide is NP-hard even for two-way tables, so this is a
heuristic: it does not always find the smallest protection. The test suite
compares it with an integer-optimal suppression on small random tables, and the
benchmark report records the gap.

The audit
~~~~~~~~~
Every call ends with an audit that is never skipped: for every hidden count of 1
to ``min_cell - 1`` it either exhibits a second whole-number table that matches
everything shown and every known total (a box move, checked against every total),
or, where no such move exists, asks an integer program (HiGHS, through
``highspy``) whether any other whole-number value is possible. A count that is
still pinned down gets more partners; one that the marginal totals alone pin down
is beyond what the table can fix (see below).

What it cannot guarantee
------------------------
Protection holds *within* one table and its totals. Two tables cut differently
from the same people — say a race table and a race × clinic table, or the same
table before and after a month's new data — can together reveal a count that
neither reveals alone. :func:`audit_release` checks a set of tables published
side by side; beyond that, release one set of tables built with the same ``by``
variables and the same data, prefer broader groups (or longer periods) over many
fine ones, and have someone check the whole release, not each table alone.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from itertools import combinations, product

import numpy as np
import pandas as pd

from .errors import EquityLabError

__all__ = [
    "DEFAULT_MIN_CELL",
    "DEFAULT_PREFER_HIDDEN",
    "audit_release",
    "check_min_cell",
    "is_small",
    "primary_suppression",
    "protect_table",
    "suppress_counts",
]

#: Counts from 1 to 10 are hidden by default (CMS cell-size suppression policy).
DEFAULT_MIN_CELL = 11

#: Labels whose groups complementary suppression hides first, when it has a choice.
DEFAULT_PREFER_HIDDEN: tuple[str, ...] = ("Unknown", "Declined", "Missing")

# Weight of hiding a group whose labels include one of prefer_hidden, relative to a
# substantive group (1): ten such groups cost as much as one substantive group.
_RESIDUAL_WEIGHT = 0.1


def check_min_cell(min_cell: object) -> int:
    """Validate ``min_cell`` (a whole number, zero or more) and return it."""
    if isinstance(min_cell, bool) or not isinstance(min_cell, (int, np.integer)) or min_cell < 0:
        raise EquityLabError(
            f"min_cell must be a whole number, zero or more (default {DEFAULT_MIN_CELL}; "
            f"0 switches suppression off), got {min_cell!r}"
        )
    return int(min_cell)


def check_prefer_hidden(prefer_hidden: object) -> tuple[str, ...]:
    """Validate ``prefer_hidden`` (a list of group labels, possibly empty) and return it."""
    if prefer_hidden is None:
        return DEFAULT_PREFER_HIDDEN
    if isinstance(prefer_hidden, str) or not isinstance(prefer_hidden, (list, tuple, set)):
        raise EquityLabError(
            "prefer_hidden must be a list of group labels, e.g. ['Unknown', 'Declined'] "
            f"(or [] to prefer none), got {prefer_hidden!r}"
        )
    labels = tuple(prefer_hidden)
    bad = [label for label in labels if not isinstance(label, str) or not label.strip()]
    if bad:
        raise EquityLabError(f"prefer_hidden must hold group labels (text), got {bad[0]!r}")
    return labels


def is_small(counts, min_cell: int = DEFAULT_MIN_CELL) -> np.ndarray:
    """True where a count is between 1 and ``min_cell - 1`` (and so must not be shown)."""
    values = np.asarray(counts, dtype=float)
    return (values > 0) & (values < check_min_cell(min_cell))


def suppress_counts(counts, min_cell: int = DEFAULT_MIN_CELL) -> pd.Series:
    """A copy of ``counts`` (as nullable integers) with small counts replaced by <NA>."""
    series = pd.Series(counts)
    numbers = pd.to_numeric(series, errors="raise").astype("Int64")
    return numbers.mask(pd.Series(is_small(numbers.fillna(0), min_cell), index=series.index))


# --- the table's structure ----------------------------------------------------------------


class _Grid:
    """The groups of a table as positions in a k-dimensional grid of labels."""

    def __init__(self, keys: pd.DataFrame, prefer_hidden: Sequence[str]):
        keys = keys.reset_index(drop=True)
        self.cells = len(keys)
        self.columns = list(keys.columns)
        codes, self.labels = [], []
        for column in self.columns:
            code, uniques = pd.factorize(keys[column].astype(object), use_na_sentinel=False)
            codes.append(code)
            self.labels.append(np.asarray(uniques, dtype=object))
        self.k = len(self.columns)
        self.codes = np.stack(codes, axis=1) if codes else np.zeros((self.cells, 0), np.int64)
        self.shape = tuple(len(labels) for labels in self.labels)
        self.lookup = np.full(self.shape, -1, dtype=np.int64)
        if self.k:
            self.lookup[tuple(self.codes.T)] = np.arange(self.cells)
        prefer = {str(p) for p in prefer_hidden}
        residual = np.zeros(self.cells, dtype=bool)
        for d, labels in enumerate(self.labels):
            flags = np.array([str(label) in prefer for label in labels], dtype=bool)
            residual |= flags[self.codes[:, d]]
        self.weight = np.where(residual, _RESIDUAL_WEIGHT, 1.0)
        self._boxes: dict[int, list] = {}
        self._patterns = self._box_patterns() if self.k else []

    def boxes(self, cell: int) -> list[tuple[np.ndarray, np.ndarray, bool]]:
        """Every complete box with ``cell`` at one corner: for each non-empty set of
        grouping columns that the box varies (all of them first: a *full* box, which
        leaves every marginal total unchanged), an array (boxes, corners) of
        positions, the corners' signs, and whether the box is full. Boxes with a
        corner that is not a group of the table are left out; corner 0 is ``cell``."""
        found = self._boxes.get(cell)
        if found is None:
            found = self._boxes[cell] = self._all_boxes(cell)
        return found

    def _all_boxes(self, cell: int) -> list[tuple[np.ndarray, np.ndarray, bool]]:
        here = self.codes[cell]
        result = []
        for varied, others, corners, signs in self._patterns:
            # the other levels of each varied column: 0..size-2, skipping this cell's own
            alternative = others + (others >= here[list(varied)])
            codes = [np.full((len(others), len(corners)), here[d]) for d in range(self.k)]
            for j, d in enumerate(varied):
                codes[d] = np.where(corners[None, :, j], alternative[:, j : j + 1], here[d])
            positions = self.lookup[tuple(codes)]
            positions = positions[(positions >= 0).all(axis=1)]
            if len(positions):
                result.append((positions, signs, len(varied) == self.k))
        return result

    def _box_patterns(self) -> list:
        """Per set of varied columns (all first): every choice of other levels (as
        offsets), the corners (which columns take the other level) and their signs."""
        patterns = []
        for size in range(self.k, 0, -1):
            for varied in combinations(range(self.k), size):
                if any(self.shape[d] < 2 for d in varied):
                    continue
                grids = np.meshgrid(*[np.arange(self.shape[d] - 1) for d in varied], indexing="ij")
                others = np.stack([g.ravel() for g in grids], axis=1)
                corners = np.array(list(product((0, 1), repeat=size)), dtype=bool)
                signs = np.where(corners.sum(axis=1) % 2 == 0, 1, -1)
                patterns.append((varied, others, corners, signs))
        return patterns

    def margin_codes(self, subset: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        """For the margin over columns ``subset``: each group's margin number, and the
        margins' label codes (one row per margin)."""
        if not subset:
            return np.zeros(self.cells, dtype=np.int64), np.zeros((1, 0), dtype=np.int64)
        shape = tuple(self.shape[d] for d in subset)
        flat = np.ravel_multi_index(tuple(self.codes[:, d] for d in subset), shape)
        uniques, inverse = np.unique(flat, return_inverse=True)
        return inverse.ravel(), np.stack(np.unravel_index(uniques, shape), axis=1)


class _Counts:
    """The counts of a table and what the reader knows about them."""

    def __init__(self, n, events, bounded: bool):
        self.n = np.asarray(n, dtype=np.int64)
        self.e = np.asarray(events, dtype=np.int64)
        self.f = self.n - self.e
        self.bounded = bounded

    def primary(self, min_cell: int) -> tuple[np.ndarray, np.ndarray]:
        """Primary suppression: (hide_n, hide_outcome) for the groups whose own counts
        are small (hide_outcome includes hide_n)."""
        hide_n = is_small(self.n, min_cell)
        hide_o = hide_n | is_small(self.e, min_cell)
        if self.bounded:
            hide_o |= is_small(self.f, min_cell)
        return hide_n, hide_o


def _incidence(rows: list[np.ndarray], cells: int):
    """A sparse matrix with one row per known total, 1 for each group it adds up."""
    from scipy.sparse import csr_matrix

    if not rows:
        return csr_matrix((0, cells), dtype=np.int64)
    lengths = np.array([len(r) for r in rows])
    indptr = np.concatenate([[0], np.cumsum(lengths)])
    indices = np.concatenate(rows).astype(np.int64)
    return csr_matrix((np.ones(len(indices), dtype=np.int64), indices, indptr), (len(rows), cells))


def _known_totals(grid: _Grid, counts: _Counts, min_cell, prefer, cache) -> tuple[list, list]:
    """The totals a reader may know: those a protected marginal table would show.

    For each proper subset of the key columns, the table aggregated to those columns
    is protected with the same rules; its shown totals are the known totals (``n``
    totals and outcome totals separately). The grand total is known unless it is
    itself a small count. Returns two lists of position arrays.
    """
    known_n, known_o = [], []
    for size in range(grid.k):
        for subset in combinations(range(grid.k), size):
            member, labels = grid.margin_codes(subset)
            count = labels.shape[0]
            totals_n = np.bincount(member, weights=counts.n, minlength=count).astype(np.int64)
            totals_e = np.bincount(member, weights=counts.e, minlength=count).astype(np.int64)
            if not subset:
                hide_n = is_small(totals_n, min_cell)
                hide_o = hide_n | is_small(totals_e, min_cell)
                if counts.bounded:
                    hide_o |= is_small(totals_n - totals_e, min_cell)
            else:
                if subset not in cache:
                    keys = pd.DataFrame(
                        {
                            grid.columns[d]: grid.labels[d][labels[:, j]]
                            for j, d in enumerate(subset)
                        }
                    )
                    marginal = _Counts(totals_n, totals_e, counts.bounded)
                    sub_grid = _Grid(keys, prefer)
                    sub_cache = {
                        tuple(subset.index(d) for d in key): value
                        for key, value in cache.items()
                        if set(key) < set(subset)
                    }
                    cache[subset] = _protect(sub_grid, marginal, min_cell, prefer, sub_cache)
                hide_n, hide_o = cache[subset]
            order = np.argsort(member, kind="stable")
            groups = np.split(order, np.cumsum(np.bincount(member, minlength=count))[:-1])
            for positions, hn, ho in zip(groups, hide_n, hide_o, strict=True):
                if not hn:
                    known_n.append(positions)
                if not ho:
                    known_o.append(positions)
    return known_n, known_o


# --- moves: proofs that a hidden count is not pinned down -----------------------------------

# A move changes hidden values without changing anything shown or any known total.
# Layer "o": the outcome count moves and the group sizes stay (n fixed). Layer "n": the
# group sizes move, with the outcome count moving alongside ("e") or the count without
# the outcome moving alongside ("f").


def _move_feasible(counts: _Counts, cells: np.ndarray, signs: np.ndarray, layer: str):
    """For boxes (rows of ``cells``, with corner ``signs``): which direction of the move
    (+1, -1) keeps every count whole and non-negative; 0 when neither does. The move
    adds ``sign * direction`` to each corner."""
    result = np.zeros(cells.shape[0], dtype=np.int64)
    safe = np.where(cells < 0, 0, cells)
    if layer == "o":
        up_room = counts.f[safe] >= 1 if counts.bounded else np.ones(safe.shape, dtype=bool)
        down_room = counts.e[safe] >= 1
        modes = [(up_room, down_room)]
    else:
        unlimited = np.ones(safe.shape, dtype=bool)
        down_e = (counts.e[safe] >= 1) & (counts.n[safe] >= 1)
        down_f = (counts.f[safe] >= 1) if counts.bounded else counts.n[safe] >= 1
        modes = [(unlimited, down_e), (unlimited, down_f)]
    positive = signs[None, :] > 0
    for up, down in modes:
        for direction in (1, -1):
            rises = positive if direction == 1 else ~positive
            ok = np.where(rises, up, down).all(axis=1)
            result = np.where((result == 0) & ok, direction, result)
    return result


class _State:
    """What is hidden, what the reader knows, and the moves found so far.

    A *target* is a hidden count that must not be pinned down: (group, quantity),
    the quantity being "n" (people), "e" (with the outcome) or "f" (without it).
    """

    def __init__(self, grid: _Grid, counts: _Counts, min_cell: int, known):
        self.grid, self.counts, self.min_cell = grid, counts, min_cell
        self.hide_n, self.hide_o = counts.primary(min_cell)
        self.known_n, self.known_o = known
        self.matrix_n = _incidence(self.known_n, grid.cells)
        self.matrix_o = _incidence(self.known_o, grid.cells)
        # Dense copies for the many small products of checking moves (small tables).
        small = grid.cells * (self.matrix_n.shape[0] + self.matrix_o.shape[0]) <= 400_000
        as_float = self.matrix_n.astype(float), self.matrix_o.astype(float)
        self.check_n = as_float[0].toarray() if small else as_float[0]
        self.check_o = as_float[1].toarray() if small else as_float[1]
        self.moves: dict[tuple[int, str], list] = {}
        self.proved: set[tuple[int, str]] = set()
        self.version = 0  # bumped whenever something more is hidden
        self._model = None

    def mask(self, layer: str) -> np.ndarray:
        return self.hide_n if layer == "n" else self.hide_o

    def targets(self) -> list[tuple[int, str]]:
        """Every hidden count of 1 to min_cell - 1: sizes first, smallest groups first."""
        c, small = self.counts, lambda v: is_small(v, self.min_cell)
        found = []
        for quantity, values, mask in (("n", c.n, self.hide_n), ("e", c.e, self.hide_o)) + (
            (("f", c.f, self.hide_o),) if c.bounded else ()
        ):
            cells = np.nonzero(mask & small(values))[0]
            cells = cells[np.argsort(c.n[cells], kind="stable")]
            found += [(int(i), quantity) for i in cells]
        return found

    def check_move(self, change_n: np.ndarray, change_e: np.ndarray) -> bool:
        """True when adding the changes to the counts gives another whole-number table
        that matches everything shown and every known total."""
        c = self.counts
        if (change_n[~self.hide_n] != 0).any() or (change_e[~self.hide_o] != 0).any():
            return False
        if (self.check_n @ change_n).any() or (self.check_o @ change_e).any():
            return False
        n, e = c.n + change_n, c.e + change_e
        return not ((n < 0).any() or (e < 0).any() or (c.bounded and (e > n).any()))

    @staticmethod
    def _changes(change_n, change_e, cell: int, quantity: str) -> bool:
        if quantity == "n":
            return change_n[cell] != 0
        if quantity == "e":
            return change_e[cell] != 0
        return change_n[cell] != change_e[cell]

    def proof(self, cell: int, quantity: str) -> bool:
        """True when a move of hidden groups, checked against every shown value and
        known total, changes this hidden count: a move found earlier, or a box.

        Hiding more never spoils a move, so a count once proved stays proved during
        protection (``proved``); the final audit checks every kept move again."""
        if (cell, quantity) in self.proved:
            return True
        if self._prove(cell, quantity):
            self.proved.add((cell, quantity))
            return True
        return False

    def _prove(self, cell: int, quantity: str) -> bool:
        for change_n, change_e in self.moves.get((cell, quantity), ()):
            if self._changes(change_n, change_e, cell, quantity) and self.check_move(
                change_n, change_e
            ):
                return True
        layer = "n" if quantity == "n" else "o"
        for boxes, signs, _full in self.grid.boxes(cell):
            boxes = boxes[self.mask(layer)[boxes].all(axis=1)]
            if not len(boxes):
                continue
            directions = _move_feasible(self.counts, boxes, signs, layer)
            keep = directions != 0
            found = self._first_valid(boxes[keep], signs, directions[keep], layer, cell, quantity)
            if found is not None:
                self._keep(cell, quantity, layer, *found)
                return True
        return False

    def _first_valid(self, boxes, signs, directions, layer, cell=None, quantity=None):
        """The first of these box moves that keeps every known total and every count
        whole and non-negative (and, given a target, changes it): (change_n, change_e),
        or None. All boxes are checked at once."""
        if not len(boxes):
            return None
        for change_n, change_e, ok in self._box_moves(boxes, signs, directions, layer):
            if cell is not None:
                if quantity == "n":
                    ok &= change_n[cell] != 0
                elif quantity == "e":
                    ok &= change_e[cell] != 0
                else:
                    ok &= change_n[cell] != change_e[cell]
            hits = np.nonzero(ok)[0]
            if len(hits):
                j = hits[0]
                return (
                    np.rint(change_n[:, j]).astype(np.int64),
                    np.rint(change_e[:, j]).astype(np.int64),
                )
        return None

    def _box_moves(self, boxes, signs, directions, layer):
        """Each way the boxes' moves can go (sizes fixed; or the outcome count, or the
        count without it, moving with the size): (change_n, change_e, ok), one column
        per box, ok where the move keeps every known total and every count whole and
        non-negative."""
        c, cells = self.counts, self.grid.cells
        count = len(boxes)
        change = np.zeros((cells, count))
        np.add.at(change, (boxes.T, np.arange(count)[None, :]), (signs[:, None] * directions))
        zero = np.zeros_like(change)
        options = [(zero, change)] if layer == "o" else [(change, change), (change, zero)]
        for change_n, change_e in options:
            ok = ~np.asarray(self.check_n @ change_n).any(axis=0)
            ok &= ~np.asarray(self.check_o @ change_e).any(axis=0)
            n, e = c.n[:, None] + change_n, c.e[:, None] + change_e
            ok &= (n >= 0).all(axis=0) & (e >= 0).all(axis=0)
            if c.bounded:
                ok &= (e <= n).all(axis=0)
            yield change_n, change_e, ok

    def _keep(self, cell, quantity, layer, change_n, change_e) -> None:
        self.moves.setdefault((cell, quantity), []).append((change_n, change_e))
        if layer == "o":  # sizes fixed: the counts with and without it both move
            for other in ("e", "f"):
                self.moves.setdefault((cell, other), []).append((change_n, change_e))
                self.proved.add((cell, other))

    def cheapest_box(self, cell: int, layer: str) -> np.ndarray | None:
        """The box around ``cell`` that hides the least to make a move possible: a full
        box always keeps the known totals; a smaller one (two groups of one row, say)
        only where the totals it changes are not known, which is checked."""
        weight = self.grid.weight.copy()
        if layer == "n":  # hiding a size where the outcome is already hidden costs less
            weight = np.where(self.hide_o, weight / 2, weight)
        mask = self.mask(layer)
        candidates = []
        for boxes, signs, full in self.grid.boxes(cell):
            directions = _move_feasible(self.counts, boxes, signs, layer)
            keep = directions != 0
            if not keep.any():
                continue
            boxes, directions = boxes[keep], directions[keep]
            new = ~mask[boxes]
            cost = np.round(np.where(new, weight[boxes], 0.0).sum(axis=1), 6)
            people = np.where(new, self.counts.n[boxes], 0).sum(axis=1)
            for row in np.lexsort((people, cost))[: 1 if full else 24]:
                candidates.append((cost[row], people[row], not full, boxes[row], signs,
                                   int(directions[row])))  # fmt: skip
        candidates.sort(key=lambda item: item[:3])
        best_full = next((item for item in candidates if not item[2]), None)
        for item in candidates:
            _cost, _people, partial, box, signs, direction = item
            if (
                partial
                and not self._valid_mask(box[None, :], signs, np.array([direction]), layer)[0]
            ):
                continue
            if not self._leaves_small_total(box, layer):
                return box
        return None if best_full is None else best_full[3]

    def _leaves_small_total(self, box: np.ndarray, layer: str) -> bool:
        """Would hiding these groups leave a known total whose hidden groups add up to
        1 to min_cell - 1?"""
        c = self.counts
        hide_n, hide_o = self.hide_n.copy(), self.hide_o.copy()
        hide_o[box] = True
        if layer == "n":
            hide_n[box] = True
        sums = [self.check_n @ (c.n * hide_n), self.check_o @ (c.e * hide_o)]
        if c.bounded:
            sums.append(self.check_o @ (c.f * hide_o))
        return any(((s > 0) & (s < self.min_cell)).any() for s in sums)

    def _valid_mask(self, boxes, signs, directions, layer) -> np.ndarray:
        """Which box moves keep every known total (hiding their groups as needed)."""
        result = np.zeros(len(boxes), dtype=bool)
        for _, _, ok in self._box_moves(boxes, signs, directions, layer):
            result |= ok
        return result

    def hide(self, cells: np.ndarray, layer: str) -> None:
        cells = np.asarray(cells, dtype=np.int64)
        before = (self.hide_n[cells].sum(), self.hide_o[cells].sum())
        self.hide_o[cells] = True
        if layer == "n":
            self.hide_n[cells] = True
        if (self.hide_n[cells].sum(), self.hide_o[cells].sum()) != before:
            self.version += 1

    def model(self):
        """The reader's integer program for what is hidden now (rebuilt after changes)."""
        if self._model is None or self._model[0] != self.version:
            self._model = (self.version, *_integer_model(self))
        return self._model[1], self._model[2]

    def near(self, cell: int) -> np.ndarray | None:
        """Groups that differ from ``cell`` in at most two grouping columns (None for
        tables of up to two columns, where that is every group)."""
        if self.grid.k <= 2:
            return None
        return (self.grid.codes != self.grid.codes[cell]).sum(axis=1) <= 2

    def integer_move(self, cell: int, quantity: str, local: bool = False) -> bool:
        """Ask the integer program for another value of this hidden count; when one
        exists, keep the move it implies (checked like any other) and return True.
        ``local``: a quicker program over the nearby hidden groups only, with a time
        limit; False then means only that no nearby move was found."""
        near = self.near(cell) if local else None
        if near is None:
            model, variables = self.model()
        else:
            model, variables = _integer_model(self, near)
            model.time_limit = 0.25
        c = self.counts
        jn, je = variables.get(("n", cell)), variables.get(("e", cell))
        if quantity == "n":
            coefficients, value = {jn: 1.0}, int(c.n[cell])
        elif quantity == "e":
            coefficients, value = {je: 1.0}, int(c.e[cell])
        elif jn is None:  # n shown: n - e moves exactly when e does
            coefficients, value = {je: -1.0}, -int(c.e[cell])
        else:
            coefficients, value = {jn: 1.0, je: -1.0}, int(c.f[cell])
        for low, high in ((None, value - 1), (value + 1, None)):
            solution = model.solve(coefficients, low, high)
            if solution is None:
                continue
            change_n = np.zeros(self.grid.cells, dtype=np.int64)
            change_e = np.zeros(self.grid.cells, dtype=np.int64)
            for (kind, i), j in variables.items():
                target = change_n if kind == "n" else change_e
                target[i] = round(solution[j]) - (c.n[i] if kind == "n" else c.e[i])
            if self._changes(change_n, change_e, cell, quantity) and self.check_move(
                change_n, change_e
            ):
                self.moves.setdefault((cell, quantity), []).append((change_n, change_e))
                self.proved.add((cell, quantity))
                return True
        return False

    def small_residual(self) -> tuple[int, str] | None:
        """A known total whose hidden groups add up to 1 to min_cell - 1, as (total, layer)."""
        c = self.counts
        checks = [("n", self.matrix_n, c.n * self.hide_n)]
        checks.append(("o", self.matrix_o, c.e * self.hide_o))
        if c.bounded:
            checks.append(("o", self.matrix_o, c.f * self.hide_o))
        for layer, matrix, hidden in checks:
            sums = matrix @ hidden
            bad = np.nonzero((sums > 0) & (sums < self.min_cell))[0]
            if len(bad):
                return int(bad[0]), layer
        return None

    def total_members(self, index: int, layer: str) -> np.ndarray:
        return (self.known_n if layer == "n" else self.known_o)[index]


# --- the integer audit (where no move proves a count safe) ----------------------------------


_SOLVER = threading.local()


@contextmanager
def _quiet_stdout():
    """HiGHS prints a banner on C-level stdout when a solver is created: keep it out of
    notebooks and command output."""
    try:
        fd = os.dup(1)
    except OSError:  # pragma: no cover - no stdout at all
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(fd, 1)
        os.close(fd)


def _highs():
    """One HiGHS solver per thread, created once (quietly) and reused."""
    solver = getattr(_SOLVER, "highs", None)
    if solver is None:
        import highspy

        with _quiet_stdout():
            solver = highspy.Highs()
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("threads", 1)
        _SOLVER.highs = solver
    return solver


class IntegerModel:
    """The reader's knowledge as an integer program: hidden counts are whole-number
    unknowns; shown counts and known totals are equations; ``0 <= events <= n``.

    Built once per state of the table; :meth:`solve` asks whether some quantity (a
    sum of unknowns) can lie in a range by changing only one spare row between
    solves. It first solves the linear relaxation, whose answer is exact when it is
    infeasible (no real solution, so no whole-number one) or when the vertex it
    returns is whole; only otherwise does it solve the integer program.
    """

    def __init__(self, matrix, lower, upper, col_upper):
        import highspy
        from scipy.sparse import csr_matrix, vstack

        self.highspy = highspy
        inf = highspy.kHighsInf
        self.columns = columns = matrix.shape[1]
        spare = csr_matrix((1, columns))
        matrix = vstack([matrix, spare]).tocsr()
        lp = highspy.HighsLp()
        lp.num_col_ = columns
        lp.num_row_ = matrix.shape[0]
        lp.col_cost_ = np.zeros(columns)
        lp.col_lower_ = np.zeros(columns)
        lp.col_upper_ = np.where(np.isinf(col_upper), inf, col_upper).astype(float)
        lp.row_lower_ = np.append(np.where(np.isinf(lower), -inf, lower), -inf).astype(float)
        lp.row_upper_ = np.append(np.where(np.isinf(upper), inf, upper), inf).astype(float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(float)
        lp.a_matrix_.num_col_ = columns
        lp.a_matrix_.num_row_ = matrix.shape[0]
        self.question = matrix.shape[0] - 1
        self.time_limit = None  # seconds; None: no limit
        self.lp = lp
        self.solver = _highs()
        self._load()

    def _load(self) -> None:
        self.solver.clearModel()
        self.solver.setOptionValue("output_flag", False)
        self.solver.passModel(self.lp)
        self._last: list[int] = []
        _SOLVER.owner = self

    def _run(self, integer: bool, give_up: bool = False):
        hs = self.highspy
        solver = self.solver
        kind = hs.HighsVarType.kInteger if integer else hs.HighsVarType.kContinuous
        if self.columns:
            solver.changeColsIntegrality(
                self.columns,
                np.arange(self.columns, dtype=np.int32),
                np.array([kind] * self.columns),
            )
        solver.run()
        status = solver.getModelStatus()
        infeasible = (hs.HighsModelStatus.kInfeasible, hs.HighsModelStatus.kUnboundedOrInfeasible)
        if integer and status in infeasible:
            # HiGHS's MIP presolve has been seen to call a feasible table infeasible:
            # confirm without it (a wrong "infeasible" would only hide more, but costs).
            solver.setOptionValue("presolve", "off")
            solver.run()
            status = solver.getModelStatus()
            solver.setOptionValue("presolve", "choose")
        if status == hs.HighsModelStatus.kOptimal:
            return np.array(solver.getSolution().col_value)
        if status in infeasible:
            return None
        if give_up and status == hs.HighsModelStatus.kTimeLimit:
            return None  # a quick question only: no answer in time
        raise EquityLabError(  # pragma: no cover - HiGHS gave up on a tiny problem
            f"the small-cell audit could not decide a question (HiGHS status {status})"
        )

    def solve(self, coefficients: dict[int, float], low=None, high=None):
        """Whole-number values of every unknown with sum(coefficients[j] * x[j]) in
        [low, high], or None when there are none."""
        inf = self.highspy.kHighsInf
        solver = self.solver
        if getattr(_SOLVER, "owner", None) is not self:
            self._load()  # another model used the solver in between
        row = self.question
        for j in self._last:  # replace the spare row's coefficients
            solver.changeCoeff(row, j, 0.0)
        for j, a in coefficients.items():
            solver.changeCoeff(row, j, float(a))
        self._last = list(coefficients)
        solver.changeRowBounds(
            row, -inf if low is None else float(low), inf if high is None else float(high)
        )
        relaxed = self._run(integer=False)
        if relaxed is None or np.allclose(relaxed, np.rint(relaxed), atol=1e-9):
            return relaxed
        if self.time_limit is None:
            return self._run(integer=True)
        solver.setOptionValue("time_limit", float(self.time_limit))
        try:
            return self._run(integer=True, give_up=True)
        finally:
            solver.setOptionValue("time_limit", self.highspy.kHighsInf)


def _integer_model(state: _State, near: np.ndarray | None = None) -> tuple[IntegerModel, dict]:
    """The reader's integer program for one table: unknowns are the hidden sizes and
    hidden outcome counts; each known total whose groups include one of them is an
    equation; ``events <= n`` where the outcome is yes/no.

    With ``near`` (a mask of groups), only the hidden groups there are unknowns and the
    others keep their true values: a smaller program whose every solution is still a
    valid second table (used to find a move quickly, never to decide a count is safe
    from the lack of one)."""
    from scipy.sparse import csr_matrix, hstack, vstack

    c = state.counts
    cells = state.grid.cells
    mask_n, mask_o = state.hide_n, state.hide_o
    if near is not None:
        mask_n, mask_o = mask_n & near, mask_o & near
    hidden_n, hidden_o = np.nonzero(mask_n)[0], np.nonzero(mask_o)[0]
    variables = {("n", int(i)): j for j, i in enumerate(hidden_n)}
    variables.update({("e", int(i)): len(hidden_n) + j for j, i in enumerate(hidden_o)})
    blocks, lower, upper = [], [], []
    for matrix, values, hidden, offset in (
        (state.matrix_n, c.n, mask_n, 0),
        (state.matrix_o, c.e, mask_o, len(hidden_n)),
    ):
        part = matrix[:, np.nonzero(hidden)[0]]
        keep = np.diff(part.indptr) > 0
        rest = matrix @ (values * ~hidden)
        totals = matrix @ values
        part = part[keep]
        left = csr_matrix((part.shape[0], offset))
        right = csr_matrix((part.shape[0], len(variables) - offset - part.shape[1]))
        blocks.append(hstack([left, part, right]).tocsr())
        rhs = (totals - rest)[keep].astype(float)
        lower.append(rhs)
        upper.append(rhs)
    col_upper = np.full(len(variables), np.inf)
    if c.bounded:
        shown_n = ~mask_n[hidden_o]
        col_upper[len(hidden_n) + np.nonzero(shown_n)[0]] = c.n[hidden_o[shown_n]]
        both = hidden_o[~shown_n]
        if len(both):
            rows = np.arange(len(both))
            cols_e = np.array([variables[("e", int(i))] for i in both])
            cols_n = np.array([variables[("n", int(i))] for i in both])
            data = np.concatenate([np.ones(len(both)), -np.ones(len(both))])
            coupling = csr_matrix(
                (data, (np.concatenate([rows, rows]), np.concatenate([cols_e, cols_n]))),
                shape=(len(both), len(variables)),
            )
            blocks.append(coupling)
            lower.append(np.full(len(both), -np.inf))
            upper.append(np.zeros(len(both)))
    del cells
    matrix = vstack(blocks).tocsr() if blocks else csr_matrix((0, len(variables)))
    model = IntegerModel(matrix, np.concatenate(lower), np.concatenate(upper), col_upper)
    return model, variables


def _audit(state: _State) -> tuple[int, str] | None:
    """The first hidden small count the reader could pin down, or None: every target
    needs a checked move (a box, a move kept from earlier, or one the integer program
    finds), each checked again here against every shown value and known total."""
    state.proved.clear()
    for cell, quantity in state.targets():
        if state.proof(cell, quantity) or state.integer_move(cell, quantity, local=True):
            continue
        if not state.integer_move(cell, quantity):
            return cell, quantity
    return None


def _cheapest_move(state: _State, cell: int, layer: str, local: bool = True):
    """The cheapest set of groups to hide so that some move changes ``cell``'s hidden
    count, found by an integer program over every known total (used where no box
    fits: groups missing from the table, or zeros in the way). Returns the move
    (change, mode) with its groups, or None."""
    import highspy

    c, grid = state.counts, state.grid
    m = grid.cells
    big = float(max(int(c.n.sum()), 1))
    if layer == "o":
        up = c.f.astype(float) if c.bounded else np.full(m, big)
        down = c.e.astype(float)
        matrices = [state.matrix_o]
    else:
        up = np.full(m, big)
        down = (c.f if c.bounded else c.n).astype(float)
        matrices = [state.matrix_n]
    hidden = state.mask(layer)
    weight = grid.weight + 1e-6 * c.n / max(float(c.n.sum()), 1.0)
    inf = highspy.kHighsInf
    best = None
    for sign in (1, -1):
        lp = highspy.HighsLp()
        lp.num_col_ = 2 * m
        lp.col_cost_ = np.concatenate([np.zeros(m), np.where(hidden, 0.0, weight)])
        d_low, d_high = -down.copy(), up.copy()
        y_high = np.ones(m)
        near = state.near(cell) if local else None
        if near is not None:  # first among nearby groups only: a smaller program
            d_low[~near] = d_high[~near] = 0.0
            y_high[~near & ~hidden] = 0.0
        d_low[cell] = d_high[cell] = float(sign)
        lp.col_lower_ = np.concatenate([d_low, np.where(hidden, 1.0, 0.0)])
        lp.col_upper_ = np.concatenate([d_high, y_high])
        starts, index, value, lower, upper = [0], [], [], [], []
        for matrix in matrices:
            for r in range(matrix.shape[0]):
                members = matrix.indices[matrix.indptr[r] : matrix.indptr[r + 1]]
                index += members.tolist()
                value += [1.0] * len(members)
                starts.append(len(index))
                lower.append(0.0)
                upper.append(0.0)
        for i in range(m):  # d_i <= up_i * y_i and -d_i <= down_i * y_i
            index += [i, m + i]
            value += [1.0, -float(up[i])]
            starts.append(len(index))
            lower.append(-inf)
            upper.append(0.0)
            index += [i, m + i]
            value += [-1.0, -float(down[i])]
            starts.append(len(index))
            lower.append(-inf)
            upper.append(0.0)
        lp.num_row_ = len(lower)
        lp.row_lower_ = np.array(lower)
        lp.row_upper_ = np.array(upper)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value)
        lp.a_matrix_.num_col_ = 2 * m
        lp.a_matrix_.num_row_ = len(lower)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * (2 * m)
        solver = _highs()
        solver.clearModel()
        _SOLVER.owner = None
        solver.setOptionValue("output_flag", False)
        solver.setOptionValue("time_limit", 5.0)
        solver.passModel(lp)
        solver.run()
        if solver.getInfo().primal_solution_status != 2:  # no feasible solution
            continue
        values = np.array(solver.getSolution().col_value)
        change = np.rint(values[:m]).astype(np.int64)
        chosen = np.nonzero(np.rint(values[m:]) > 0)[0]
        cost = float(lp.col_cost_[m + chosen].sum())
        if best is None or cost < best[0]:
            best = (cost, change, chosen)
    solver = _highs()
    solver.setOptionValue("time_limit", highspy.kHighsInf)
    if best is None and local and state.near(cell) is not None:
        return _cheapest_move(state, cell, layer, local=False)
    if best is None:
        return None
    change = best[1]
    zero = np.zeros_like(change)
    moves = (zero, change) if layer == "o" else (change, zero)
    return moves, best[2]


# --- protection ---------------------------------------------------------------------------


def _protect(grid: _Grid, counts: _Counts, min_cell: int, prefer, cache) -> tuple:
    hide_n, hide_o = counts.primary(min_cell)
    if not hide_o.any():
        return hide_n, hide_o  # no small count anywhere: nothing to protect
    known = _known_totals(grid, counts, min_cell, prefer, cache)
    state = _State(grid, counts, min_cell, known)
    extra: list[tuple[int, str]] = []  # groups hidden to lift a small combined total
    for _round in range(4 * grid.cells + 4):
        for cell, quantity in state.targets() + extra:
            layer = "n" if quantity == "n" else "o"
            if state.proof(cell, quantity):
                continue  # a box of hidden groups, or a move found earlier, changes it
            if (cell, quantity) in extra and state.integer_move(cell, quantity):
                continue  # a partner that lifts a small total needs only not to be pinned
            if not _protect_one(state, cell, quantity) and not _hide_smallest_total(
                state, cell, layer
            ):
                _hide_smallest_total(state, cell, "n")
        residual = state.small_residual()
        if residual is not None:
            index, layer = residual
            chosen = _residual_partner(state, index, layer)
            if chosen is None:
                break  # pragma: no cover - every group of that total is hidden already
            state.hide(np.array([chosen]), layer)
            extra.append((chosen, "n" if layer == "n" else "e"))
            continue
        leak = _audit(state)
        if leak is None:
            break
        cell, quantity = leak
        layer = "n" if quantity == "n" else "o"
        if not (_hide_smallest_total(state, cell, layer) or _hide_smallest_total(state, cell, "n")):
            break  # the marginal totals alone give it away (see "What it cannot guarantee")
    return state.hide_n, state.hide_o


def _protect_one(state: _State, cell: int, quantity: str) -> bool:
    """Hide what it takes for a move to change this count: the cheapest box; else a
    longer cycle of groups already hidden; else the cheapest set of groups an integer
    program finds. An outcome count that no move of outcomes can change (zeros in the
    way) gets the same search among group sizes, which hides whole rows."""
    layers = ["n"] if quantity == "n" else ["o", "n"]
    for layer in layers:
        box = state.cheapest_box(cell, layer)
        if box is not None:
            state.hide(box, layer)
            return True
        if state.integer_move(cell, quantity, local=True):
            return True
        found = _cheapest_move(state, cell, layer)
        if found is not None:
            move, chosen = found
            state.hide(chosen, layer)
            if layer == "o" or quantity != "e":
                state.moves.setdefault((cell, quantity), []).append(move)
            return True
    return False


def _hide_smallest_total(state: _State, cell: int, layer: str) -> bool:
    """Hide every group of the smallest known total around ``cell`` (a last resort)."""
    totals = state.known_n if layer == "n" else state.known_o
    mask = state.mask(layer)
    around = [t for t in totals if cell in t and (~mask[t]).any()]
    if not around:
        return False
    state.hide(min(around, key=len), layer)
    return True


def _residual_partner(state: _State, index: int, layer: str) -> int | None:
    """The cheapest shown group of a total whose hidden groups add up to a small count."""
    members = state.total_members(index, layer)
    shown = members[~state.mask(layer)[members]]
    if not len(shown):
        return None
    c = state.counts
    useful = (c.n[shown] > 0) if layer == "n" else (c.e[shown] > 0) | (c.f[shown] > 0)
    pool = shown[useful] if useful.any() else shown
    order = np.lexsort((c.n[pool], state.grid.weight[pool]))
    return int(pool[order[0]])


def _grid_for(keys: pd.DataFrame, prefer: Sequence[str]) -> _Grid:
    """The grid of a table's groups; a grouping column with one value adds no total."""
    keys = keys.reset_index(drop=True)
    return _Grid(keys[[c for c in keys.columns if keys[c].nunique(dropna=False) > 1]], prefer)


def primary_suppression(n, events, min_cell: int = DEFAULT_MIN_CELL, *, bounded=True):
    """Groups whose outcome is hidden because one of their own counts is small (before
    complementary suppression)."""
    return _Counts(n, events, bounded).primary(check_min_cell(min_cell))[1]


def protect_table(
    keys: pd.DataFrame,
    n,
    events,
    min_cell: int = DEFAULT_MIN_CELL,
    *,
    bounded: bool = True,
    prefer_hidden: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Decide which groups of a table must be hidden.

    Parameters
    ----------
    keys:
        One row per group: the grouping columns (one column for a one-way table,
        several for an intersection table).
    n, events:
        Number of people and number with the outcome, per group.
    min_cell:
        Smallest non-zero count that may be shown; 0 hides nothing.
    bounded:
        True for a yes/no outcome (``events <= n``, and ``n - events`` is a count of
        people to protect too). False for a count of events that can exceed the
        number of people (emergency visits): only ``n`` and ``events`` are protected.
    prefer_hidden:
        Labels whose groups are hidden first when complementary suppression has a
        choice (default :data:`DEFAULT_PREFER_HIDDEN`: Unknown, Declined, Missing);
        ``[]`` treats every group alike.

    Returns
    -------
    tuple
        Two boolean arrays. ``hide_n``: hide the row entirely (``n``, share and
        all). ``hide_outcome``: hide ``events`` and everything computed from it
        (always True where ``hide_n`` is).
    """
    min_cell = check_min_cell(min_cell)
    prefer = check_prefer_hidden(prefer_hidden)
    n = np.asarray(n, dtype=np.int64)
    events = np.asarray(events, dtype=np.int64)
    if min_cell == 0:
        none = np.zeros(len(n), dtype=bool)
        return none, none.copy()
    counts = _Counts(n, events, bounded)
    hide_n, hide_o = counts.primary(min_cell)
    if not hide_o.any():  # no small count anywhere: nothing to protect (no grid built)
        return hide_n, hide_o
    hide_n, hide_o = _protect(_grid_for(keys, prefer), counts, min_cell, prefer, {})
    return np.asarray(hide_n, dtype=bool), np.asarray(hide_o, dtype=bool)


def published_margins(
    keys: pd.DataFrame,
    n,
    events,
    min_cell: int = DEFAULT_MIN_CELL,
    bounded: bool = True,
    prefer_hidden: Sequence[str] | None = None,
):
    """The marginal totals a reader may know: those a protected marginal table shows.

    Returns two lists of row-position arrays: totals whose ``n`` is known, and totals
    whose ``events`` (and ``n - events``) are known.
    """
    prefer = check_prefer_hidden(prefer_hidden)
    grid = _grid_for(keys, prefer)
    counts = _Counts(n, events, bounded)
    return _known_totals(grid, counts, check_min_cell(min_cell), prefer, {})


def protection_report(keys, n, events, hide_n, hide_outcome, min_cell=DEFAULT_MIN_CELL, *,
                      bounded=True, prefer_hidden=None) -> list[str]:  # fmt: skip
    """The library's own audit of a protected table: hidden small counts that the
    table and its known totals pin down (an empty list when none)."""
    min_cell = check_min_cell(min_cell)
    prefer = check_prefer_hidden(prefer_hidden)
    grid = _grid_for(keys, prefer)
    counts = _Counts(n, events, bounded)
    state = _State(grid, counts, min_cell, _known_totals(grid, counts, min_cell, prefer, {}))
    state.hide_n = np.asarray(hide_n, dtype=bool).copy()
    state.hide_o = np.asarray(hide_outcome, dtype=bool) | state.hide_n
    names = {"n": "number of people", "e": "number with the outcome", "f": "number without it"}
    problems = []
    for quantity, values, mask in (("n", counts.n, state.hide_n), ("e", counts.e, state.hide_o)) + (
        (("f", counts.f, state.hide_o),) if bounded else ()
    ):
        for cell in np.nonzero(is_small(values, min_cell) & ~mask)[0]:
            problems.append(f"group {int(cell)}: its {names[quantity]} is a small count, shown")
    for cell, quantity in state.targets():
        if not (state.proof(cell, quantity) or state.integer_move(cell, quantity)):
            problems.append(f"group {cell}: its {names[quantity]} can be worked out")
    return problems


# --- several tables published together ---------------------------------------------------

_MAX_RELEASE_CELLS = 20_000


def _release_members(table: pd.DataFrame, column: str, label: str) -> set[str]:
    """The original labels a group label of ``table`` stands for (after ``combine``)."""
    mapping = (table.attrs.get("combine") or {}).get(column, {})
    members = {original for original, target in mapping.items() if target == label}
    if label not in mapping:
        members.add(label)
    return members


def audit_release(tables: Sequence[pd.DataFrame], *, min_cell: int | None = None) -> pd.DataFrame:
    """Check a set of tables published side by side: can a reader who reads them all
    work out a hidden count of 1 to ``min_cell - 1``?

    Each table protects itself (:func:`protect_table`); two tables cut differently
    from the same people can still, together, pin a hidden count down — a one-way
    table next to its intersection, or a table before and after a filter or a
    ``combine=``. This audit treats every table as sums over the finest groups that
    the tables' grouping columns define, and asks an integer program (HiGHS) for the
    smallest and largest whole-number value of every hidden count that fits
    everything the tables show: each shown ``n`` and ``events``, and each table's
    total (a shown share and size give it away).

    Assumptions: the tables are :func:`~equitylab.stratify` or
    :func:`~equitylab.stratify.stratify_rates` results for the same people, except that a
    table may leave out whole groups of its own grouping columns (a filter such as
    ``sex != "Unknown"``, or ``combine=``); tables of different outcomes are checked
    separately (their ``n`` differ by who has a usable value).

    Parameters
    ----------
    tables:
        The tables of one release.
    min_cell:
        The threshold (default: the tables' own ``attrs["min_cell"]``).

    Returns
    -------
    pandas.DataFrame
        One row per count of 1 to ``min_cell - 1`` that the release lets a reader
        work out — a hidden group of a table, or a total that no table shows (Black
        patients with an Unknown sex, by subtraction) — with ``tables`` (the
        positions of the tables checked together), ``group``, ``count`` ("n",
        "events" or "without the outcome") and ``problem``; empty when the release
        is safe. The values themselves are never shown.
    """
    if isinstance(tables, pd.DataFrame) or not isinstance(tables, Sequence) or not tables:
        raise EquityLabError("audit_release needs a list of tables, e.g. [by_race, by_race_sex]")
    for position, table in enumerate(tables):
        if not isinstance(table, pd.DataFrame) or "by" not in table.attrs:
            raise EquityLabError(
                f"table {position} is not a stratify() result (it has no attrs['by']); "
                "audit_release checks the tables stratify and stratify_rates return"
            )
    if min_cell is None:
        min_cell = max(int(t.attrs.get("min_cell", DEFAULT_MIN_CELL)) for t in tables)
    min_cell = check_min_cell(min_cell)
    problems = []
    by_outcome: dict[object, list[int]] = {}
    for position, table in enumerate(tables):
        by_outcome.setdefault(table.attrs.get("outcome"), []).append(position)
    for positions in by_outcome.values():
        problems += _audit_outcome([tables[p] for p in positions], positions, min_cell)
    columns = ["tables", "group", "count", "problem"]
    return pd.DataFrame(problems, columns=columns)


def _audit_outcome(tables, positions, min_cell) -> list[dict]:
    import highspy

    columns: list[str] = []
    for table in tables:
        columns += [c for c in table.attrs["by"] if c not in columns]
    levels: dict[str, list[str]] = {c: [] for c in columns}
    for table in tables:
        for column in table.attrs["by"]:
            for label in table[column].astype(str).unique():
                for member in sorted(_release_members(table, column, label)):
                    if member not in levels[column]:
                        levels[column].append(member)
            for original in (table.attrs.get("combine") or {}).get(column, {}):
                if original not in levels[column]:
                    levels[column].append(original)
    shape = [len(levels[c]) for c in columns]
    cells = int(np.prod(shape))
    if cells > _MAX_RELEASE_CELLS:
        raise EquityLabError(
            f"the tables' grouping columns define {cells:,} finest groups, more than "
            f"audit_release checks ({_MAX_RELEASE_CELLS:,}); audit fewer or coarser tables"
        )
    grid = np.array(list(product(*[range(s) for s in shape])), dtype=np.int64).reshape(cells, -1)
    bounded = all("person_time" not in t.attrs for t in tables)

    def build(with_extras: bool):
        # Unknowns: n and events of every finest group and, when the tables do not count
        # the same people, per row of a coarser table the difference between that row
        # and the finer tables (positive or negative: people it counts that they leave
        # out, say the patients with an Unknown sex, or the reverse).
        equations: list[tuple[dict[int, float], float]] = []
        pairs: list[tuple[int, int]] = [(i, cells + i) for i in range(cells)]
        signed: list[tuple[int, int]] = []  # people a coarser table counts, or leaves out
        extras: list[tuple[str, int, int]] = []
        columns_total = 2 * cells
        everyone = np.zeros(cells, dtype=bool)
        for table, position in zip(tables, positions, strict=True):
            by = table.attrs["by"]
            coarser = with_extras and len(by) < len(columns)
            n_values = table["n"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            e_values = table["events"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            share = table["share"].to_numpy(dtype=float) if "share" in table else None
            universe_n: dict[int, float] = {}
            for row in range(len(table)):
                match = np.ones(cells, dtype=bool)
                for column in by:
                    label = str(table[column].iloc[row])
                    wanted = [
                        levels[column].index(m) for m in _release_members(table, column, label)
                    ]
                    match &= np.isin(grid[:, columns.index(column)], wanted)
                everyone |= match
                members = np.nonzero(match)[0]
                terms_n = {int(i): 1.0 for i in members}
                terms_e = {int(cells + i): 1.0 for i in members}
                if coarser:
                    jn, je = columns_total, columns_total + 1
                    columns_total += 2
                    signed.append((jn, je))
                    group = " · ".join(str(table[column].iloc[row]) for column in by)
                    extras.append(
                        (
                            f"{group}: the difference between table {position} and the "
                            "finer tables",
                            jn,
                            je,
                        )
                    )
                    terms_n[jn], terms_e[je] = 1.0, 1.0
                universe_n.update(terms_n)
                if not np.isnan(n_values[row]):
                    equations.append((terms_n, float(n_values[row])))
                if not np.isnan(e_values[row]):
                    equations.append((terms_e, float(e_values[row])))
            if share is not None:  # a shown size and its share give the table's total away
                usable = ~np.isnan(n_values) & ~np.isnan(share) & (share > 0)
                if usable.any():
                    row = int(np.nonzero(usable)[0][0])
                    equations.append((universe_n, float(round(n_values[row] / share[row]))))
        # What must not be pinned down to 1..min_cell-1: every group of the finest grid,
        # every total over some of its columns (Black patients aged 18-44, whatever their
        # sex), and the people a coarser table counts that no finer table lists.
        quantities = []
        for size in range(len(columns), -1, -1):
            for subset in combinations(range(len(columns)), size):
                for combo in product(*[range(shape[d]) for d in subset]):
                    match = everyone.copy()
                    for d, level in zip(subset, combo, strict=True):
                        match &= grid[:, d] == level
                    members = np.nonzero(match)[0]
                    if not len(members):
                        continue
                    group = (
                        ", ".join(
                            f"{columns[d]} = {levels[columns[d]][level]}"
                            for d, level in zip(subset, combo, strict=True)
                        )
                        or "everyone in the tables"
                    )
                    quantities.append((group, [pairs[i] for i in members]))
        quantities += [(name, [(jn, je)]) for name, jn, je in extras]
        targets = []
        for group, members in quantities:
            targets.append((group, "n", {jn: 1.0 for jn, _ in members}))
            targets.append((group, "events", {je: 1.0 for _, je in members}))
            if bounded:
                both = {jn: 1.0 for jn, _ in members}
                both.update({je: -1.0 for _, je in members})
                targets.append((group, "without the outcome", both))
        inf = highspy.kHighsInf
        size = columns_total
        lp = highspy.HighsLp()
        lp.num_col_ = size
        lp.col_cost_ = np.zeros(size)
        lower_bounds = np.zeros(size)
        for jn, je in signed:  # more people, or fewer (a filter), than the finer tables
            lower_bounds[[jn, je]] = -inf
        lp.col_lower_ = lower_bounds
        lp.col_upper_ = np.full(size, inf)
        starts, index, value, lower, upper = [0], [], [], [], []
        for coefficients, total in equations:
            index += list(coefficients)
            value += list(coefficients.values())
            starts.append(len(index))
            lower.append(total)
            upper.append(total)
        if bounded:  # events <= n in every group
            for jn, je in pairs:
                index += [je, jn]
                value += [1.0, -1.0]
                starts.append(len(index))
                lower.append(-inf)
                upper.append(0.0)
        lp.num_row_ = len(lower)
        lp.row_lower_ = np.array(lower, dtype=float)
        lp.row_upper_ = np.array(upper, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.array(value, dtype=float)
        lp.a_matrix_.num_col_ = size
        lp.a_matrix_.num_row_ = len(lower)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * size
        solver = _highs()
        solver.clearModel()
        _SOLVER.owner = None
        solver.setOptionValue("output_flag", False)
        solver.passModel(lp)
        return solver, size, targets

    # A reader first assumes the tables count the same people; only when no counts fit
    # that (a table left some people out) does each coarser row get its own unknowns
    # for the people no finer table lists.
    solver, size, targets = build(with_extras=False)
    solver.run()
    if solver.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        solver, size, targets = build(with_extras=True)
    status_ok = highspy.HighsModelStatus.kOptimal
    found = []
    everything = np.arange(size, dtype=np.int32)
    for group, kind, coefficients in targets:
        extremes = []
        for sense in (1.0, -1.0):
            if sense < 0 and extremes[0] is not None and extremes[0] >= min_cell:
                break  # it cannot be a small count
            cost = np.zeros(size)
            for j, a in coefficients.items():
                cost[j] = sense * a
            solver.changeColsCost(size, everything, cost)
            solver.run()
            status = solver.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                extremes.append(None)
                continue
            if status != status_ok:
                raise EquityLabError(
                    "the tables contradict each other (no counts fit them all): are they "
                    "from the same people and the same data?"
                )
            extremes.append(sense * solver.getInfo().objective_function_value)
        if len(extremes) < 2:
            continue
        low, high = extremes
        if low is None or high is None or round(high) != round(low):
            continue
        if 0 < abs(round(low)) < min_cell:
            found.append(
                {
                    "tables": ", ".join(map(str, positions)),
                    "group": group,
                    "count": kind,
                    "problem": f"a count of 1 to {min_cell - 1} can be worked out",
                }
            )
    return found
