"""Writing files atomically, and reading them with errors that name them.

Every file conceptmap writes (map logs when rewritten, exports, HTML pages,
drafts, notebooks) goes through :func:`atomic_write`: the bytes go to a
temporary file in the same folder, are flushed to disk, and only then take the
file's name. A write that fails (a full disk, an interrupt) leaves the old file
exactly as it was and no temporary file behind.

Every reader wraps its parsing in :func:`reading` (as networkx's ``open_file``
does for paths), so whatever goes wrong is one :class:`MapFileError` naming
the file.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from xml.etree.ElementTree import ParseError as XMLParseError

import networkx as nx

from ..errors import ConceptMapError, FileError, InvalidValueError, MapFileError
from .schema import limit, over_limit, unstorable

T = TypeVar("T")

#: the line of a ``.gitignore`` that keeps maps' lock files out of git
IGNORE_LOCKS = "*.lock"
_IGNORE_BLOCK = (
    "# conceptmap: a map's lock file (<map>.jsonl.lock) belongs to the machine that\n"
    "# made it; never commit one\n"
    f"{IGNORE_LOCKS}\n"
)
#: the line of a ``.gitattributes`` that has git merge map logs line by line
MERGE_UNION = "*.jsonl merge=union"
_UNION_BLOCK = (
    "# conceptmap: a map (<map>.jsonl) is a log that only grows; git keeps the lines\n"
    "# both sides added, and conceptmap reads them in one order (README: Maps that\n"
    "# merge in git)\n"
    f"{MERGE_UNION}\n"
)

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")

#: what a malformed file can raise while a library parses it
_MALFORMED = (
    ValueError,
    TypeError,
    LookupError,
    RecursionError,
    OverflowError,
    XMLParseError,
    nx.NetworkXError,
)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` all at once: temp file, fsync, rename, fsync of the folder.

    A new file gets the umask's mode (not mkstemp's 0600, which would lock the
    other participants out of a shared folder); a rewritten one keeps its mode.
    A symbolic link is kept: its target is what gets rewritten.
    """
    target = Path(os.path.realpath(path))
    try:
        tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise MapFileError(path, f"cannot be written: {exc.strerror}") from None
    try:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            pass
        else:
            os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise MapFileError(path, f"cannot be written: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    return Path(path)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable, where the file system allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a directory; the rename stands
    finally:
        os.close(fd)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` as UTF-8 with :func:`atomic_write`."""
    return atomic_write(path, text.encode("utf-8"))


@contextmanager
def reading(
    path: str | os.PathLike[str], problem: str, *, also: tuple[type[Exception], ...] = ()
) -> Iterator[None]:
    """Turn whatever goes wrong inside into a :class:`MapFileError` naming ``path``.

    ``problem`` is what to say of a malformed file (``"is not GraphML"``); the
    library's own message follows in brackets. ``also`` are more exceptions that
    mean a malformed file inside this block (a library that trips over a missing
    element with an ``AttributeError``), kept out of the others so that they
    still show our own bugs.

    >>> with reading("map.json", "is not JSON"):  # doctest: +ELLIPSIS
    ...     json.loads("{")
    Traceback (most recent call last):
    conceptmap.errors.MapFileError: map.json: is not JSON (Expecting property name ...)
    """
    malformed: tuple[type[Exception], ...] = (*_MALFORMED, *also)
    try:
        yield
    except MapFileError:
        raise
    except OSError as exc:
        raise MapFileError(path, f"cannot be read: {exc.strerror or exc}") from None
    except ConceptMapError as exc:
        raise MapFileError(path, str(exc)) from None
    except malformed as exc:
        raise MapFileError(path, f"{problem} ({exc})") from None


def check_size(path: str | os.PathLike[str]) -> None:
    """Refuse a file larger than ``limit("file size")`` (100 MiB) before reading it.

    Parsing a file takes several times its size in memory; the limit keeps a
    wrong or hostile file from taking it all.
    """
    with reading(path, "cannot be read"):
        size = os.stat(path).st_size
        largest = limit("file size")
        if size > largest:
            mib = f" ({largest // 2**20} MiB)" if largest % 2**20 == 0 else ""
            raise over_limit("file size", f"is {size:,} bytes", f"{largest:,} bytes{mib}")


def _refuse_constant(name: str) -> Any:
    raise InvalidValueError(f"holds {name}, which is not JSON (JSON numbers are finite)")


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999: JSON syntax, but no number a map can hold
        raise InvalidValueError(f"holds the number {text:.40}, too large to be finite")
    return number


def loads(text: str) -> Any:
    """JSON data from ``text``, refusing what a map cannot hold.

    Python's parser reads ``NaN`` and ``Infinity`` (and turns ``1e999`` into
    infinity), and a ``\\ud800`` escape into a lone surrogate; none of them is
    text or a number a map file (UTF-8 JSON) or the HTML page can hold, so they
    raise :class:`InvalidValueError`.

    >>> loads('{"row": NaN}')
    Traceback (most recent call last):
    conceptmap.errors.InvalidValueError: holds NaN, which is not JSON (JSON numbers are finite)
    >>> loads('["\\\\ud800"]')
    Traceback (most recent call last):
    conceptmap.errors.InvalidValueError: [0] contains the lone surrogate U+D800, ...
    """
    data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    # a surrogate can only come from an escape: search the data only if there is one
    if _SURROGATE_ESCAPE.search(text):
        problem = unstorable(data)
        if problem:
            raise InvalidValueError(problem)
    return data


def load_json(path: str | os.PathLike[str], build: Callable[[Any], T]) -> T:
    """``build`` applied to the JSON in ``path``; any problem names the file.

    Files over the size limit are refused unread (see :func:`check_size`).
    """
    check_size(path)
    with reading(path, "is not JSON"):
        data = loads(Path(path).read_text(encoding="utf-8"))
    with reading(path, "holds a value that cannot be decoded"):
        return build(data)


def git_files(folder: str | os.PathLike[str]) -> list[tuple[Path, str]]:
    """See that a maps folder is ready for git; ``(file, why)`` for each file written.

    ``folder/.gitignore`` gets ``*.lock`` (see :func:`ignore_lock_files`) and
    ``folder/.gitattributes`` gets ``*.jsonl merge=union`` (see
    :func:`merge_maps_by_union`), each only if it lacks it.

    >>> git_files("maps")  # doctest: +SKIP
    [(PosixPath('maps/.gitignore'), '*.lock: lock files stay out of git'),
     (PosixPath('maps/.gitattributes'), '*.jsonl merge=union: git merges maps line by line')]
    """
    written = []
    ignored = ignore_lock_files(folder)
    if ignored is not None:
        written.append((ignored, "*.lock: lock files stay out of git"))
    merged = merge_maps_by_union(folder)
    if merged is not None:
        written.append((merged, f"{MERGE_UNION}: git merges maps line by line"))
    return written


def ignore_lock_files(folder: str | os.PathLike[str]) -> Path | None:
    """See that ``folder/.gitignore`` ignores lock files; the file, if it was written.

    A lock file is ``<map>.jsonl.lock`` beside each map. It only means something
    on the machine that holds it, and committed it would sit in every clone, so
    ``*.lock`` belongs in the ignore file of a maps folder. A ``.gitignore``
    without that line gets it appended (nothing else in it changes); one that has
    it, or that is a symbolic link (shared with other folders), is left alone.

    >>> ignore_lock_files("maps")  # doctest: +SKIP
    PosixPath('maps/.gitignore')
    >>> ignore_lock_files("maps") is None  # the line is there now  # doctest: +SKIP
    True
    """
    return _add_block(Path(folder) / ".gitignore", _IGNORE_BLOCK, lambda line: line == IGNORE_LOCKS)


def merge_maps_by_union(folder: str | os.PathLike[str]) -> Path | None:
    """See that git merges ``folder``'s maps by union; the ``.gitattributes``, if written.

    Two clones that each appended to a map then merge without a conflict: git
    keeps both sides' new lines, and conceptmap reads them in one order whatever
    order git chose (see :mod:`conceptmap.core.order`). A ``.gitattributes``
    that says nothing of how ``*.jsonl`` merges gets ``*.jsonl merge=union``
    appended; one that says something (``merge=union`` or another choice of
    yours), or that is a symbolic link, is left alone.

    >>> merge_maps_by_union("maps")  # doctest: +SKIP
    PosixPath('maps/.gitattributes')
    """

    def says_how_maps_merge(line: str) -> bool:
        words = line.split()
        return (
            len(words) > 1
            and words[0] == "*.jsonl"
            and any(w.lstrip("-!").split("=")[0] == "merge" for w in words[1:])
        )

    return _add_block(Path(folder) / ".gitattributes", _UNION_BLOCK, says_how_maps_merge)


def _add_block(path: Path, block: str, done: Callable[[str], bool]) -> Path | None:
    """Append ``block`` to ``path`` unless a line of it is ``done``; the file, if written."""
    if path.is_symlink():
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        data = b""
    except OSError as exc:
        raise FileError(path, f"cannot be read: {exc.strerror}") from None
    lines = data.decode("utf-8", errors="replace").splitlines()
    if any(done(line.strip()) for line in lines if not line.lstrip().startswith("#")):
        return None
    if data and not data.endswith(b"\n"):
        data += b"\n"
    try:
        atomic_write(path, data + block.encode())
    except MapFileError as exc:  # it is no map file: say it as a file
        raise FileError(path, exc.reason) from None
    return path
