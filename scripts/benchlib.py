"""Shared pieces of the benchmark scripts (scripts/bench-*): timing a command with its peak RSS, the summary
statistics, the machine facts, and the one machine-readable line each benchmark prints for `scripts/bench`.

A result line is `BENCH-RESULT {json}` on standard output, one per comparison:
  {"bench": "install", "title": "...", "unit": "ms",
   "ours": {"label": ..., "command": ..., "runs": [...], "median": ..., "min": ..., "max": ..., "peak_rss_kib": ...},
   "baseline": {same keys} or null, "ratio": ours median / baseline median or null,
   "goal": "text", "goal_met": true/false/null, "notes": ["markdown lines", ...], "binary": "...", "when": "..."}
"""

import datetime
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time

PREFIX = "BENCH-RESULT "
GNU_TIME = "/usr/bin/time"


def timed(argv, env=None, cwd=None, check=True, stdout=subprocess.DEVNULL):
    """Runs argv under GNU time; returns (wall ms, peak RSS KiB of the largest process, exit status, CPU ms).
    CPU is user + system time of the command and its children (from wait4, microsecond resolution; GNU time's
    own share is negligible): less disturbed by other load than wall time."""
    with tempfile.NamedTemporaryFile("r", prefix="bench-rss.") as out, \
            tempfile.TemporaryFile(prefix="bench-err.") as err:
        start = time.perf_counter()
        proc = subprocess.Popen([GNU_TIME, "-f", "%M", "-o", out.name] + list(argv), env=env, cwd=cwd,
                                stdout=stdout, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = (time.perf_counter() - start) * 1000
        proc.returncode = os.waitstatus_to_exitcode(status)
        rss = next((int(l) for l in reversed(open(out.name).read().split("\n")) if l.strip().isdigit()), None)
        err.seek(0)
        if check and proc.returncode != 0:
            raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(argv)}\n"
                             f"{err.read().decode(errors='replace')[-2000:]}")
    return elapsed, rss, proc.returncode, (usage.ru_utime + usage.ru_stime) * 1000


class Samples:
    """The wall times, peak RSS and CPU times of one side's runs."""

    def __init__(self):
        self.times, self.rss, self.cpu = [], [], []

    def add(self, timing):
        self.times.append(timing[0])
        self.rss.append(timing[1])
        self.cpu.append(timing[3])


def side(label, command, runs, rss, cpu=()):
    """One side of a comparison: its runs (wall ms, in run order), their statistics, the largest peak RSS and
    the median CPU time (user + system, ms; None when not measured)."""
    cpu = [c for c in cpu if c is not None]
    return {"label": label, "command": command, "runs": [round(r, 2) for r in runs],
            "median": round(statistics.median(runs), 2), "min": round(min(runs), 2), "max": round(max(runs), 2),
            "peak_rss_kib": max((r for r in rss if r is not None), default=None),
            "cpu_median": round(statistics.median(cpu), 1) if cpu else None}


def side_of(label, command, samples):
    return side(label, command, samples.times, samples.rss, samples.cpu)


def result(bench, title, ours, baseline=None, goal=None, goal_met=None, unit="ms", notes=(), binary=None):
    """The result record; the ratio is ours / baseline (below 1 means ours is faster)."""
    ratio = round(ours["median"] / baseline["median"], 3) if baseline and baseline["median"] else None
    return {"bench": bench, "title": title, "unit": unit, "ours": ours, "baseline": baseline, "ratio": ratio,
            "goal": goal, "goal_met": goal_met, "notes": list(notes), "binary": binary,
            "when": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "loadavg": loadavg()}


def emit(record):
    print(PREFIX + json.dumps(record, sort_keys=True), flush=True)


def loadavg():
    return open("/proc/loadavg").read().split()[:3]


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:")), 0)
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 1024 / 1024, 1),
            "kernel": platform.release(), "os": distro(), "loadavg": loadavg()}


def distro():
    try:
        fields = dict(l.rstrip("\n").split("=", 1) for l in open("/etc/os-release") if "=" in l)
        return fields.get("PRETTY_NAME", "?").strip('"')
    except OSError:
        return "?"


def build_kind(binary):
    return "debug build" if "/debug/" in binary else "release build" if "/release" in binary else binary


def alternate(runs, sides, prepare=None, env=None):
    """Runs each side `runs` times, alternating (A B A B …, starting side swapped every round so neither always
    runs first). `sides` is a list of (name, argv-or-callable returning argv); `prepare(name, i)` runs before
    each timed run, untimed. Returns {name: Samples}."""
    out = {name: Samples() for name, _ in sides}
    for i in range(runs):
        order = sides if i % 2 == 0 else list(reversed(sides))
        for name, argv in order:
            if prepare:
                prepare(name, i)
            out[name].add(timed(argv(i) if callable(argv) else argv, env=env))
    return out
