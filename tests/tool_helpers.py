"""Tests that need a tool of the machine (Chromium, fontconfig): skipped with the reason
where it is missing, a failure instead where an environment variable says they must run
(CI installs the tools and sets it); and how a child process is made to hear Ctrl-C."""

from __future__ import annotations

import os
import shutil
import signal

import pytest


def find_tool(names: tuple[str, ...], missing: str, required_by: str) -> str:
    """The first of `names` on the PATH; else the test is skipped saying `missing`, or
    failed when the environment variable `required_by` is "1"."""
    for name in names:
        found = shutil.which(name)
        if found is not None:
            return found
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{missing} ({required_by}=1: it must run)")
    pytest.skip(missing)


def default_sigint() -> None:
    """For `preexec_fn`: the child takes Ctrl-C as usual even when this run was started
    with SIGINT ignored (a shell's background job), so a test that sends it is heard."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
