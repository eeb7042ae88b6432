"""Bursts of 100 and 1,000 participant events: the requests the director sends and the
time until the final state is acknowledged, next to a naive loop that pushes once per
event, against the same emulator (10 requests per second, as Agora).
Run: python benchmarks/director.py   (the naive 1,000-event loop takes about 100 s;
--short: one burst of 20)"""

from __future__ import annotations

import random
import time

from timing import arguments

from layoutkit import compile_layout, parse_layout
from layoutkit.client import CloudRecordingClient, Recording
from layoutkit.emulator import EmulatorServer
from layoutkit.live.director import Director
from layoutkit.live.roster import Event, Roster

LAYOUT = parse_layout("""
canvas: 1280x720
regions:
  - grid: {rows: 4, columns: 4, gap: 4px}
  - {role: host, x: 0, y: 0, width: 50%, height: 50%}
""")


def events(count: int, seed: int) -> list[Event]:
    rng = random.Random(seed)
    roster = Roster()
    out = []
    for _ in range(count):
        uid = str(rng.randint(1000, 1015))
        if uid in roster.people:
            event = Event("role", uid, "host") if rng.random() < 0.3 else Event("leave", uid)
        else:
            event = Event("join", uid)
        roster.apply(event)
        out.append(event)
    return out


def fresh(emulator: EmulatorServer) -> tuple[Recording, int]:
    storage = {"vendor": 1, "region": 0, "bucket": "b", "accessKey": "a", "secretKey": "s"}
    client = CloudRecordingClient("bench", "c", "s", base_url=emulator.url, storage=storage)
    emulator.join("room", 1, app_id="bench")
    recording = client.record("room", 99)
    time.sleep(1.2)  # let the rate window of acquire and start pass
    return recording, len(emulator.state.requests)


def directed(emulator: EmulatorServer, burst: list[Event]) -> tuple[int, float]:
    recording, before = fresh(emulator)
    start = time.perf_counter()
    with Director(recording, LAYOUT) as director:
        for event in burst:
            director.handle(event)
        director.flush()
    took = time.perf_counter() - start
    sent = len(emulator.state.requests) - before
    recording.stop()
    return sent, took


def naive(emulator: EmulatorServer, burst: list[Event]) -> tuple[int, float]:
    recording, before = fresh(emulator)
    roster = Roster()
    start = time.perf_counter()
    for event in burst:
        roster.apply(event)
        recording.update_layout(compile_layout(LAYOUT, list(roster.people), roster.roles))
    took = time.perf_counter() - start
    sent = len(emulator.state.requests) - before
    recording.stop()
    return sent, took


def main() -> None:
    bursts = (20,) if arguments(__doc__).parse_args().short else (100, 1000)
    print(
        f"{'burst':>6} {'director req':>13} {'director s':>11} {'naive req':>10} "
        f"{'naive s':>8} {'time ratio':>11}"
    )
    with EmulatorServer(app_ids=("bench",), customer_id="c", customer_secret="s") as emulator:
        for count in bursts:
            burst = events(count, seed=count)
            d_req, d_time = directed(emulator, burst)
            n_req, n_time = naive(emulator, burst)
            print(
                f"{count:>6} {d_req:>13} {d_time:>11.2f} {n_req:>10} {n_time:>8.2f} "
                f"{n_time / d_time:>10.0f}x"
            )


if __name__ == "__main__":
    main()
