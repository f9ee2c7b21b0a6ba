"""``make quick`` runs the property tests with fewer examples (``CONCEPTMAP_QUICK=1``).

The whole suite (``make test``, CI) runs every property with its full count.
"""

from __future__ import annotations

import os

QUICK = os.environ.get("CONCEPTMAP_QUICK") == "1"


def examples(full: int) -> int:
    """How many Hypothesis examples to run: ``full``, or a fifth of it (at least 10) in quick."""
    return max(10, full // 5) if QUICK else full
