"""Files that are either complete or absent: every writer in immsim goes through here.

A file is written under a temporary name in its own directory (same file
system, so the rename is atomic), flushed to disk, then renamed into place;
an interrupted writer leaves the earlier file as it was. The temporary file is
created with mode 0o666 and the process umask applied by the kernel, so the
result has the permissions of any new file without reading the umask (which
can only be read by setting it: a race between a web server's threads).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

#: Suffix of the temporary files; ``remove_partials`` looks for it.
PARTIAL = ".partial"


def _create_temporary(path: Path) -> Path:
    """A new empty file beside ``path`` with a name no other writer uses."""
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}{PARTIAL}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary path beside ``path``, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _create_temporary(path)
    try:  # an interrupt anywhere after the file exists must not leave it behind
        write(tmp)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def remove_partials(directory: Path, names: list[str]) -> int:
    """Delete temporary files of ``names`` left in ``directory`` by a writer that was killed; return how many.

    Only a SIGKILL (or a crash) leaves them: ``atomic_write`` removes its own
    on any exception. The pattern is ``atomic_write``'s temporary name (and
    the ``.tmp`` name of earlier versions), so no other file is touched.
    """
    leftovers = [
        p
        for name in names
        for pattern in (f".{name}.*{PARTIAL}", f".{name}.*.tmp")
        for p in Path(directory).glob(pattern)
    ]
    for p in leftovers:
        p.unlink(missing_ok=True)
    return len(leftovers)
