"""Wall and CPU clocks for the import benchmark: this process's and its PostgreSQL backend's."""

import os
import time
from pathlib import Path


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
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.get_backend_pid()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:  # a database on another machine: count the client only
        server = 0.0
    return server
