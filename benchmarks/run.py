"""Run every ``benchmarks/bench_*.py`` module's ``main()``; exit 1 if any target is missed.

``make bench`` runs this: ``.venv/bin/python benchmarks/run.py``. Each ``main()`` prints
its own table and returns True when all its target ratios are met.
"""

from __future__ import annotations

import importlib
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    sys.path.insert(0, str(HERE))
    print(f"python {platform.python_version()} on {platform.platform()}, {time.strftime('%F %T')}")
    failed: list[str] = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem
        print(f"\n== {name}")
        module = importlib.import_module(name)
        if not module.main():
            failed.append(name)
    print()
    if failed:
        print(f"target missed in: {', '.join(failed)}")
        return 1
    print("all benchmark targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
