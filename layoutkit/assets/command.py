"""Assets published by a command run for each new file (`{path}` and `{name}` put into
its arguments, no shell), served at `base_url/NAME`. The command runs with no standard
input in its own process group under a timeout; once it exits, what it left in its group
is killed and its outputs are taken without waiting for them to close. Only the last
OUTPUT_CAP bytes of each output are kept; a failure quotes their end with secret-looking
environment values masked. Ctrl-C/SIGTERM in the main thread, or `close()` from any,
kill the running commands' groups."""

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

from layoutkit.assets.publish import Asset, RememberingPublisher, check_base_url
from layoutkit.errors import AssetError, LayoutkitError, mask_urls, safe_text
from layoutkit.safefiles import write_new

DEFAULT_TIMEOUT = 120.0  # seconds a publish command may take (an upload of at most 6 MB)
MAX_TIMEOUT = 3600.0
OUTPUT_CAP = 64 * 1024  # bytes kept of the end of each of a command's outputs
TAIL_LINES = 12
TAIL_CHARS = 1500
SECRET_NAME = re.compile(
    r"SECRET|TOKEN|PASSW|PASSWD|KEY|CREDENTIAL|AUTH|SESSION|PRIVATE|(^|_)PW($|_)", re.I
)
MIN_SECRET_LENGTH = 4
_PLACEHOLDER = re.compile(r"\{(path|name)\}")
_KILL_WAIT = 5.0
_POLL = 0.05  # seconds between looks at whether the command has exited
_DRAIN_READS = 16  # reads of what is buffered once it has exited (a helper may write on)
EXAMPLE = 'for example ["aws", "s3", "cp", "{path}", "s3://bucket/{name}"]'
TIMEOUT_HINT = "--assets-timeout SECONDS on the command line, timeout=SECONDS in Python"


def _number(value: object) -> str:
    if isinstance(value, float) and not isinstance(value, bool):
        return f"{value:g}"
    return safe_text(repr(value))


def check_timeout(value: object, *, what: str = "the publish command's timeout") -> float:
    """`value` as a timeout in seconds (0 < value <= MAX_TIMEOUT); else AssetError."""
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
    """`text` with the values of secret-looking variables of `env` as `***`, longest first."""
    secrets = sorted(
        {v for k, v in env.items() if SECRET_NAME.search(k) and len(v) >= MIN_SECRET_LENGTH},
        key=len,
        reverse=True,
    )
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def tail(output: bytes, env: Mapping[str, str]) -> str:
    """The last lines of a command's output for a message: secrets masked, escaped."""
    text = mask_urls(redact(output.decode("utf-8", errors="replace"), env))
    lines = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    shown = "\n".join(lines[-TAIL_LINES:])
    if len(shown) > TAIL_CHARS:
        shown = "…" + shown[-TAIL_CHARS:]
    return safe_text(shown)


class _Outputs:
    """A command's standard output and error, read as they come; the end of each kept."""

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
        for key, _ in self._selector.select(timeout):
            self._read(key.fd)

    def drain(self) -> None:
        """Take what is buffered without waiting (a helper may hold the outputs open)."""
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
    """Assets published by running `argv` once per new file, served at `base_url`.
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
                hint=EXAMPLE,
            )
        args = tuple(argv)
        if not args or not all(isinstance(a, str) for a in args):
            raise AssetError("the publish command is a non-empty list of string arguments")
        if not any("{path}" in a for a in args):
            raise AssetError(
                "the publish command never names the file: put {path} in its arguments",
                hint=EXAMPLE,
            )
        self.argv = args
        self.base_url = check_base_url(base_url, what="the assets URL", allow_http=allow_http)
        self.timeout = check_timeout(timeout)
        self.env = None if env is None else dict(env)
        self._running: set[subprocess.Popen[bytes]] = set()
        self._closed = False
        self._interrupted = False

    def close(self) -> None:
        """Kill every running command's process group and run no more."""
        with self._lock:
            self._closed = True
        self._kill_running()

    def _kill_running(self) -> None:
        # no lock: a signal handler calls it, maybe while its own thread holds the lock
        # (a set is copied whole under the GIL)
        for proc in list(self._running):
            _kill_group(proc)

    def arguments(self, path: Path, name: str) -> list[str]:
        """`argv` with `{path}` and `{name}` replaced in one pass."""
        values = {"path": str(path), "name": name}
        return [_PLACEHOLDER.sub(lambda m: values[m[1]], a) for a in self.argv]

    def _upload(self, asset: Asset) -> str:
        what = f"the publish command {safe_text(Path(self.argv[0]).name or self.argv[0])!r}"
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
        return f"{self.base_url}/{asset.name}"

    @contextlib.contextmanager
    def _signals_end_commands(self) -> Iterator[None]:
        """In the main thread, Ctrl-C (and SIGTERM when unhandled) kill the running
        commands; once the `with` is left, the signal has its usual effect."""
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
        """The command's exit code and the end of what it said; AssetError when it cannot
        start or runs too long."""
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
        _kill_group(proc)  # what the exited command left running in its group
        return proc.wait(), outputs.said()

    def _follow(self, proc: subprocess.Popen[bytes], outputs: _Outputs) -> bool:
        """Read the outputs until the command exits (True) or the timeout passes."""
        deadline = time.monotonic() + self.timeout
        while not _exited(proc):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            outputs.read(min(left, _POLL))
        outputs.drain()
        return True


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the command has exited, left unreaped so its group id stays its own."""
    if proc.returncode is not None:
        return True
    try:
        found = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return True
    return found is not None


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command's process group (it runs in its own session) and reap it."""
    _kill_group(proc)
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=_KILL_WAIT)
