"""The director service under load: many recordings of one App ID sharing Agora's limit of
10 requests per second, fed by Agora Notifications with duplicates and reordering.

One seeded trace (default: 200 recordings, join/leave events at 20 per second in all,
Poisson arrivals, for 60 s; every channel keeps 1..8 people, each event a join or leave in
a random channel; 10% of the notifications duplicated, 10% sent out of order) is played
three ways, printed side by side:

1. **service**: one `DirectorService` (its shared `FairLimiter`, 10 requests per 1.15 s)
   over real HTTP on loopback: the emulator's people join and leave, the emulator sends
   signed notifications to the service, the service's Directors call updateLayout on the
   emulator (Agora's gateway rule on: 10 per 1 s per App ID, else 429). Every recording
   is attached (preset grid-4x4) with people in it and its first layout is sent before
   the trace starts.
2. **best schedule**, computed offline from the service run's event times (when each
   change was made in the emulator): what an ideal scheduler under the same limit (at most
   10 requests in any 1.15 s window, the FairLimiter's window) would achieve. "Best" means:
   notifications, compiling and HTTP take no time; a request is sent at every instant the
   window allows while some channel's layout is out of date (sending greedily gives, by
   any moment, the most requests a sliding-window limit allows); each request carries its
   channel's state at the moment it is sent (nothing is sent when a channel is back to
   what its layout shows); the channel served is the one whose oldest change not yet
   shown is oldest (earliest deadline first). It is a lower bound on what transit and
   throughput allow, and earliest-deadline-first minimises the longest lag any change
   waits (Jackson's rule), so no online scheduler's worst lag, nor in practice its p99
   lag, is lower; the p50, and the "last event" figures, depend on the order and can come
   out slightly lower for another order (serving the newest changes first shows more
   changes quickly while others wait longer and get superseded).
3. **independent directors**: one `Director` per recording, each with its own
   `CloudRecordingClient` (its own 10 per 1.15 s limiter, nothing shared), fed by the same
   notifications (checked and routed with `NotificationRouter`, as the service does),
   against a fresh emulator whose rate limit is switched off, so the overrun can be
   counted. Its 429 figure (in brackets) is how many of its requests Agora's gateway rule
   (10 per 1 s per App ID, refused requests not counted, as the emulator's `over_rate`)
   would have refused, replayed over their arrival times: a first approximation, since
   with the limit on each refused request would have been retried, adding more. Running
   it with the limit on instead would measure retries and backoff, not the overrun.

Figures, from the first event until every channel's layout shows its final participant
set (or `--drain` seconds pass: "not settled"):
- requests: updateLayout calls the emulator answered (its request log);
- max/1s: the most of those in any 1 s window;
- 429s: answers 429 the emulator gave over the whole run (must be 0 for the service);
- stale: acknowledgements of a participant set the channel no longer had;
- shown: changes whose participant set the layout showed while still the channel's
  latest, of all changes (the others were superseded first);
- p50/p99: over the shown changes, from the channel's last event (the moment the change
  was made in the emulator) to the first updateLayout answered 200 with exactly that
  participant set (when the emulator applied it; same monotonic clock), or 0 when the
  layout showed that set already (someone left and came back);
- lag p50/p99: over every change, from the moment it was made until the layout shows its
  set or a newer channel state; no survivor bias (a superseded change counts too).

Run: python benchmarks/schedule.py [--short] [--recordings N] [--duration S] [--rate R]
[--db] (defaults take about 3 minutes on 2 cores; --short is 20 recordings for 10 s).
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

import requests

from layoutkit.client import CloudRecordingClient, Recording, RetryPolicy
from layoutkit.emulator import EmulatorServer
from layoutkit.emulator.notify import Faults, NotificationSender
from layoutkit.emulator.state import RATE_LIMIT, RATE_WINDOW
from layoutkit.errors import NotificationError
from layoutkit.library.presets import load
from layoutkit.live.channels import NotificationRouter
from layoutkit.live.director import Director
from layoutkit.live.notifications import parse_verified
from layoutkit.service import DirectorService

APP, CUSTOMER, CUSTOMER_SECRET, NOTIFY_SECRET = "bench", "cid", "csecret", "notify-s3cret"
LIMIT, WINDOW = 10, 1.15  # the service's FairLimiter (and each client's own limiter)
MIN_PEOPLE, MAX_PEOPLE, POOL = 1, 8, 12  # people per channel; uids each channel draws from
RECORDER_UID = 900_000
START = {
    "storageConfig": {"vendor": 1, "region": 0, "bucket": "b", "accessKey": "a", "secretKey": "s"},
    "recordingConfig": {"channelType": 1},
}
People = frozenset[str]


# --- the trace ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    at: float  # seconds after the trace starts
    cname: str
    kind: Literal["join", "leave"]
    uid: str


@dataclass
class Trace:
    initial: dict[str, list[str]]  # channel -> who is there before the first event
    steps: list[Step]


def make_trace(recordings: int, rate: float, duration: float, seed: int) -> Trace:
    """Poisson arrivals at `rate` per second for `duration` seconds, each a join or a leave
    in a random channel, every channel keeping MIN_PEOPLE..MAX_PEOPLE people."""
    rng = random.Random(seed)
    pools = {
        f"room-{i:03d}": [str(100_000 + 100 * i + k) for k in range(POOL)]
        for i in range(recordings)
    }
    present = {
        c: rng.sample(pool, rng.randint(MIN_PEOPLE, MAX_PEOPLE)) for c, pool in pools.items()
    }
    initial = {c: list(people) for c, people in present.items()}
    steps: list[Step] = []
    at = rng.expovariate(rate)
    names = sorted(pools)
    while at < duration:
        cname = rng.choice(names)
        people = present[cname]
        joins = len(people) <= MIN_PEOPLE or (len(people) < MAX_PEOPLE and rng.random() < 0.5)
        if joins:
            uid = rng.choice([u for u in pools[cname] if u not in people])
            people.append(uid)
            steps.append(Step(at, cname, "join", uid))
        else:
            uid = rng.choice(people)
            people.remove(uid)
            steps.append(Step(at, cname, "leave", uid))
        at += rng.expovariate(rate)
    return Trace(initial, steps)


# --- what a run gives -----------------------------------------------------------------------


@dataclass
class Outcome:
    """One way of playing the trace: changes made, requests seen, layouts acknowledged."""

    initial: dict[str, People]
    changes: dict[str, list[tuple[float, People]]]  # channel -> (time made, set after)
    acks: dict[str, list[tuple[float, People]]]  # channel -> (time acknowledged, set shown)
    requests: list[float] = field(default_factory=list)  # updateLayout answer times
    refused: int = 0  # 429 answers
    settled: bool = True  # every channel's final set was shown before the drain ran out
    started: float = 0.0  # when the trace began (time.monotonic)
    notes: list[str] = field(default_factory=list)


class Clock:
    """The seconds each phase of a run took."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, float]] = []
        self._last = time.monotonic()

    def mark(self, name: str) -> None:
        now = time.monotonic()
        self.phases.append((name, now - self._last))
        self._last = now

    def text(self) -> str:
        return ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.phases)


