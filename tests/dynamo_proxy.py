"""A TCP stand-in in front of moto's server that can make DynamoDB calls hang.

A hung call is read and then never answered (or answered to no one): the client's own
read timeout has to end it, as with a real endpoint that stops answering mid-request.
No timing is involved on this side, so a busy machine changes nothing.
"""

from __future__ import annotations

import http.client
import socket
import threading
from urllib.parse import urlsplit


class HangingProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        # operation -> how many more calls hang; "applied": forwarded, then left unanswered
        self._hang: dict[str, int] = {}
        self._applied = False
        self._closing = threading.Event()
        self.hung: list[str] = []
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}"

    def hang(self, operation: str, times: int, *, applied: bool = False) -> None:
        """The next `times` calls of `operation` get no answer; with `applied`, DynamoDB
        still receives and applies them (the answer is what is lost)."""
        with self._lock:
            self._hang[operation] = times
            self._applied = applied

    def close(self) -> None:
        self._closing.set()
        self._listener.close()
        for held in self._held:
            held.close()

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        reader = client.makefile("rb")
        upstream = http.client.HTTPConnection(*self._upstream, timeout=60)
        try:
            while True:
                request = _read_request(reader)
                if request is None:
                    return
                method, path, headers, body = request
                operation = headers.get("x-amz-target", "").rpartition(".")[2]
                if self._take(operation):
                    self.hung.append(operation)
                    if self._applied:
                        upstream.request(method, path, body=body, headers=headers)
                        upstream.getresponse().read()
                    self._held.append(client)
                    self._closing.wait()  # never answered
                    return
                upstream.request(method, path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                head = [f"HTTP/1.1 {response.status} {response.reason}"]
                for name, value in response.getheaders():
                    if name.lower() not in ("transfer-encoding", "content-length", "connection"):
                        head.append(f"{name}: {value}")
                head.append(f"Content-Length: {len(payload)}")
                client.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)
        except OSError:
            return
        finally:
            upstream.close()

    def _take(self, operation: str) -> bool:
        with self._lock:
            left = self._hang.get(operation, 0)
            if left <= 0:
                return False
            self._hang[operation] = left - 1
            return True


def _read_request(reader: object) -> tuple[str, str, dict[str, str], bytes] | None:
    line = reader.readline()  # type: ignore[attr-defined]
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        header = reader.readline().decode("latin-1")  # type: ignore[attr-defined]
        if header in ("\r\n", "\n", ""):
            break
        name, _, value = header.partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0")))  # type: ignore[attr-defined]
    return method, path, headers, body
