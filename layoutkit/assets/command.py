"""Assets published by a command run for each new file, such as
`["aws", "s3", "cp", "{path}", "s3://bucket/{name}"]`, served at `base_url/NAME`.

The file is written whole to a private temporary folder first, under its own name, and
`{path}` (that file) and `{name}` (its name) are put into the arguments; no shell is
used, so each argument stays one argument whatever it holds. The command runs with no
standard input, in its own process group, under a timeout (the group is killed when it
passes). A non-zero exit is an AssetError with the end of what the command wrote to
standard error (or standard output), with the values of secret-looking environment
variables (`*SECRET*`, `*TOKEN*`, `*KEY*`, `*PASSWORD*`, ...) masked; the arguments are
not echoed, only the program's name.

What was published is remembered by name in this process; a new process publishes each
file once again (the commands used for this, copies to a bucket, are safe to repeat).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from layoutkit.assets.asset import Asset
from layoutkit.assets.publisher import RememberingPublisher, check_base_url
from layoutkit.errors import AssetError, LayoutkitError, mask_urls, safe_text
from layoutkit.safefiles import write_new

DEFAULT_TIMEOUT = 120.0
"""Seconds a publish command may take (an upload of at most 6 MB)."""
TAIL_LINES = 12
TAIL_CHARS = 1500
SECRET_NAME = re.compile(
    r"SECRET|TOKEN|PASSW|PASSWD|KEY|CREDENTIAL|AUTH|SESSION|PRIVATE|(^|_)PW($|_)", re.I
)
"""Environment variables whose values never appear in a message."""
MIN_SECRET_LENGTH = 4
_PLACEHOLDER = re.compile(r"\{(path|name)\}")
_KILL_WAIT = 5.0


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


class CommandPublisher(RememberingPublisher):
    """Assets published by running `argv` (a list of arguments; `{path}` and `{name}`
    substituted) once per new file, served at `base_url` (https; http only with
    `allow_http`). `env`: the command's environment (None: this process's)."""

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
        if not timeout > 0:
            raise AssetError(f"the publish command's timeout is seconds above 0, not {timeout}")
        self.argv = args
        self.base_url = check_base_url(base_url, what="the assets URL", allow_http=allow_http)
        self.timeout = float(timeout)
        self.env = None if env is None else dict(env)
        self._running: set[subprocess.Popen[bytes]] = set()
        self._closed = False

    def close(self) -> None:
        """Stop every command still running (their process groups: each runs in its own
        session, so a stopping service would leave it behind) and run no more."""
        with self._lock:
            self._closed = True
            running = list(self._running)
        for proc in running:
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
        with tempfile.TemporaryDirectory(prefix="layoutkit-asset-") as folder:
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

    def _run(self, args: list[str], asset: Asset, what: str) -> tuple[int, bytes]:
        """The exit code and the standard error (or, when that is empty, the standard
        output) of the command; AssetError when it cannot start or runs too long."""
        search = (os.environ if self.env is None else self.env).get("PATH", os.defpath)
        if os.sep not in args[0] and shutil.which(args[0], path=search) is None:
            # looked up first: an unreadable folder on PATH would make exec say
            # "permission denied" for a program that is simply not there
            raise AssetError(f"{what} was not found", hint="install it, or give its full path")
        with self._lock:  # started and known at once: `close` stops every one
            if self._closed:
                raise AssetError(f"{what} is not run for {asset.describe()}: it was closed")
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
        try:
            return self._wait(proc, asset, what)
        finally:
            with self._lock:
                self._running.discard(proc)

    def _wait(self, proc: subprocess.Popen[bytes], asset: Asset, what: str) -> tuple[int, bytes]:
        try:
            out, err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            raise AssetError(
                f"{what} did not finish within {self.timeout:g} s publishing "
                f"{asset.describe()}; it was stopped",
                hint="check the command by hand; a slow upload needs a longer timeout "
                "(CommandPublisher(..., timeout=SECONDS) in Python)",
            ) from None
        except BaseException:
            _stop(proc)
            raise
        return proc.returncode, (err if err.strip() else out)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command's process group (it runs in its own session) and reap it."""
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired, OSError, ValueError):
        proc.communicate(timeout=_KILL_WAIT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=_KILL_WAIT)


__all__ = [
    "DEFAULT_TIMEOUT",
    "MIN_SECRET_LENGTH",
    "SECRET_NAME",
    "CommandPublisher",
    "redact",
    "tail",
]
