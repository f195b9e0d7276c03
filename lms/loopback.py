"""Serve the app on a free loopback port in a thread: for browser tests and benches."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import waitress
from waitress import wasyncore


@contextmanager
def serving(app) -> Iterator[int]:
    """Serve `app` with waitress on a free loopback port in a thread; yields the port.

    The thread runs waitress's loop one poll at a time, so stopping is a flag and a join, not
    closing sockets under a running select() (which ends the thread with EBADF)."""
    sockets: dict = {}
    server = waitress.create_server(app, map=sockets, host="127.0.0.1", port=0, threads=4)
    stopping = threading.Event()

    def run() -> None:
        while not stopping.is_set():
            wasyncore.loop(timeout=0.05, map=sockets, count=1)

    thread = threading.Thread(target=run, name="live-server", daemon=True)
    thread.start()
    try:
        yield server.effective_port
    finally:
        stopping.set()
        thread.join(timeout=5)
        server.task_dispatcher.shutdown()
        wasyncore.close_all(sockets)
