"""What the tests of HTTP servers over raw sockets on 127.0.0.1 share (the shared server,
`layoutkit.httpd`, and the emulator on it): reading all a server sends on a connection,
and splitting those bytes into whole HTTP/1.1 responses."""

from __future__ import annotations

import socket
import time

Answer = tuple[int, dict[str, str], bytes]
"""A response: its status, its headers (names in lower case), its body."""


def read_all(conn: socket.socket, wait: float = 10.0) -> bytes:
    """Everything the server sends until it closes the connection (or `wait` passes)."""
    conn.settimeout(wait)
    received = b""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            chunk = conn.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        received += chunk
    return received


def responses(raw: bytes) -> list[Answer]:
    """The whole HTTP/1.1 responses in `raw`, in order (a last one cut short is left out)."""
    found = []
    while b"\r\n\r\n" in raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
        }
        length = int(headers.get("content-length", "0"))
        if len(rest) < length:
            break
        found.append((int(lines[0].split()[1]), headers, rest[:length]))
        raw = rest[length:]
    return found


__all__ = ["Answer", "read_all", "responses"]
