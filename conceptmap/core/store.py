"""The map file: an append-only log of JSON lines, shared under a file lock.

Line 1 is a header (``{"format": "conceptmap", "version": 1, ...}``); every
other line is one operation (see :mod:`conceptmap.core.state`). Writers append
whole lines in one ``write`` while holding ``<file>.lock``, so several
processes can share one map. A reader keeps the byte offset it has consumed
and re-reads only what was appended since, after a cheap ``stat``.

What the store never does: rewrite a line it could not read. A torn last line
(a writer killed mid-append) is reported and left in place; the next append
starts on a fresh line after it. An append that fails part-way (a full disk)
is cut back off, so a batch of operations is in the file whole or not at all.

A file replaced under a reader (``compact``, ``git merge``, ``git checkout``) is
not an append: a reader checks that the header and the last bytes it consumed
are still where it read them, and starts over from line 1 when they are not.

A map opened through a symbolic link is the file the link points to: the store
resolves the name once, and locks, reads and rewrites the real file (so every
name of one map shares one lock, and a rewrite keeps the link).
"""

from __future__ import annotations

import json
import os
import stat
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from ..errors import (
    FormatVersionError,
    InvalidValueError,
    LockFileError,
    MapFileError,
)
from .files import atomic_write

FORMAT = "conceptmap"
VERSION = 1
LOCK_TIMEOUT = 30.0
# far more than a header line takes (a topic is at most 300 characters)
_HEAD_BYTES = 64 * 1024
# how much of what was read last is compared, to tell an append from a rewrite
_TAIL_BYTES = 1024


_DECODER = json.JSONDecoder()
NOT_JSON = "is not a complete JSON line (a torn write?); skipped"
# Ends a torn last line before the next append. Not just a newline: a line torn
# right before its newline is complete JSON, and would come back to life.
TORN_END = b"~\n"


@dataclass
class Chunk:
    """Bytes read from the file: whole lines from ``first_line`` on, and what else was seen."""

    first_line: int
    body: bytes = b""
    header: dict[str, Any] | None = None
    reset: bool = False
    torn: int = 0  # length of an incomplete last line not reported before


@dataclass
class Batch:
    """What a read found: operations with their line numbers, and problems."""

    ops: list[tuple[int, Any]] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    header: dict[str, Any] | None = None
    reset: bool = False


