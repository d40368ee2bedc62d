"""CPU time of processes, read from /proc (Linux): a process tree (a server and its workers) and the
PostgreSQL backends of the connections that name themselves with an application_name."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and its waited-for children)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return ppid, (utime + stime + cutime + cstime) / TICK


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and all its descendants (alive now)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None:
                stats[int(entry.name)] = st
    total, todo, seen = 0.0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in stats:
            continue
        seen.add(pid)
        total += stats[pid][1]
        todo.extend(p for p, (ppid, _) in stats.items() if ppid == pid)
    return total


def pid_cpu(pid: int) -> float:
    """CPU seconds of one process (0 when it is gone), e.g. the PostgreSQL backend of a session."""
    st = _stat(pid)
    return st[1] if st is not None else 0.0


def backend_cpu(admin_url: str, application_name: str) -> dict[int, float]:
    """CPU seconds per PostgreSQL backend pid of the connections with this application_name."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                                           (application_name,))]  # fmt: skip
    out = {}
    for pid in pids:
        st = _stat(pid)
        if st is not None:
            out[pid] = st[1]
    return out


def delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU the backends used between two readings (a backend that started in between counts whole)."""
    return sum(after[p] - before.get(p, 0.0) for p in after)


def wait_settled(root: int, *, quiet: float = 0.02, every: float = 1.0, calm: int = 2, timeout: float = 180.0) -> float:
    """Wait until a server's process tree has finished starting: its CPU time grew by less than ``quiet``
    seconds in each of ``calm`` consecutive ``every``-second windows (an idle uvicorn worker uses none; one
    still importing and building its routes uses a core). A server answers its first request as soon as ONE
    worker is up, while the others may still spend seconds of CPU starting: measured from then, that start-up
    would be counted as the CPU of the events. The seconds waited."""
    start = time.monotonic()
    last, still = tree_cpu(root), 0
    while still < calm and time.monotonic() - start < timeout:
        time.sleep(every)
        now = tree_cpu(root)
        still = still + 1 if now - last < quiet else 0
        last = now
    return time.monotonic() - start
