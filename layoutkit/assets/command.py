"""Assets published by a command run for each new file, such as
`["aws", "s3", "cp", "{path}", "s3://bucket/{name}"]`, served at `base_url/NAME`.

The file is written whole to a private temporary folder first, under its own name, and
`{path}` (that file) and `{name}` (its name) are put into the arguments; no shell is
used, so each argument stays one argument whatever it holds. The command runs with no
standard input, in its own process group (a session of its own), under a timeout
(`--assets-timeout`, `timeout=`; the group is killed when it passes). Its exit status is
its answer: once it has exited, what it left running in its group is killed and what it
wrote is taken without waiting for its outputs to close (a helper such as ssh's
ControlPersist master may hold them open). Of each output only the last `OUTPUT_CAP`
bytes are kept; the rest is read and dropped, so a command that writes without end
neither fills memory nor blocks. A non-zero exit is an AssetError with the end of what
the command wrote to standard error (or standard output), with the values of
secret-looking environment variables (`*SECRET*`, `*TOKEN*`, `*KEY*`, `*PASSWORD*`, ...)
masked; the arguments are not echoed, only the program's name.

Interrupted while publishing in the main thread (Ctrl-C, or SIGTERM when the program
has no handler of its own), the running commands' groups are killed at once and their
temporary folders removed; then the signal has its usual effect (KeyboardInterrupt, the
end of the process). `close()` does the same from any thread (the service calls it).

What was published is remembered by name in this process; a new process publishes each
file once again (the commands used for this, copies to a bucket, are safe to repeat).
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType

from layoutkit.assets.asset import Asset
from layoutkit.assets.publisher import RememberingPublisher, check_base_url
from layoutkit.errors import AssetError, LayoutkitError, mask_urls, safe_text
from layoutkit.safefiles import write_new

DEFAULT_TIMEOUT = 120.0
"""Seconds a publish command may take (an upload of at most 6 MB)."""
MAX_TIMEOUT = 3600.0
"""The longest timeout a publish command may be given (an hour)."""
OUTPUT_CAP = 64 * 1024
"""Bytes kept of each of a command's outputs: the last ones, which say why it failed."""
TAIL_LINES = 12
TAIL_CHARS = 1500
SECRET_NAME = re.compile(
    r"SECRET|TOKEN|PASSW|PASSWD|KEY|CREDENTIAL|AUTH|SESSION|PRIVATE|(^|_)PW($|_)", re.I
)
"""Environment variables whose values never appear in a message."""
MIN_SECRET_LENGTH = 4
_PLACEHOLDER = re.compile(r"\{(path|name)\}")
_KILL_WAIT = 5.0
_POLL = 0.05  # seconds between looks at whether the command has exited
_DRAIN_READS = 16  # reads of what is buffered once it has exited (a helper may write on)
TIMEOUT_HINT = "--assets-timeout SECONDS on the command line, timeout=SECONDS in Python"


def _number(value: object) -> str:
    if isinstance(value, float) and not isinstance(value, bool):
        return f"{value:g}"
    return safe_text(repr(value))


