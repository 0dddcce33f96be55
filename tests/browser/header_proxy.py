"""A proxy in front of the server that adds header lines to every request head, as the
identity-aware proxy in front of a real deployment does (oauth2-proxy, a load balancer).

Chromium's `extra_http_headers` reaches the page's HTTP requests but not (Chromium 150) the
websocket's upgrade request, where Streamlit reads `st.context.headers`: a test that signs a
person in must send the header the way a proxy does, on every request head, the websocket's too.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlparse

_proxies: dict[tuple[str, bytes], str] = {}
_lock = threading.Lock()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


def _relay(client: socket.socket, upstream: tuple[str, int], extra: bytes) -> None:
    """Forward one connection, adding `extra` header lines to its first request head (one
    request per connection: a keep-alive's later requests pass unchanged, so the proxies here
    serve pages whose every request that matters opens its own connection: the page and the
    websocket)."""
    server = socket.create_connection(upstream)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = client.recv(65536)
        if not chunk:
            client.close()
            server.close()
            return
        head += chunk
    end = head.index(b"\r\n") + 2  # after the request line
    server.sendall(head[:end] + extra + head[end:])
    threading.Thread(target=_pipe, args=(server, client), daemon=True).start()
    _pipe(client, server)


def through(url: str, *lines: tuple[str, str]) -> str:
    """The address of a proxy to `url` that adds each (header, value) line to every request:
    one per url and lines, kept for the test process (daemon threads)."""
    extra = b"".join(f"{name}: {value}\r\n".encode() for name, value in lines)
    with _lock:
        if (url, extra) in _proxies:
            return _proxies[(url, extra)]
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        upstream = (urlparse(url).hostname, urlparse(url).port)

        def accept() -> None:
            while True:
                try:
                    client, _ = listener.accept()
                except OSError:
                    return
                threading.Thread(target=_relay, args=(client, upstream, extra), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        _proxies[(url, extra)] = f"http://127.0.0.1:{listener.getsockname()[1]}"
        return _proxies[(url, extra)]
