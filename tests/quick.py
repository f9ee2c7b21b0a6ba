"""``make quick`` (``CONCEPTMAP_QUICK=1``) runs a sample of the suite's biggest tables.

Property tests run a fifth of their Hypothesis examples, and a parametrized test with
more than :data:`TABLE` cases runs :data:`TABLE` of them, spread evenly over its table
(the first and the last always among them). The whole suite (``make test``, CI) runs
every property with its full count and every case of every table.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypeVar

QUICK = os.environ.get("CONCEPTMAP_QUICK") == "1"
#: the cases of one parametrized test that quick runs at most
TABLE = 8

T = TypeVar("T")


def examples(full: int) -> int:
    """How many Hypothesis examples to run: ``full``, or a fifth of it (at least 10) in quick."""
    return max(10, full // 5) if QUICK else full


def spread(cases: Sequence[T], count: int = TABLE) -> list[T]:
    """``count`` of ``cases``, evenly spread, the first and the last among them.

    >>> spread(list(range(20)), 5)
    [0, 5, 10, 14, 19]
    >>> spread([1, 2, 3], 5)
    [1, 2, 3]
    """
    if len(cases) <= count:
        return list(cases)
    last = len(cases) - 1
    picks = sorted({round(i * last / (count - 1)) for i in range(count)})
    return [cases[i] for i in picks]
