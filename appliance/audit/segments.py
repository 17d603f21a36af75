"""Where an audit log's files live, and the small file operations rotation relies on.

For ``audit/egress.jsonl`` the directory holds:

- ``egress.jsonl``: the active segment, appended to;
- ``egress.000042.1201-1800.20250301T101500Z.jsonl.gz``: closed segment 42, records
  1201-1800, the last written at that UTC time (gzip when ``compress`` is on);
- ``egress.jsonl.head``: the signed seq and mac of the last record;
- ``egress.jsonl.anchor``: the signed record of what retention removed;
- ``egress.jsonl.lock``: the ``flock`` every writer (thread or process) takes.

Closed segments never change; only the rename to ``.gz`` and retirement touch them.
"""

from __future__ import annotations

import calendar
import contextlib
import fcntl
import gzip
import os
import re
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_TS = "%Y%m%dT%H%M%SZ"
# What reading a segment can raise: I/O, a truncated gzip stream, corrupt deflate data.
READ_ERRORS = (OSError, EOFError, zlib.error)
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Segment:
    """A closed segment as its name describes it (verification checks the name)."""

    path: Path
    number: int
    first_seq: int
    last_seq: int
    last_ts: float

    @property
    def records(self) -> int:
        """Return how many records the name says the segment holds."""
        return self.last_seq - self.first_seq + 1

    @property
    def compressed(self) -> bool:
        """Return True for a gzip segment."""
        return self.path.name.endswith(".gz")


class Layout:
    """The file names of one audit log."""

    def __init__(self, active: Path) -> None:
        self.active = active
        self.dir = active.parent
        name = active.name
        self.stem = name[: -len(".jsonl")] if name.endswith(".jsonl") and name != ".jsonl" else name
        self.head = active.with_name(name + ".head")
        self.anchor = active.with_name(name + ".anchor")
        self.lock = active.with_name(name + ".lock")
        self._pattern = re.compile(
            rf"^{re.escape(self.stem)}\.(\d{{6,}})\.(\d+)-(\d+)\.(\d{{8}}T\d{{6}}Z)\.jsonl(\.gz)?$")

    def segment_path(self, number: int, first: int, last: int, last_ts: float,
                     compressed: bool = False) -> Path:
        """Return the name a closed segment gets."""
        try:
            stamp = time.strftime(_TS, time.gmtime(last_ts))
        except (OverflowError, OSError, ValueError):
            stamp = time.strftime(_TS, time.gmtime())

        return self.dir / (f"{self.stem}.{number:06d}.{first}-{last}.{stamp}.jsonl"
                           + (".gz" if compressed else ""))

    def parse(self, path: Path) -> Segment | None:
        """Return the segment ``path`` names, or None if it is not a segment of this log."""
        m = self._pattern.match(path.name)
        if m is None:
            return None
        stamp = float(calendar.timegm(time.strptime(m.group(4), _TS)))
        return Segment(path, int(m.group(1)), int(m.group(2)), int(m.group(3)), stamp)

    def closed(self) -> tuple[list[Segment], list[Path]]:
        """Return closed segments in order, and leftovers of an interrupted rotation.

        A plain segment whose ``.gz`` copy also exists (killed before the plain file
        was removed) is listed once, as the plain file, and the copy is a leftover;
        so are ``*.tmp`` files.
        """
        segments: list[Segment] = []
        leftovers: list[Path] = []
        try:
            entries = list(os.scandir(self.dir))
        except FileNotFoundError:
            return segments, leftovers
        names = {e.name for e in entries}
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith(self.stem + ".") and entry.name.endswith(".tmp"):
                leftovers.append(path)
                continue
            seg = self.parse(path)
            if seg is None:
                continue
            if seg.compressed and entry.name[:-3] in names:
                leftovers.append(path)
                continue
            segments.append(seg)
        segments.sort(key=lambda s: (s.number, s.first_seq))
        return segments, leftovers


# --- reading -----------------------------------------------------------------------
def iter_lines(path: Path) -> Iterator[bytes]:
    """Yield the lines of a segment (gzip or plain), each with its newline.

    Raises one of :data:`READ_ERRORS` if the file cannot be read.
    """
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        yield from fh


def iter_fd_lines(fd: int, size: int) -> Iterator[bytes]:
    """Yield the lines of the open file ``fd`` up to byte ``size`` (a snapshot's end)."""
    pos, rest = 0, b""
    while pos < size:
        chunk = os.pread(fd, min(_CHUNK, size - pos), pos)
        if not chunk:
            break
        pos += len(chunk)
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        for line in lines:
            yield line + b"\n"
    if rest:
        yield rest


def first_line(path: Path) -> bytes | None:
    """Return the first line of a plain file, or None if it is missing or empty."""
    try:
        with path.open("rb") as fh:
            line = fh.readline()
    except FileNotFoundError:
        return None
    return line or None


def tail(fd: int, size: int | None = None) -> tuple[bytes | None, int]:
    """Return the last complete line of the open plain file ``fd`` and the offset it ends at.

    ``size`` (default: the file's) is where the file is read to. The offset is ``size``
    unless the file ends in a torn line (no newline: a write cut short), which then
    starts there. ``(None, 0)`` when no line is complete.
    """
    buf, pos, end = b"", os.fstat(fd).st_size if size is None else size, -1
    step = 4096  # a record is a few hundred bytes: read little, more only if needed
    while True:
        if end < 0:
            cut = buf.rfind(b"\n")
            if cut >= 0:
                end = pos + cut + 1
        if end >= 0:
            start = buf.rfind(b"\n", 0, end - pos - 1)
            if start >= 0 or pos == 0:
                return buf[start + 1 : end - pos], end
        elif pos == 0:
            return None, 0
        take = min(step, pos)
        pos -= take
        buf = os.pread(fd, take, pos) + buf
        step = min(step * 2, _CHUNK)


# --- writing -----------------------------------------------------------------------
def fsync_dir(path: Path) -> None:
    """Make renames and unlinks in directory ``path`` durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, durable_dir: bool = True) -> None:
    """Replace ``path`` with ``data`` (0600) so a reader sees the old or the new file, whole."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if durable_dir:
        fsync_dir(path.parent)


def compress(src: Path) -> Path:
    """Write ``src`` gzipped beside it (durably), then remove ``src``; return the new path.

    The ``.gz`` appears under its final name only once complete, so a crash leaves
    either the plain segment alone or both (the plain one then wins, see
    :meth:`Layout.closed`).
    """
    dst = src.with_name(src.name + ".gz")
    tmp = dst.with_name(dst.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                  filename="") as gz, src.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            gz.write(chunk)
        gz.close()
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(tmp, dst)
    fsync_dir(dst.parent)
    src.unlink()
    fsync_dir(dst.parent)
    return dst


@contextlib.contextmanager
def locked(layout: Layout, *, exclusive: bool) -> Iterator[None]:
    """Hold the log's ``flock`` (exclusive for writers, shared for a reader's snapshot).

    A reader that cannot create the lock file (no directory yet, read-only) goes
    without: there is then nothing a writer could be changing.
    """
    try:
        fd = os.open(layout.lock, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        if exclusive:
            raise
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)
