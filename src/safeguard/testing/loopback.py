"""A local test server's plumbing: an HTTP server on a free loopback port, in a thread of
its own, for the duration of a block (``notify_server``, ``oidc_provider``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def serving(make: Callable[[str], T], handler: Callable[[T], type[BaseHTTPRequestHandler]],
            *, name: str) -> Iterator[T]:
    """``make(base_url)`` (the thing served), answered by ``handler(it)``'s requests on
    ``http://127.0.0.1:PORT`` until the block ends."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    served = make(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.RequestHandlerClass = handler(served)
    thread = threading.Thread(target=httpd.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
