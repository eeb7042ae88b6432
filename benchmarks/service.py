"""What `layoutkit serve` costs per notification, next to a bare standard-library server
taking the same signed POSTs (the floor: verify the signature, parse, answer 200).

Both run as their own processes on loopback. A stub of Agora's API (in this process)
answers every updateLayout 200 and counts them. For 200 and then 2,000 attached
recordings (preset grid-4x4, `--no-resync`), the same stream of signed channel events
(joins and leaves in random attached channels, sent by four threads on keep-alive
connections) is posted to the service and to the floor. Printed:

- accepted per second by each, and the ratio (target: the service at least 1/3);
- the service's CPU time per notification at 2,000 recordings against 200 (target: at
  most 1.5x);
- with 2,000 recordings waiting for turns after the burst: the service's CPU (% of a core)
  beside the updateLayout requests it sends meanwhile, the CPU beyond those pushes (its
  CPU minus the pushes at the cost of a push measured with 200 recordings; target: under
  10% of a core), and the turns granted per 1.15 s window (target: the full 10);
- the service's resident memory after 100,000 notifications against after 10,000 (target:
  at most 1.2x).

Run: python benchmarks/service.py [--short]   (about 5 minutes; --short: under a minute,
for CI: 1,000 notifications per run, memory after 1,000 and 10,000)
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import itertools
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SECRET = "bench-notify-secret"
APP = "0123456789abcdef0123456789abcdef"
WINDOW = 1.15
SENDERS = 4
TICK = os.sysconf("SC_CLK_TCK")

FLOOR = """
import hashlib, hmac, json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = sys.argv[1].encode()


