"""Query requests per second the emulator serves to 8 client threads, and a burst of
500 clients connecting at once (each sends one query on its own socket: answered count,
p50/p99 latency), next to the floor of a minimal standard-library HTTP server answering
a fixed JSON body (given the same 1024-deep listen queue).
Run: python benchmarks/emulator.py [--short]   (--short: 20 requests a thread, 50 at once)"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from timing import arguments

from layoutkit.emulator import EmulatorServer

THREADS = 8
PER_THREAD = 250
BURST = 500
BURST_TIMEOUT = 20.0  # seconds a burst client waits for its answer
STORAGE = {"vendor": 1, "region": 0, "bucket": "b", "accessKey": "a", "secretKey": "s"}
BODY = json.dumps({"resourceId": "r", "sid": "s", "serverResponse": {"status": 5}}).encode()


class Fixed(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as the emulator: no 40 ms delayed-ACK stalls

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        return


def hammer(url: str, auth: tuple[str, str] | None, per_thread: int) -> float:
    """Requests per second of THREADS threads each sending `per_thread` GETs."""

    def worker(_: int) -> None:
        with requests.Session() as http:
            for _ in range(per_thread):
                answer = http.get(url, auth=auth, timeout=10)
                assert answer.status_code == 200, answer.text

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    return THREADS * per_thread / (time.perf_counter() - start)


def burst(url: str, auth: tuple[str, str] | None, clients: int) -> tuple[int, float, float]:
    """`clients` threads released at once, each sending one GET on a new socket: how many
    were answered 200, and the p50 and p99 latency in seconds."""
    host, port = url.removeprefix("http://").split("/", 1)[0].rsplit(":", 1)
    path = "/" + url.removeprefix("http://").split("/", 1)[1]
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    if auth is not None:
        lines.append("Authorization: Basic " + base64.b64encode(":".join(auth).encode()).decode())
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    ready = threading.Barrier(clients, timeout=60)
    took: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        ready.wait()
        start = time.perf_counter()
        try:
            with socket.create_connection((host, int(port)), timeout=BURST_TIMEOUT) as conn:
                conn.sendall(request)
                answer = b""
                while chunk := conn.recv(65536):  # Connection: close, so read to the end
                    answer += chunk
                if not answer.startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            return
        with lock:
            took.append(time.perf_counter() - start)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=BURST_TIMEOUT + 60)
    took.sort()
    if not took:
        return 0, float("nan"), float("nan")
    return len(took), took[len(took) // 2], took[max(0, int(len(took) * 0.99) - 1)]


class _Floor(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # as the emulator's

    def handle_error(self, request: object, client_address: object) -> None:
        return


def main() -> None:
    short = arguments(__doc__).parse_args().short
    per_thread, clients = (20, 50) if short else (PER_THREAD, BURST)
    floor_server = _Floor(("127.0.0.1", 0), Fixed)
    thread = threading.Thread(target=floor_server.serve_forever, daemon=True)
    thread.start()
    floor_url = f"http://127.0.0.1:{floor_server.server_address[1]}/q"
    floor = hammer(floor_url, None, per_thread)
    floor_burst = burst(floor_url, None, clients)
    floor_server.shutdown()
    with EmulatorServer(
        app_ids=("bench",), customer_id="c", customer_secret="s", rate_limit=None
    ) as emulator:
        emulator.join("room", 1001)
        http = requests.Session()
        http.auth = ("c", "s")
        base = f"{emulator.url}/v1/apps/bench/cloud_recording"
        rid = http.post(
            f"{base}/acquire", json={"cname": "room", "uid": "9", "clientRequest": {}}
        ).json()["resourceId"]
        sid = http.post(
            f"{base}/resourceid/{rid}/mode/mix/start",
            json={"cname": "room", "uid": "9", "clientRequest": {"storageConfig": STORAGE}},
        ).json()["sid"]
        query = f"{base}/resourceid/{rid}/sid/{sid}/mode/mix/query"
        ours = hammer(query, ("c", "s"), per_thread)
        ours_burst = burst(query, ("c", "s"), clients)
    print(f"query requests per second, {THREADS} client threads x {per_thread} requests")
    print(f"{'floor: stdlib server, fixed JSON':36}{floor:10.0f} req/s")
    print(f"{'layoutkit emulator, query':36}{ours:10.0f} req/s")
    print(f"{'ratio (emulator / floor)':36}{ours / floor:10.2f}")
    print(f"\n{clients} clients at once, one request each on its own socket")
    print(f"{'':36}{'answered':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, (answered, p50, p99) in (
        ("floor: stdlib server, fixed JSON", floor_burst),
        ("layoutkit emulator, query", ours_burst),
    ):
        print(f"{name:36}{answered:>6}/{clients}{p50 * 1000:10.1f}{p99 * 1000:10.1f}")


if __name__ == "__main__":
    main()
