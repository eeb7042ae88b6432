"""The pytest plugin is loaded by pytest in every project that installs layoutkit: loading
it must not pull in the client, the emulator or requests; its fixtures import them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from layoutkit.client import CloudRecordingClient
from layoutkit.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("layoutkit.client", "layoutkit.emulator", "requests")

PROBE = """
import json, sys
import layoutkit.pytest_plugin as plugin
print(json.dumps({
    "file": plugin.__file__,
    "names": [plugin.APP_ID, plugin.CUSTOMER_ID, plugin.CUSTOMER_SECRET],
    "modules": sorted(sys.modules),
}))
"""


def test_importing_the_plugin_imports_neither_client_nor_emulator_nor_requests() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    found = json.loads(done.stdout)
    assert Path(found["file"]).is_relative_to(ROOT / "layoutkit")
    assert all(isinstance(name, str) and name for name in found["names"])
    loaded = [m for m in found["modules"] if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert loaded == []


def test_the_fixtures_give_an_emulator_and_a_client_of_it(
    agora_emulator: EmulatorServer, agora_client: CloudRecordingClient
) -> None:
    assert isinstance(agora_emulator, EmulatorServer)
    assert isinstance(agora_client, CloudRecordingClient)
    assert agora_client.base_url == agora_emulator.url
    agora_emulator.join("room", 1001)
    with agora_client.record("room", 99) as recording:
        assert agora_emulator.layout_of(recording.sid) is not None
