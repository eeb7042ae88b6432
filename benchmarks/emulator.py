"""Query requests per second the emulator serves to 8 client threads, next to the floor
of a minimal standard-library HTTP server answering a fixed JSON body.
Run: python benchmarks/emulator.py"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from layoutkit.emulator import EmulatorServer

THREADS = 8
PER_THREAD = 250
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


def hammer(url: str, auth: tuple[str, str] | None) -> float:
    """Requests per second of THREADS threads each sending PER_THREAD GETs."""

    def worker(_: int) -> None:
        with requests.Session() as http:
            for _ in range(PER_THREAD):
                answer = http.get(url, auth=auth, timeout=10)
                assert answer.status_code == 200, answer.text

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    return THREADS * PER_THREAD / (time.perf_counter() - start)


def main() -> None:
    floor_server = ThreadingHTTPServer(("127.0.0.1", 0), Fixed)
    floor_server.daemon_threads = True
    thread = threading.Thread(target=floor_server.serve_forever, daemon=True)
    thread.start()
    floor = hammer(f"http://127.0.0.1:{floor_server.server_address[1]}/q", None)
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
            json={"cname": "room", "uid": "9", "clientRequest": {}},
        ).json()["sid"]
        ours = hammer(f"{base}/resourceid/{rid}/sid/{sid}/mode/mix/query", ("c", "s"))
    print(f"query requests per second, {THREADS} client threads x {PER_THREAD} requests")
    print(f"{'floor: stdlib server, fixed JSON':36}{floor:10.0f} req/s")
    print(f"{'layoutkit emulator, query':36}{ours:10.0f} req/s")
    print(f"{'ratio (emulator / floor)':36}{ours / floor:10.2f}")


if __name__ == "__main__":
    main()