def shown_uids(layout: Mapping[str, Any]) -> People:
    regions = layout.get("layoutConfig") or []
    return frozenset(str(r["uid"]) for r in regions if isinstance(r, dict) and r.get("uid"))


@dataclass
class Figures:
    """What a run's changes and acknowledgements give (see the module)."""

    shown: list[float]  # last event -> that set acknowledged, for the changes shown
    lag: list[float]  # every change -> its set or a newer one acknowledged
    changes: int
    stale: int  # acknowledgements of a set the channel no longer had


def figures(outcome: Outcome) -> Figures:
    """Walk each channel's changes and acknowledgements in time order (a change first at
    equal times), knowing what the layout shows: a change is shown when the layout shows its
    set, whether by a new acknowledgement or because it already did (a leave and a rejoin
    need no request)."""
    result = Figures([], [], 0, 0)
    for cname, changes in outcome.changes.items():
        result.changes += len(changes)
        states = [outcome.initial[cname]] + [people for _, people in changes]  # 0: the start
        steps = [(t, 0, k + 1, people) for k, (t, people) in enumerate(changes)]
        steps += [(t, 1, 0, people) for t, people in outcome.acks.get(cname, [])]
        showing, now, done = outcome.initial[cname], 0, 1  # done: the first change not shown
        for when, kind, k, people in sorted(steps, key=lambda step: step[:3]):
            if kind == 0:
                now = k
            else:
                showing = people
                result.stale += showing != states[now]
            newest = next((j for j in range(now, done - 1, -1) if states[j] == showing), None)
            if newest is None:
                continue
            if newest == now:
                result.shown.append(when - changes[now - 1][0])
            result.lag += [when - changes[j - 1][0] for j in range(done, newest + 1)]
            done = newest + 1
    return result


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)]


