"""Long `IN (...)` lists asked in slices: one query per IN_LIST_SIZE values.

SQLite refuses a statement with more parameters than its limit (999 before 3.32), and on every
database a list of thousands of values makes a long statement to build and plan; a few hundred
per query keeps both small whatever the caller holds.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import batched

IN_LIST_SIZE = 500


def in_slices[T](values: Iterable[T], size: int = IN_LIST_SIZE) -> Iterator[Sequence[T]]:
    """`values` in consecutive slices of at most `size`, in order."""
    return batched(values, size)
