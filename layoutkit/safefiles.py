"""Every file layoutkit reads or writes goes through here: atomic writes through a
temporary file and a rename (symlinks written through; a FIFO, device, folder or socket
refused), and reads of regular files only, never past a limit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from layoutkit.errors import FileReadError, OutputError

NEW_FILE_MODE = 0o644  # what a plain `open(path, "wb")` gives under the usual umask 022
_READ_CHUNK = 1 << 16


def kind_of(mode: int) -> str:
    """What a `st_mode` is, in words ("a regular file", "a FIFO (named pipe)", ...)."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISLNK(mode):
        return "a symlink"
    return "not a regular file"


def final_target(path: Path) -> Path:
    """Where writing `path` lands: symlinks followed to their final target (which may not
    exist yet). Raises OutputError for a symlink loop."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, RuntimeError) as exc:
        raise OutputError(
            f"{path}: cannot follow the symlink ({exc})", hint="point it at a file"
        ) from None


def check_output(path: Path) -> Path:
    """The final target of `path` (see `final_target`), if it is a regular file or does
    not exist yet; otherwise OutputError (a FIFO, a device, a folder, a socket)."""
    target = final_target(path)
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        via = f" (through the symlink to {target})" if Path(path).is_symlink() else ""
        raise OutputError(
            f"{path}: is {kind_of(mode)}{via}, not a regular file; refusing to replace it",
            hint="give the path of a regular file to write",
        )
    return target


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically: a temporary file in the final folder, then a
    rename over the file (an existing file keeps its permissions). A symlink is written
    through to its final target and kept. A FIFO, device, folder or socket is refused
    (OutputError), as is any failure; nothing half-written is ever left behind."""
    path = Path(path)
    target = check_output(path)
    try:
        handle, temp = _new_temp(target)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write there ({exc.strerror or exc})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            mode = target.lstat().st_mode
        except FileNotFoundError:
            mode = stat.S_IFREG | NEW_FILE_MODE
        if not stat.S_ISREG(mode):  # it changed since check_output
            raise OutputError(f"{path}: is {kind_of(mode)} now, not a regular file; refused")
        Path(temp).chmod(stat.S_IMODE(mode))
        Path(temp).replace(target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            Path(temp).unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"{path}: cannot write the file ({exc.strerror or exc})") from None
        raise


_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_TEMP_TRIES = 100


def _new_temp(target: Path) -> tuple[int, Path]:
    """A new, empty file `.NAME.RANDOM.tmp` next to `target`, open for writing: created
    by this call alone (O_EXCL, mode 0600, never through a symlink), another random name
    when one is taken. What `tempfile.mkstemp` does, without loading tempfile (and with it
    shutil, random, bz2 and lzma) in every command that writes a file."""
    for _ in range(_TEMP_TRIES):
        temp = target.parent / f".{target.name}.{os.urandom(6).hex()}.tmp"
        try:
            return os.open(temp, _TEMP_FLAGS, 0o600), temp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(target.parent))


def write_new(path: Path, data: bytes, mode: int = NEW_FILE_MODE) -> None:
    """Create `path` (which must not exist; symlinks are not followed) and write `data`.
    For files inside a folder layoutkit has just made (a staging folder)."""
    try:
        handle = os.open(
            path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode
        )
        with os.fdopen(handle, "wb") as out:
            out.write(data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the file ({exc.strerror or exc})") from None


def read_limited(path: Path, limit: int, *, what: str = "file") -> bytes:
    """The bytes of the regular file `path` (symlinks followed), at most `limit` of them.

    Refuses (FileReadError, naming the file) a missing file, a folder, a FIFO, a device
    or a socket, a file it may not read, and a file over `limit` bytes, which is checked
    while reading, so a file that grows or lies about its size cannot exhaust memory."""
    name = str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
    try:
        handle = os.open(path, flags)
    except FileNotFoundError:
        raise FileReadError(
            "no such file", source=name, hint="check the path, or run from its folder"
        ) from None
    except PermissionError:
        raise FileReadError(f"permission denied: cannot read the {what}", source=name) from None
    except OSError as exc:
        text = "a symlink loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
        raise FileReadError(f"cannot read the {what}: {text}", source=name) from None
    try:
        mode = os.fstat(handle).st_mode
        if stat.S_ISDIR(mode):
            raise FileReadError(f"is a folder, not a {what}", source=name)
        if not stat.S_ISREG(mode):
            raise FileReadError(
                f"is {kind_of(mode)}, not a regular file; refusing to read it",
                source=name,
                hint=f"give the path of a regular {what}",
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(handle, min(_READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise FileReadError(
                f"the {what} is over {_bytes_text(limit)}; it is limited to {_bytes_text(limit)}",
                source=name,
            )
        return b"".join(chunks)
    except OSError as exc:
        raise FileReadError(f"cannot read the {what}: {exc.strerror or exc}", source=name) from None
    finally:
        os.close(handle)


def is_regular_file(path: Path) -> bool:
    """Whether `path` (symlinks followed) is an existing regular file."""
    try:
        return stat.S_ISREG(Path(path).stat().st_mode)
    except (OSError, RuntimeError):
        return False


def _bytes_text(count: int) -> str:
    if count >= 1 << 20 and count % (1 << 20) == 0:
        return f"{count >> 20} MiB"
    return f"{count} bytes"