def max_per_second(times: Iterable[float], span: float = 1.0) -> int:
    ordered, best, start = sorted(times), 0, 0
    for end, now in enumerate(ordered):
        while now - ordered[start] >= span:
            start += 1
        best = max(best, end - start + 1)
    return best


def gateway_refusals(times: Iterable[float], limit: int = RATE_LIMIT) -> int:
    """How many of these requests the emulator's gateway (and Agora's) would answer 429:
    past `limit` in the last RATE_WINDOW seconds, refused ones not counted."""
    recent: deque[float] = deque()
    refused = 0
    for now in sorted(times):
        while recent and now - recent[0] >= RATE_WINDOW:
            recent.popleft()
        if len(recent) >= limit:
            refused += 1
        else:
            recent.append(now)
    return refused


# --- the best schedule (offline) ------------------------------------------------------------


def best_schedule(played: Outcome, limit: int = LIMIT, window: float = WINDOW) -> Outcome:
    """The ideal scheduler over the played event times (see the module): greedy sends at
    every instant the sliding window allows, zero transit, each request carries the
    channel's latest state, the channel whose oldest unsent change is oldest goes first."""
    events = sorted((t, c, s) for c, changes in played.changes.items() for t, s in changes)
    state = dict(played.initial)
    showing = dict(played.initial)  # what each channel's layout shows
    dirty: dict[str, float] = {}  # channel -> time of its oldest change not shown
    sent: deque[float] = deque()
    acks: dict[str, list[tuple[float, People]]] = {c: [] for c in played.changes}
    now, i = events[0][0] if events else 0.0, 0
    while i < len(events) or dirty:
        slot = max(now, sent[0] + window) if len(sent) >= limit else now
        while i < len(events) and events[i][0] <= slot:
            t, cname, people = events[i]
            state[cname] = people
            if people == showing[cname]:  # back to what is shown: nothing to send
                dirty.pop(cname, None)
            else:
                dirty.setdefault(cname, t)
            i += 1
        if not dirty:
            now = events[i][0]
            continue
        cname = min(dirty, key=dirty.__getitem__)
        del dirty[cname]
        showing[cname] = state[cname]
        acks[cname].append((slot, state[cname]))
        sent.append(slot)
        if len(sent) > limit:
            sent.popleft()
        now = slot
    times = [t for found in acks.values() for t, _ in found]
    return Outcome(played.initial, played.changes, acks, times)


# --- playing the trace ----------------------------------------------------------------------


