"""Merging two versions of a map outside git, as git's ``merge=union`` does inside it.

The merged file is the first map's lines, then the second's that the first does
not hold (the lines both share are kept once, as the common history of two
clones is). Reading it is :mod:`conceptmap.core.order`'s business: the same map
whichever file came first.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from ..errors import MapFileError
from .files import atomic_write
from .history import Version, version_bytes
from .replay import read_ops
from .state import MapState
from .store import parse_bytes


def union_lines(first: bytes, second: bytes) -> bytes:
    """The lines of ``first``, then those of ``second`` beyond the ones ``first`` has.

    A line counts as many times as it occurs: a line the second file holds twice
    and the first once is added once. Both headers are line 1: the second one's
    is dropped. A last line with no newline (a torn write) is left out.

    >>> union_lines(b"h\\na\\nb\\n", b"h\\na\\nc\\n")
    b'h\\na\\nb\\nc\\n'
    """
    ours, theirs = _whole_lines(first), _whole_lines(second)
    have = Counter(ours)
    have[theirs[0] if theirs else b""] += 1  # the other header never comes in
    extra = []
    for line in theirs:
        if have[line]:
            have[line] -= 1
        else:
            extra.append(line)
    return b"".join([*ours, *extra])


def _whole_lines(data: bytes) -> list[bytes]:
    return data[: data.rfind(b"\n") + 1].splitlines(keepends=True)


def merge_maps(
    first: str, second: str, output: str | os.PathLike[str], *, force: bool = False
) -> Version:
    """Write the union of two maps (files or ``git:REV:path``) to ``output``; the result.

    ``output`` is written atomically; an existing file is replaced only with
    ``force``, and never when it is one of the two maps (the inputs are never
    changed). Both inputs must be maps; what the merged map skips on reading
    (conflicts settled by the replay order) is in the result's ``problems``.

    >>> merge_maps("mine.jsonl", "theirs.jsonl", "merged.jsonl")  # doctest: +SKIP
    Version(name='merged.jsonl', ...)
    """
    target = Path(output)
    for spec in (first, second):
        if not spec.startswith("git:") and _same_file(Path(spec), target):
            raise MapFileError(target, f"is {spec}, one of the maps merged; write to a new file")
    if target.exists() and not force:
        raise MapFileError(target, "exists already (--force replaces it)")
    data = [version_bytes(spec) for spec in (first, second)]
    for spec, content in zip((first, second), data, strict=True):
        parse_bytes(spec, content)  # both must be maps: a clear error before anything is written
    merged = union_lines(*data)
    batch = parse_bytes(target, merged)
    state = MapState()
    skipped = read_ops(state, batch.ops, batch.header)
    problems = [f"{target}, line {n}: {text}" for n, text in sorted([*batch.problems, *skipped])]
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise MapFileError(target, f"cannot be written: {exc.strerror}") from None
    atomic_write(target, merged)
    return Version(str(target), state, problems)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False
