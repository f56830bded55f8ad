"""What every benchmark measures the same way: process CPU and memory, machine contention,
and the machine itself. The benchmark scripts import it from their own folder (``python
bench/NAME.py`` puts ``bench/`` first on the path).

Why CPU time next to wall time: the stores and the analysis want every CPU of a small machine,
so when other processes compete a step's wall time can double or triple while its CPU time
moves by about 10%; ``busy_cpu_seconds`` lets a parent say how many CPUs others kept busy.
"""

from __future__ import annotations

import os
import platform
import resource
from pathlib import Path
from typing import Any

#: The repository, its ``src`` folder (benchmarks put it on the path, so they run without an
#: install) and where results are written.
ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
RESULTS_DIR = ROOT / "bench" / "results"


class BenchError(Exception):
    """A step failed or its result is wrong: the benchmark has no valid number to give."""


def peak_rss_mib() -> float:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process so far, all threads included."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy, hypervisor steal included (/proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    except OSError:  # not Linux: contention is then simply not measured
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields)
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_and_children_cpu() -> float:
    """CPU time of this process and its finished children (these sums, unlike maxrss, add)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def machine(**versions: str) -> dict[str, Any]:
    """What the numbers were measured on: CPU model and count, memory, system, Python, the
    load average at the time, and the ``versions`` the caller adds (engines it compares)."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {
        "cpu_model": model,
        "cpus": os.cpu_count(),
        "memory_gib": memory_gib,
        "system": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **versions,
    }
