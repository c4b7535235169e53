"""How much CPU the rest of the machine took while a measurement ran.

On a 2-core machine every other busy process takes CPU from the server under test, so each measurement
records the CPU time (in cores) used meanwhile by processes that are not part of it — not the benchmark
and its wrk, not the granian server, not the PostgreSQL server. Processes that both start and end
within the measurement are missed, so the figure is a lower bound."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, int, int, str]]:
    """pid → (ppid, pgid, CPU ticks, start time) for every process we can read."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = raw[raw.rfind(")") + 2 :].split()
        # fields[0] is field 3 of proc(5): state; ppid 4, pgrp 5, utime 14, stime 15, starttime 22.
        found[int(entry.name)] = (int(fields[1]), int(fields[2]), int(fields[11]) + int(fields[12]), fields[19])
    return found


class CpuWatch:
    def __init__(self, own_groups: Iterable[int], own_parents: Iterable[int] = ()) -> None:
        self.groups = {os.getpgid(0), *own_groups}
        self.parents = set(own_parents)
        self.before: dict[int, tuple[int, int, int, str]] = {}
        self.started = 0.0

    def __enter__(self) -> CpuWatch:
        self.before = _processes()
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        after = _processes()
        self.seconds = time.monotonic() - self.started
        ticks = 0
        for pid, (ppid, pgid, used, start) in after.items():
            if pgid in self.groups or pid in self.parents or ppid in self.parents or 2 in (pid, ppid):
                continue  # ours, or a kernel thread (partly busy with our own traffic)
            previous = self.before.get(pid)
            ticks += used - (previous[2] if previous and previous[3] == start else 0)
        self.other_cores = round(ticks / TICK / max(self.seconds, 1e-9), 2)