def encode(obj: dict[str, Any]) -> bytes:
    """One log line: compact JSON, non-ASCII kept readable, newline-terminated."""
    return (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def check_header(path: Path, obj: Any) -> dict[str, Any]:
    """Return the header object, or raise a clear error if it is not one."""
    if not isinstance(obj, dict) or obj.get("format") != FORMAT:
        raise MapFileError(path, "is not a conceptmap map (line 1 is not its header)", 1)
    version = obj.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise MapFileError(path, f"the header has no valid format version ({version!r})", 1)
    if version > VERSION:
        raise FormatVersionError(
            path,
            f"was written in format version {version}; this conceptmap reads up to "
            f"version {VERSION} (upgrade conceptmap to open it)",
            1,
        )
    return obj


def reread(records: Sequence[dict[str, Any]]) -> Batch:
    """What a reader would find in a file holding ``records`` (the header first).

    The lines are encoded as :meth:`LogStore.write_new` writes them and parsed as
    :meth:`LogStore.parse` reads them, so a rewrite can be checked before it
    replaces a map. A record that cannot be encoded is a problem on its line.
    """
    lines, problems = [], []
    for number, record in enumerate(records, 1):
        try:
            lines.append(encode(record))
        except (TypeError, ValueError) as exc:  # a lone surrogate is no UTF-8
            problems.append((number, f"cannot be written as UTF-8 JSON ({exc})"))
            lines.append(b"\n")  # an empty line: the numbers of the others stay
    try:
        header = json.loads(lines[0]) if lines[0].strip() else None
    except ValueError:
        header = None
    batch = LogStore.parse(Chunk(first_line=2, body=b"".join(lines[1:]), header=header))
    batch.problems[:0] = problems
    return batch


def parse_bytes(name: str | os.PathLike[str], data: bytes) -> Batch:
    """What a whole map file holding ``data`` reads as (``name`` is for messages).

    For a map that is no file here: an older version from git, say.
    """
    end = data.find(b"\n") + 1
    if not end:
        raise MapFileError(name, "is not a conceptmap map (its first line is incomplete)")
    try:
        header = check_header(Path(name), json.loads(data[:end]))
    except (ValueError, RecursionError):
        raise MapFileError(name, "is not a conceptmap map (line 1 is not JSON)", 1) from None
    last = data.rfind(b"\n") + 1
    chunk = Chunk(first_line=2, body=data[end:last], header=header, torn=len(data) - last)
    return LogStore.parse(chunk)


class LogStore:
    """Reads and appends one map file; it knows nothing of what operations mean."""

    def __init__(self, path: str | os.PathLike[str], *, durable: bool = True) -> None:
        #: the name the map was opened by, for messages
        self.name = Path(path)
        #: the real file (links resolved once): what is locked, read and written
        self.path = Path(os.path.realpath(path))
        self.durable = durable
        self._lock = FileLock(f"{self.path}.lock", timeout=LOCK_TIMEOUT, poll_interval=0.005)
        self._offset = 0  # bytes consumed: always the end of a complete line
        self._lines = 0  # lines consumed
        self._stamp: tuple[int, int, int, int] | None = None
        self._torn_reported: int | None = None
        self._head = b""  # the header line as read: tells this file from a replacement
        self._tail = b""  # the last bytes consumed: a merge that reordered lines moves them

    # -- locking and change detection --------------------------------------
    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the map's file lock (re-entrant within this store)."""
        try:
            self._lock.acquire()
        except Timeout:
            raise MapFileError(
                self.name, f"could not get its lock {self._lock.lock_file!r} in {LOCK_TIMEOUT:g} s"
            ) from None
        except OSError as exc:
            raise LockFileError(self.name, f"cannot create its lock file: {exc.strerror}") from None
        try:
            yield
        finally:
            self._lock.release()

    @contextmanager
    def reading(self) -> Iterator[None]:
        """The lock for a read; a map in a folder we cannot write is read without it.

        A file that is not a map (missing, a folder, a notebook given by mistake)
        is read without the lock too: the read fails and says why, and no
        ``<file>.lock`` is left beside a file that conceptmap never wrote.
        """
        if not self.is_map():
            yield
            return
        try:
            with self.locked():
                yield
        except LockFileError:
            yield

    def is_map(self) -> bool:
        """True if the file's first line is a map's header (read without the lock).

        Safe unlocked: a map file only ever appears whole, by a rename, and its
        header line never changes; a file that is not a map yet (missing, empty)
        is read without the lock, so only such a read could meet a torn append,
        which is reported and read whole next time.
        """
        try:
            with open(self.path, "rb") as f:
                head = f.read(_HEAD_BYTES)
        except OSError:  # missing, a folder, unreadable: the read will say which
            return False
        end = head.find(b"\n")
        if end < 0:
            return False
        try:
            obj = json.loads(head[:end])
        except (ValueError, RecursionError):
            return False
        return isinstance(obj, dict) and obj.get("format") == FORMAT

    def _stat(self) -> os.stat_result:
        try:
            return os.stat(self.path)
        except FileNotFoundError:
            raise MapFileError(self.name, "does not exist") from None
        except OSError as exc:
            raise MapFileError(self.name, f"cannot be read: {exc.strerror}") from None

    @staticmethod
    def _stamp_of(st: os.stat_result) -> tuple[int, int, int, int]:
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def exists(self) -> bool:
        """True if the file exists and is not empty (an empty file is a map not yet begun)."""
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise MapFileError(self.name, f"cannot be read: {exc.strerror}") from None
        if not stat.S_ISREG(st.st_mode):
            raise MapFileError(self.name, "is not a regular file")
        return st.st_size > 0

    def rewind(self) -> None:
        """Forget what was read, so the next read starts at line 1."""
        self._offset = self._lines = 0
        self._stamp = self._torn_reported = None
        self._head = self._tail = b""

    def changed(self) -> bool:
        """True if the file may hold lines not read yet (one ``stat``, no read)."""
        return self._stamp != self._stamp_of(self._stat())

    # -- reading -------------------------------------------------------------
    def read_chunk(self) -> Chunk:
        """Take the bytes appended since the last read (call with the lock held).

        Only the header is parsed here; :meth:`parse` does the rest, and needs
        no lock, so readers hold the lock only as long as the read takes.
        """
        st = self._stat()
        if st.st_size == 0:
            raise MapFileError(self.name, "is empty, not a conceptmap map")
        chunk = Chunk(first_line=self._lines + 1)
        try:
            with open(self.path, "rb") as f:
                if self._offset and not self._same_start(f, st.st_size):
                    # replaced (compacted, merged) or truncated by someone else: start
                    # over. The header's file_id tells a new file even if it got the old
                    # inode; the tail, a merge that put the other side's lines first.
                    self.rewind()
                    chunk = Chunk(first_line=1, reset=True)
                f.seek(self._offset)
                data = f.read()
        except IsADirectoryError:
            raise MapFileError(self.name, "is a directory, not a map file") from None
        except OSError as exc:
            raise MapFileError(self.name, f"cannot be read: {exc.strerror}") from None
        end = data.rfind(b"\n") + 1
        body = data[:end]
        if self._offset == 0:
            chunk.header, head = self._header(body)
            body = body[len(head) :]
            chunk.first_line = 2
            self._head = head
        chunk.body = body
        if end < len(data) and self._torn_reported != self._offset + end:
            self._torn_reported = self._offset + end
            chunk.torn = len(data) - end
        self._offset += end
        self._lines += data.count(b"\n", 0, end)
        self._stamp = self._stamp_of(st)
        self._keep_tail(data[:end])
        return chunk

    def _same_start(self, f: Any, size: int) -> bool:
        """Whether the open file still holds what was consumed (its header and last bytes)."""
        if size < self._offset or f.read(len(self._head)) != self._head:
            return False
        f.seek(self._offset - len(self._tail))
        return bool(f.read(len(self._tail)) == self._tail)

    def _keep_tail(self, consumed: bytes) -> None:
        self._tail = (self._tail + consumed)[-_TAIL_BYTES:]

    def _header(self, data: bytes) -> tuple[dict[str, Any], bytes]:
        if not data:
            raise MapFileError(self.name, "is not a conceptmap map (its first line is incomplete)")
        head = data[: data.index(b"\n") + 1]
        try:
            obj = json.loads(head)
        except (ValueError, RecursionError):
            raise MapFileError(
                self.name, "is not a conceptmap map (line 1 is not JSON)", 1
            ) from None
        return check_header(self.name, obj), head

    @staticmethod
    def parse(chunk: Chunk) -> Batch:
        """The operations in a chunk, with their line numbers, and the lines skipped."""
        batch = Batch(header=chunk.header, reset=chunk.reset)
        decode = _DECODER.decode  # json.loads without its per-call wrapping: replay is hot
        try:
            lines: list[str] | list[bytes] = chunk.body.decode("utf-8").split("\n")
        except UnicodeDecodeError:
            lines = chunk.body.split(b"\n")  # some line is not UTF-8: find it line by line
        number = chunk.first_line
        for raw in lines[:-1]:
            if raw.strip():
                try:
                    batch.ops.append((number, decode(raw) if type(raw) is str else json.loads(raw)))
                except (ValueError, RecursionError):
                    batch.problems.append((number, NOT_JSON))
            number += 1
        if chunk.torn:
            message = f"is incomplete ({chunk.torn} bytes with no newline: a torn write); skipped"
            batch.problems.append((number, message))
        return batch

    def read_new(self) -> Batch:
        """Read and parse what was appended since the last read (lock held)."""
        return self.parse(self.read_chunk())

    # -- writing -------------------------------------------------------------
    def append(self, records: Sequence[dict[str, Any]]) -> None:
        """Append records as lines in one write (call with the lock held, after a read).

        All of them or none: if the write falls short (a full disk) or fails, what
        it put in the file is cut off again before the error is raised.
        """
        try:
            data = b"".join(encode(r) for r in records)
        except ValueError as exc:  # a lone surrogate: UTF-8 cannot hold it
            raise InvalidValueError(f"cannot be written to {self.name}: {exc}") from None
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        except OSError as exc:
            raise MapFileError(self.name, f"cannot be written: {exc.strerror}") from None
        try:
            size = os.fstat(fd).st_size
            torn = size > self._offset
            if torn:
                # a torn tail: end its line so ours start clean; its bytes stay
                data = TORN_END + data
            self._write_all(fd, data, size)
            st = os.fstat(fd)
        except OSError as exc:
            raise MapFileError(self.name, f"could not be appended to: {exc.strerror}") from None
        finally:
            os.close(fd)
        self._offset = st.st_size
        self._lines += len(records) + torn
        self._stamp = self._stamp_of(st)
        # the torn bytes before ours were never read: only what we wrote is known
        self._tail = data[-_TAIL_BYTES:] if torn else (self._tail + data)[-_TAIL_BYTES:]

    def _write_all(self, fd: int, data: bytes, size: int) -> None:
        """Write ``data`` at the end of a file of ``size`` bytes, or leave it at ``size``."""
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if self.durable:
                os.fsync(fd)
        except BaseException:
            # a short write, then EFBIG or ENOSPC: half a batch must not stay (the
            # lock is held, so no other writer's lines are after ours)
            os.ftruncate(fd, size)
            raise

    def write_new(self, records: Sequence[dict[str, Any]], *, replace: bool = False) -> None:
        """Write a whole file atomically: temp file, fsync, rename (lock held).

        Without ``replace``, an existing non-empty file is an error and is left alone.
        """
        if not replace and self.exists():
            raise MapFileError(self.name, "exists already")
        head = encode({**records[0], "file_id": uuid.uuid4().hex})
        data = head + b"".join(encode(r) for r in records[1:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise MapFileError(self.name, f"cannot be written: {exc.strerror}") from None
        try:
            atomic_write(self.path, data)
        except MapFileError as exc:  # it names the real file; say the name we were given
            raise MapFileError(self.name, exc.reason) from None
        st = os.stat(self.path)
        self._offset, self._lines = st.st_size, len(records)
        self._stamp = self._stamp_of(st)
        self._torn_reported = None
        self._head = head
        self._tail = data[-_TAIL_BYTES:]