def check_timeout(value: object, *, what: str = "the publish command's timeout") -> float:
    """`value` as a publish command's timeout in seconds: a number above 0 and at most
    MAX_TIMEOUT; AssetError naming `what` otherwise."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= MAX_TIMEOUT
    ):
        raise AssetError(
            f"{what} is a number of seconds above 0 and at most {MAX_TIMEOUT:g}, "
            f"not {_number(value)}",
            hint=f"the default is {DEFAULT_TIMEOUT:g}; {TIMEOUT_HINT}",
        )
    return float(value)


def redact(text: str, env: Mapping[str, str]) -> str:
    """`text` with the value of every secret-looking variable of `env` as `***`
    (longest first, so a secret that contains another is masked whole)."""
    secrets = sorted(
        {v for k, v in env.items() if SECRET_NAME.search(k) and len(v) >= MIN_SECRET_LENGTH},
        key=len,
        reverse=True,
    )
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def tail(output: bytes, env: Mapping[str, str]) -> str:
    """The last lines of a command's output as text for a message: secrets masked,
    control characters escaped, at most TAIL_LINES lines and TAIL_CHARS characters."""
    text = mask_urls(redact(output.decode("utf-8", errors="replace"), env))
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    shown = "\n".join(lines[-TAIL_LINES:])
    if len(shown) > TAIL_CHARS:
        shown = "…" + shown[-TAIL_CHARS:]
    return safe_text(shown)


class _Outputs:
    """A command's standard output and error, read as they come and never waited on
    once the command has exited; the last OUTPUT_CAP bytes of each kept."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self._streams = [s for s in (proc.stdout, proc.stderr) if s is not None]
        self._selector = selectors.DefaultSelector()
        self._kept: dict[int, bytearray] = {}  # standard output, then error
        for stream in self._streams:
            fd = stream.fileno()
            os.set_blocking(fd, False)
            self._selector.register(fd, selectors.EVENT_READ)
            self._kept[fd] = bytearray()

    def read(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for output and take what there is."""
        for key, _ in self._selector.select(timeout):
            self._read(key.fd)

    def drain(self) -> None:
        """Take what is buffered without waiting (the command has exited; a helper it
        left, or its own children, may hold its outputs open)."""
        for key in list(self._selector.get_map().values()):
            for _ in range(_DRAIN_READS):
                if not self._read(key.fd):
                    break

    def _read(self, fd: int) -> bool:
        try:
            chunk = os.read(fd, OUTPUT_CAP)
        except BlockingIOError:
            return False
        except OSError:
            chunk = b""
        if not chunk:
            self._selector.unregister(fd)
            return False
        kept = self._kept[fd]
        kept += chunk
        if len(kept) > 2 * OUTPUT_CAP:  # trimmed now and then, not at every read
            del kept[:-OUTPUT_CAP]
        return True

    def said(self) -> bytes:
        """The end of the standard error or, when that is empty, of the standard output."""
        out, err = (bytes(kept[-OUTPUT_CAP:]) for kept in self._kept.values())
        return err if err.strip() else out

    def close(self) -> None:
        self._selector.close()
        for stream in self._streams:
            with contextlib.suppress(OSError):
                stream.close()


class CommandPublisher(RememberingPublisher):
    """Assets published by running `argv` (a list of arguments; `{path}` and `{name}`
    substituted) once per new file, served at `base_url` (https; http only with
    `allow_http`). `timeout`: seconds each run may take (above 0, at most MAX_TIMEOUT).
    `env`: the command's environment (None: this process's)."""

    def __init__(
        self,
        argv: Sequence[str],
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        allow_http: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        if isinstance(argv, str | bytes):
            raise AssetError(
                "the publish command is a list of arguments, not one string (no shell is used)",
                hint='for example ["aws", "s3", "cp", "{path}", "s3://bucket/{name}"]',
            )
        args = tuple(argv)
        if not args or not all(isinstance(a, str) for a in args):
            raise AssetError("the publish command is a non-empty list of string arguments")
        if not any("{path}" in a for a in args):
            raise AssetError(
                "the publish command never names the file: put {path} in its arguments",
                hint='for example ["aws", "s3", "cp", "{path}", "s3://bucket/{name}"]',
            )
        self.argv = args
        self.base_url = check_base_url(base_url, what="the assets URL", allow_http=allow_http)
        self.timeout = check_timeout(timeout)
        self.env = None if env is None else dict(env)
        self._running: set[subprocess.Popen[bytes]] = set()
        self._closed = False
        self._interrupted = False

    def close(self) -> None:
        """Stop every command still running (their process groups: each runs in its own
        session, so a stopping service would leave it behind) and run no more."""
        with self._lock:
            self._closed = True
        self._kill_running()

    def _kill_running(self) -> None:
        # no lock: a signal handler calls it, maybe while its own thread holds the lock
        # (a set is copied whole under the GIL)
        for proc in list(self._running):
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)

    @property
    def program(self) -> str:
        """The program's name, as messages show it (never the arguments)."""
        return safe_text(Path(self.argv[0]).name or self.argv[0])

    def url_of(self, asset: Asset) -> str:
        return f"{self.base_url}/{asset.name}"

    def arguments(self, path: Path, name: str) -> list[str]:
        """`argv` with `{path}` and `{name}` replaced inside each argument (one pass, so
        a value is never substituted into again)."""
        values = {"path": str(path), "name": name}
        return [_PLACEHOLDER.sub(lambda m: values[m[1]], a) for a in self.argv]

    def _upload(self, asset: Asset) -> str:
        what = f"the publish command {self.program!r}"
        with (
            self._signals_end_commands(),
            tempfile.TemporaryDirectory(prefix="layoutkit-asset-") as folder,
        ):
            path = Path(folder) / asset.name
            try:
                write_new(path, asset.data)
            except LayoutkitError as exc:
                raise AssetError(f"{asset.describe()}: {exc}") from None
            code, output = self._run(self.arguments(path, asset.name), asset, what)
        if code != 0:
            status = f"was killed by signal {-code}" if code < 0 else f"exited with {code}"
            said = tail(output, os.environ if self.env is None else self.env)
            raise AssetError(
                f"{what} {status} publishing {asset.describe()}"
                + (f":\n{said}" if said else " and printed nothing"),
            )
        return self.url_of(asset)

    @contextlib.contextmanager
    def _signals_end_commands(self) -> Iterator[None]:
        """In the main thread: Ctrl-C, and SIGTERM when nothing else handles it, kill the
        running commands at once; once the `with` is left (their temporary folders
        removed), the signal has its usual effect. Elsewhere, nothing (`close` does it)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        caught: list[int] = []

        def handler(signum: int, frame: FrameType | None) -> None:
            caught.append(signum)
            self._interrupted = True
            self._kill_running()

        usual = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
        previous = {s: signal.getsignal(s) for s in usual}
        ours = [s for s in usual if previous[s] is usual[s]]
        self._interrupted = False
        for signum in ours:
            signal.signal(signum, handler)
        try:
            yield
        finally:
            for signum in ours:
                signal.signal(signum, previous[signum])
            if caught:
                signal.raise_signal(caught[0])  # KeyboardInterrupt, or the end

    def _run(self, args: list[str], asset: Asset, what: str) -> tuple[int, bytes]:
        """The exit code and the end of the standard error (or, when that is empty, the
        standard output) of the command; AssetError when it cannot start or runs too
        long."""
        search = (os.environ if self.env is None else self.env).get("PATH", os.defpath)
        if os.sep not in args[0] and shutil.which(args[0], path=search) is None:
            # looked up first: an unreadable folder on PATH would make exec say
            # "permission denied" for a program that is simply not there
            raise AssetError(f"{what} was not found", hint="install it, or give its full path")
        with self._lock:  # started and known at once: `close` stops every one
            if self._closed or self._interrupted:
                why = "it was closed" if self._closed else "layoutkit was interrupted"
                raise AssetError(f"{what} is not run for {asset.describe()}: {why}")
            try:
                proc = subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=self.env,
                    start_new_session=True,
                )
            except FileNotFoundError:
                raise AssetError(
                    f"{what} was not found", hint="install it, or give its full path"
                ) from None
            except OSError as exc:
                raise AssetError(f"{what} cannot be run: {exc.strerror or exc}") from None
            self._running.add(proc)
        if self._interrupted:  # a signal came between the look above and the `add`
            self._kill_running()
        try:
            return self._wait(proc, asset, what)
        finally:
            with self._lock:
                self._running.discard(proc)

    def _wait(self, proc: subprocess.Popen[bytes], asset: Asset, what: str) -> tuple[int, bytes]:
        outputs = _Outputs(proc)
        try:
            exited = self._follow(proc, outputs)
        except BaseException:
            _stop(proc)
            raise
        finally:
            outputs.close()
        if not exited:
            _stop(proc)
            raise AssetError(
                f"{what} did not finish within {self.timeout:g} s publishing "
                f"{asset.describe()}; it was stopped",
                hint=f"check the command by hand; a slow upload needs a longer timeout: "
                f"{TIMEOUT_HINT}",
            )
        return _end_group(proc), outputs.said()

    def _follow(self, proc: subprocess.Popen[bytes], outputs: _Outputs) -> bool:
        """Read the command's outputs until it exits (True, its outputs drained of what
        is buffered) or the timeout passes (False)."""
        deadline = time.monotonic() + self.timeout
        while not _exited(proc):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            outputs.read(min(left, _POLL))
        outputs.drain()
        return True


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the command has exited, leaving it unreaped: its process group cannot
    be taken by another process before `_end_group` kills what is left in it."""
    if proc.returncode is not None:
        return True
    try:
        found = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return found is not None


def _end_group(proc: subprocess.Popen[bytes]) -> int:
    """Kill what the exited command left running in its process group; its exit code."""
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.wait()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command's process group (it runs in its own session) and reap it."""
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=_KILL_WAIT)


__all__ = [
    "DEFAULT_TIMEOUT",
    "MAX_TIMEOUT",
    "MIN_SECRET_LENGTH",
    "OUTPUT_CAP",
    "SECRET_NAME",
    "CommandPublisher",
    "check_timeout",
    "redact",
    "tail",
]