class Floor(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # the answer in one write: no Nagle and delayed-ACK stall per request

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        good = hmac.new(KEY, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(good, self.headers.get("Agora-Signature-V2", "")):
            status, answer = 401, b'{"ok": false}'
        else:
            json.loads(body)
            status, answer = 200, b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Floor)
server.daemon_threads = True
print(f"floor on http://127.0.0.1:{server.server_port}", flush=True)
server.serve_forever()
"""


class Agora(BaseHTTPRequestHandler):
    """Agora's API, as far as the service uses it: every updateLayout is taken."""

    protocol_version = "HTTP/1.1"
    wbufsize = -1  # the answer in one write
    pushes = 0
    lock = threading.Lock()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        found = re.search(r"resourceid/([^/]+)/sid/([^/]+)/", self.path)
        rid, sid = found.groups() if found else ("r", "s")
        with Agora.lock:
            Agora.pushes += 1
        self._answer({"resourceId": rid, "sid": sid})

    def _answer(self, data: dict[str, object]) -> None:
        body = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Process:
    """A server process: its URL (read from its first lines), CPU seconds and memory."""

    def __init__(self, argv: list[str], pattern: str, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            found = re.search(pattern, line)
            if found:
                self.url = found.group(1)
                break
        else:
            raise SystemExit(f"{argv[:3]} did not start")
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for _ in self.proc.stdout:
            pass

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_mb(self) -> float:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+)", status)
        return int(found.group(1)) / 1024 if found else 0.0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


_ids = itertools.count(1)


def notification(cname: str, uid: int, join: bool) -> tuple[bytes, dict[str, str]]:
    n = next(_ids)
    body = json.dumps(
        {
            "noticeId": f"bench-{n}",
            "productId": 1,
            "eventType": 103 if join else 104,
            "notifyMs": int(time.time() * 1000),
            "sid": "",
            "payload": {
                "channelName": cname,
                "uid": uid,
                "platform": 7,
                "clientSeq": n,
                "ts": int(time.time()),
            },
        }
    ).encode()
    key = SECRET.encode()
    return body, {
        "Content-Type": "application/json",
        "Agora-Signature": hmac.new(key, body, hashlib.sha1).hexdigest(),
        "Agora-Signature-V2": hmac.new(key, body, hashlib.sha256).hexdigest(),
    }


def post_all(url: str, path: str, channels: list[str], count: int, seed: int) -> float:
    """Post `count` signed joins and leaves (random channels, 1..8 people each) from
    SENDERS threads; the rate accepted (200s per second)."""
    host, port = url.removeprefix("http://").split(":")
    bodies: list[tuple[bytes, dict[str, str]]] = []
    rng = random.Random(seed)
    present: dict[tuple[str, int], bool] = {}
    for _ in range(count):
        cname, uid = rng.choice(channels), rng.randint(1001, 1008)
        join = not present.get((cname, uid), False)
        present[(cname, uid)] = join
        bodies.append(notification(cname, uid, join))
    accepted = [0] * SENDERS

    def send(me: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        for body, headers in bodies[me::SENDERS]:
            connection.request("POST", path, body, headers)
            answer = connection.getresponse()
            answer.read()
            accepted[me] += answer.status == 200
        connection.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=send, args=(n,)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(accepted) / (time.perf_counter() - start)


def attach(url: str, channels: list[str]) -> None:
    """Attach a recording in each channel, from SENDERS threads."""
    threads = [threading.Thread(target=_attach, args=(url, channels, me)) for me in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _attach(url: str, channels: list[str], me: int) -> None:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    for n in range(me, len(channels), SENDERS):
        cname = channels[n]
        body = json.dumps(
            {
                "cname": cname,
                "uid": "999",
                "resource_id": f"rid-{n}",
                "sid": f"sid-{n}",
                "preset": "grid-4x4",
                "options": {"debounce": 0},
            }
        )
        connection.request("POST", "/recordings", body, {"Content-Type": "application/json"})
        answer = connection.getresponse()
        text = answer.read()
        if answer.status != 201:
            raise SystemExit(f"attach {cname}: {answer.status} {text[:300]!r}")
    connection.close()


def window(service: Process, seconds: float) -> tuple[float, int]:
    """The service's CPU (% of a core) and the pushes Agora took over `seconds`."""
    cpu, pushes = service.cpu(), Agora.pushes
    time.sleep(seconds)
    return (service.cpu() - cpu) / seconds * 100, Agora.pushes - pushes


def start_service(agora: str) -> Process:
    env = os.environ | {
        "AGORA_NOTIFICATIONS_SECRET": SECRET,
        "AGORA_APP_ID": APP,
        "AGORA_CUSTOMER_ID": "bench",
        "AGORA_CUSTOMER_SECRET": "bench-secret",
    }
    argv = [sys.executable, "-m", "layoutkit", "serve", "--port", "0", "--no-resync"]
    return Process(
        [*argv, "--base-url", agora], r"director service on (http://127\.0\.0\.1:\d+)", env
    )


def run(recordings: int, sends: int, agora: str, wait: float) -> dict[str, float]:
    """One service with `recordings` attached: its figures."""
    channels = [f"room-{n}" for n in range(recordings)]
    service = start_service(agora)
    try:
        attach(service.url, channels)
        cpu = service.cpu()
        rate = post_all(service.url, "/agora/notifications", channels, sends, seed=recordings)
        per = (service.cpu() - cpu) / sends * 1000
        busy, pushes = window(service, wait)
        return {"rate": rate, "cpu_ms": per, "busy": busy, "pushes": pushes}
    finally:
        service.stop()


def memory(agora: str, small: int, large: int) -> tuple[float, float]:
    """The service's resident MB after `small` and after `large` notifications (20
    recordings attached)."""
    channels = [f"room-{n}" for n in range(20)]
    service = start_service(agora)
    try:
        attach(service.url, channels)
        post_all(service.url, "/agora/notifications", channels, small, seed=1)
        after_small = service.rss_mb()
        post_all(service.url, "/agora/notifications", channels, large - small, seed=2)
        return after_small, service.rss_mb()
    finally:
        service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--short", action="store_true", help="under a minute, for CI")
    args = parser.parse_args()
    sends, wait = (1_000, 2 * WINDOW) if args.short else (20_000, 10 * WINDOW)
    small, large = (1_000, 10_000) if args.short else (10_000, 100_000)
    agora = ThreadingHTTPServer(("127.0.0.1", 0), Agora)
    agora.daemon_threads = True
    threading.Thread(target=agora.serve_forever, daemon=True).start()
    agora_url = f"http://127.0.0.1:{agora.server_port}"
    floor = Process(
        [sys.executable, "-c", FLOOR, SECRET],
        r"floor on (http://127\.0\.0\.1:\d+)",
        dict(os.environ),
    )
    try:
        found = {n: run(n, sends, agora_url, wait) for n in (200, 2_000)}
        floor_rate = post_all(floor.url, "/", [f"room-{n}" for n in range(200)], sends, seed=3)
        mem_small, mem_large = memory(agora_url, small, large)
    finally:
        floor.stop()
        agora.shutdown()
    print(f"notifications per run: {sends:,}; floor (bare server): {floor_rate:,.0f}/s")
    for n, f in found.items():
        print(
            f"{n:>5,} recordings: service {f['rate']:,.0f}/s "
            f"({f['rate'] / floor_rate:.2f} of the floor; target >= 0.33), "
            f"{f['cpu_ms']:.3f} ms CPU per notification"
        )
    one, many = found[200], found[2_000]
    print(f"CPU per notification, 2,000 vs 200: {many['cpu_ms'] / one['cpu_ms']:.2f}x (<= 1.5x)")
    push_cost = one["busy"] / max(one["pushes"], 1) * wait / 100  # CPU seconds per push
    beyond = many["busy"] - many["pushes"] * push_cost / wait * 100
    turns = many["pushes"] / (wait / WINDOW)
    print(
        f"2,000 waiting: {many['busy']:.1f}% of a core with {many['pushes']} pushes in "
        f"{wait:.1f} s; beyond the pushes ({push_cost * 1000:.1f} ms each, measured at 200): "
        f"{beyond:.1f}% (< 10%); turns per {WINDOW} s window: {turns:.1f} (the full 10)"
    )
    print(
        f"memory: {mem_small:.0f} MB after {small:,} notifications, {mem_large:.0f} MB after "
        f"{large:,}: {mem_large / mem_small:.2f}x (<= 1.2x)"
    )


if __name__ == "__main__":
    main()