def wait_for(check: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def sender_of(emulator: EmulatorServer) -> NotificationSender:
    if emulator.notifications is None:
        raise RuntimeError("the emulator was started without notifications")
    return emulator.notifications


def notices_sent(emulator: EmulatorServer, timeout: float = 60.0) -> None:
    """Wait until the emulator has sent every notification (quiet for 0.3 s)."""
    sender = sender_of(emulator)
    deadline = time.monotonic() + timeout
    quiet_since = time.monotonic()
    while time.monotonic() < deadline:
        if sender.pending():
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 0.3:
            return
        time.sleep(0.02)


def populate(emulator: EmulatorServer, trace: Trace) -> dict[str, Recording]:
    """The trace's first people join, then a recording starts in every channel (the gateway
    limit is off meanwhile, the notification queue is never let overflow)."""
    sender = sender_of(emulator)
    previous, emulator.state.rate_limit = emulator.state.rate_limit, None
    setup = CloudRecordingClient(
        APP, CUSTOMER, CUSTOMER_SECRET, base_url=emulator.url, rate_limit=100_000
    )
    recordings: dict[str, Recording] = {}
    for i, (cname, people) in enumerate(trace.initial.items()):
        for uid in people:
            emulator.join(cname, uid)
        recordings[cname] = setup.record(cname, RECORDER_UID + i, START)
        wait_for(lambda: sender.pending() < 300, 60)
    notices_sent(emulator)
    emulator.state.rate_limit = previous
    time.sleep(RATE_WINDOW)  # the gateway's window starts empty
    return recordings


def play(emulator: EmulatorServer, trace: Trace, seed: int, faults: Faults) -> Outcome:
    """The trace's events, each at its time; the time each change was made."""
    sender_of(emulator).set_faults(faults, seed)
    present = {c: set(people) for c, people in trace.initial.items()}
    changes: dict[str, list[tuple[float, People]]] = {c: [] for c in trace.initial}
    start = time.monotonic()
    for step in trace.steps:
        delay = start + step.at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if step.kind == "join":
            emulator.join(step.cname, step.uid)
            present[step.cname].add(step.uid)
        else:
            emulator.leave(step.cname, step.uid)
            present[step.cname].discard(step.uid)
        changes[step.cname].append((time.monotonic(), frozenset(present[step.cname])))
    initial = {c: frozenset(people) for c, people in trace.initial.items()}
    return Outcome(initial, changes, {c: [] for c in trace.initial}, started=start)


def settle_and_collect(
    emulator: EmulatorServer, recordings: Mapping[str, Recording], outcome: Outcome, drain: float
) -> None:
    """Wait until every channel's layout shows its final set, then read the emulator's
    layout history and request log from the first event on."""
    final = {c: (ch[-1][1] if ch else outcome.initial[c]) for c, ch in outcome.changes.items()}
    state = emulator.state

    def settled() -> bool:
        with state.lock:
            return all(
                shown_uids(state.recordings[r.sid].layout) == final[c]
                for c, r in recordings.items()
            )

    outcome.settled = wait_for(settled, drain, 0.1)
    since = outcome.started
    with state.lock:
        for cname, recording in recordings.items():
            history = state.recordings[recording.sid].history
            outcome.acks[cname] = [
                (c.time, shown_uids(c.layout)) for c in history if c.time >= since
            ]
        log = list(state.requests)
    outcome.requests = [r.time for r in log if r.endpoint == "updateLayout" and r.time >= since]
    outcome.refused = sum(r.status == 429 for r in log)


def run_service(trace: Trace, args: argparse.Namespace, faults: Faults) -> Outcome:
    emulator = EmulatorServer(
        app_ids=(APP,),
        customer_id=CUSTOMER,
        customer_secret=CUSTOMER_SECRET,
        log_size=1_000_000,
        notify_url="http://127.0.0.1:9/not-yet",
        notify_secret=NOTIFY_SECRET,
    )
    client = CloudRecordingClient(
        APP, CUSTOMER, CUSTOMER_SECRET, base_url=emulator.url, retry=RetryPolicy(attempts=1)
    )
    folder = tempfile.TemporaryDirectory(prefix="layoutkit-bench-")
    service = DirectorService(
        client,
        notify_secret=NOTIFY_SECRET,
        db=Path(folder.name) / "service.db" if args.db else None,
        rate_limit=LIMIT,
        window=WINDOW,
        flush_timeout=1.0,
        resync=not args.no_resync,
    )
    sender_of(emulator).url = service.notifications_url
    emulator.start()
    service.start()
    clock = Clock()
    try:
        recordings = populate(emulator, trace)
        clock.mark("setup")
        with requests.Session() as http:
            for cname, recording in recordings.items():
                answer = http.post(
                    f"{service.url}/recordings",
                    json={
                        "cname": cname,
                        "uid": recording.uid,
                        "resource_id": recording.resource_id,
                        "sid": recording.sid,
                        "preset": args.preset,
                    },
                    timeout=30,
                )
                if answer.status_code != 201:
                    raise SystemExit(f"attach {cname}: {answer.status_code} {answer.text[:300]}")
        synced = service.hub.flush(len(recordings) / LIMIT * WINDOW + 30)
        clock.mark("attach and first layouts")
        outcome = play(emulator, trace, args.seed, faults)
        clock.mark("trace")
        settle_and_collect(emulator, recordings, outcome, args.drain)
        clock.mark("drain")
        if not synced:
            outcome.notes.append("service: the first layouts were not all sent before the trace")
        outcome.notes.append(f"service phases: {clock.text()}")
        streams = [service.hub.router.stream(c) for c in recordings]
        duplicates = sum(s.duplicates for s in streams if s is not None)
        stale = sum(s.stale for s in streams if s is not None)
        outcome.notes.append(
            f"service: {service.hub.received} notifications taken, {duplicates} duplicates "
            f"and {stale} stale events dropped"
        )
        return outcome
    finally:
        service.stop(timeout=5)
        emulator.stop()
        folder.cleanup()


class _Receiver(BaseHTTPRequestHandler):
    """The independent directors' notification endpoint: checked, routed, handed out."""

    protocol_version = "HTTP/1.1"
    router: NotificationRouter
    directors: dict[str, Director]
    lock: threading.Lock
    counts: dict[str, int]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status = 200
        try:
            notification = parse_verified(body, dict(self.headers.items()), NOTIFY_SECRET)
        except NotificationError:
            status = 401
        else:
            with self.lock:
                cname, events = self.router.handle(notification)
                self.counts["received"] += 1
                director = self.directors.get(cname)
                for event in events:
                    if director is not None:
                        director.handle(event)
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        return


def run_independent(trace: Trace, args: argparse.Namespace, faults: Faults) -> Outcome:
    router = NotificationRouter()
    directors: dict[str, Director] = {}
    counts = {"received": 0}
    handler = type(
        "Receiver",
        (_Receiver,),
        {"router": router, "directors": directors, "lock": threading.Lock(), "counts": counts},
    )
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    receiver.daemon_threads = True
    threading.Thread(
        target=receiver.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    emulator = EmulatorServer(
        app_ids=(APP,),
        customer_id=CUSTOMER,
        customer_secret=CUSTOMER_SECRET,
        rate_limit=None,
        log_size=1_000_000,
        notify_url=f"http://127.0.0.1:{receiver.server_address[1]}/agora/notifications",
        notify_secret=NOTIFY_SECRET,
    )
    emulator.start()
    layout = load(args.preset)
    clock = Clock()
    try:
        recordings = populate(emulator, trace)
        clock.mark("setup")
        for cname, setup in recordings.items():
            own = CloudRecordingClient(APP, CUSTOMER, CUSTOMER_SECRET, base_url=emulator.url)
            recording = Recording(own, setup.resource_id, setup.sid, "mix", cname, setup.uid)
            stream = router.stream(cname)
            hosts = stream.hosts if stream is not None else []
            directors[cname] = Director(recording, layout, participants=hosts)
        synced = all(d.flush(60) for d in directors.values())
        clock.mark("first layouts")
        outcome = play(emulator, trace, args.seed, faults)
        clock.mark("trace")
        settle_and_collect(emulator, recordings, outcome, args.drain)
        clock.mark("drain")
        outcome.notes.append(f"independent phases: {clock.text()}")
        if not synced:
            outcome.notes.append("independent: the first layouts were not all sent in time")
        streams = [router.stream(c) for c in recordings]
        duplicates = sum(s.duplicates for s in streams if s is not None)
        stale = sum(s.stale for s in streams if s is not None)
        outcome.notes.append(
            f"independent: {counts['received']} notifications taken, {duplicates} "
            f"duplicates and {stale} stale events dropped"
        )
        return outcome
    finally:
        for director in directors.values():
            director.close(timeout=2)
        emulator.stop()
        receiver.shutdown()
        receiver.server_close()


# --- the report -----------------------------------------------------------------------------


def row(name: str, outcome: Outcome, refused: str) -> str:
    found = figures(outcome)
    return (
        f"{name:<36}{len(outcome.requests):>9}{max_per_second(outcome.requests):>7}"
        f"{refused:>7}{found.stale:>6}{f'{len(found.shown)}/{found.changes}':>11}"
        f"{percentile(found.shown, 0.5):>8.3f}{percentile(found.shown, 0.99):>8.3f}"
        f"{percentile(found.lag, 0.5):>8.3f}{percentile(found.lag, 0.99):>8.3f}"
        + ("" if outcome.settled else "  (not settled)")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recordings", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of events")
    parser.add_argument("--rate", type=float, default=20.0, help="events per second, in all")
    parser.add_argument("--duplicate", type=float, default=0.1, help="notifications sent twice")
    parser.add_argument("--reorder", type=float, default=0.1, help="notifications swapped")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds every notice waits")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--preset", default="grid-4x4")
    parser.add_argument(
        "--drain", type=float, default=45.0, help="seconds to wait for the last layouts"
    )
    parser.add_argument(
        "--db", action="store_true", help="the service's SQLite in a file (default: memory)"
    )
    parser.add_argument("--short", action="store_true", help="20 recordings for 10 s, for CI")
    parser.add_argument(
        "--no-resync", action="store_true", help="the service never reads user lists"
    )
    args = parser.parse_args()
    if args.short:
        args.recordings, args.duration, args.drain = 20, 10.0, 15.0
    trace = make_trace(args.recordings, args.rate, args.duration, args.seed)
    faults = Faults(duplicate=args.duplicate, reorder=args.reorder, delay=args.delay)
    delay = f"{args.delay:g} s delay" if args.delay else "no delay"
    print(
        f"Director service under load: {args.recordings} recordings of one App ID, "
        f"{len(trace.steps)} join/leave events\n(Poisson, {args.rate:g}/s in all) over "
        f"{args.duration:g} s, {MIN_PEOPLE}..{MAX_PEOPLE} people a channel, notifications "
        f"{args.duplicate:.0%} duplicated, {args.reorder:.0%} reordered,\n{delay}; "
        f"preset {args.preset}; service store {'a file' if args.db else 'in memory'}.\n"
        "p50/p99 s: a channel's last event (made in the emulator) -> updateLayout answered "
        "200 with that\n  participant set, over the changes shown while still current "
        "(shown: of all changes);\nlag p50/p99 s: every change -> a layout with its set or "
        "a newer one acknowledged;\nmax/1s: updateLayout requests in the busiest 1 s; stale: "
        "acknowledged sets the channel no longer had."
    )
    began = time.monotonic()
    service = run_service(trace, args, faults)
    ideal = best_schedule(service)
    independent = run_independent(trace, args, faults)
    would = gateway_refusals(independent.requests)
    print(
        f"\n{'':<36}{'requests':>9}{'max/1s':>7}{'429s':>7}{'stale':>6}{'shown':>11}"
        f"{'p50':>8}{'p99':>8}{'lag p50':>8}{'lag p99':>8}"
    )
    print(row(f"service (FairLimiter {LIMIT}/{WINDOW:g} s)", service, str(service.refused)))
    print(row(f"best schedule ({LIMIT} per {WINDOW:g} s window)", ideal, "0"))
    print(row("independent directors (limit off)", independent, f"({would})"))
    print(
        f"\n(429s in brackets: answers the gateway rule, {RATE_LIMIT} per {RATE_WINDOW:g} s per "
        "App ID, would have given those requests; the run had it off.)"
    )
    for note in service.notes + independent.notes:
        print(note)
    print(f"took {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
