"""Wall and CPU clocks for the import benchmark: this process's and its PostgreSQL backend's."""

import time

from benchkit import backend_cpu_seconds


class Clock:
    """Wall seconds, and CPU seconds of this process plus its PostgreSQL backend (same machine).

    On a busy machine the wall time includes waiting for a CPU; the CPU seconds of client and server are
    close to what the same work takes on an idle one.
    """

    def __enter__(self):
        self.began, self.client_began, self.server_began = time.perf_counter(), time.process_time(), server_cpu()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.began
        self.client = time.process_time() - self.client_began
        self.server = server_cpu() - self.server_began
        self.cpu = self.client + self.server
        LAST_CPU.update(client=self.client, server=self.server)


LAST_CPU = {}


def server_cpu():
    """CPU seconds of this connection's PostgreSQL backend so far; 0 for a database on another machine (the
    client is counted alone)."""
    return backend_cpu_seconds() or 0.0
