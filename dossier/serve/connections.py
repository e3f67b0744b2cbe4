"""A bounded number of connection threads for the preview's HTTP server.

``socketserver.ThreadingMixIn`` starts one thread per connection and keeps it
while the connection is open, so 300 idle sockets would mean 300 threads.
:class:`ConnectionSlots` caps the threads at ``limit``: a new connection waits
for a free slot, and when every slot is taken, the connection that has waited
longest for its next request (an idle keep-alive or a socket that never sent
anything) is shut down to make room.  Closing an idle keep-alive connection is
what every HTTP server does under load; a browser simply opens a new one.
"""
from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

# Threads for connections at once (browsers open about 6 per host, plus one event stream per tab).
MAX_CONNECTIONS = 48


class ConnectionSlots:
    def __init__(self, limit: int = MAX_CONNECTIONS) -> None:
        self.limit = limit
        self._free = threading.Semaphore(limit)
        self._lock = threading.Lock()
        self._idle: dict[socket.socket, float] = {}   # connection -> when it began waiting

    def acquire(self, stopping: Callable[[], bool]) -> bool:
        """Take a slot, evicting idle connections while none is free; False once stopping."""
        while not self._free.acquire(timeout=0.02):
            if stopping():
                return False
            self.evict_oldest_idle()
            if self._free.acquire(timeout=0.5):
                return True
        return True

    def release(self, conn: socket.socket) -> None:
        with self._lock:
            self._idle.pop(conn, None)
        self._free.release()

    def idle(self, conn: socket.socket) -> None:
        with self._lock:
            self._idle[conn] = time.monotonic()

    def busy(self, conn: socket.socket) -> None:
        with self._lock:
            self._idle.pop(conn, None)

    def idle_count(self) -> int:
        with self._lock:
            return len(self._idle)

    def evict_oldest_idle(self) -> bool:
        with self._lock:
            if not self._idle:
                return False
            conn = min(self._idle, key=self._idle.__getitem__)
            del self._idle[conn]
        try:
            conn.shutdown(socket.SHUT_RDWR)   # its thread reads EOF and ends
        except OSError:
            pass
        return True
