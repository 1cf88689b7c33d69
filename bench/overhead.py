#!/usr/bin/env python3
"""What the default progress bar and the end-of-run summary cost (issue 6, point 4).

`python3 bench/overhead.py [RUNS]` (default 9), after `python3 bench/run.py` has generated
bench-data/customers_1m.csv and built target/release/playbook. Three ways of running the same
`playbook eval` of the benchmark workload, interleaved run by run so that drift on a shared
machine hits all three alike, medians of wall and user+system CPU time:

  quiet     -q: no progress bar, no summary on standard error
  summary   the default with standard error a file: the summary, no bar
  bar       the default with standard error a terminal (a pseudo-terminal here): bar and summary

The counters behind the summary are kept whatever the flags (the exit code and --summary use
them), so their share is measured with callgrind instead; see docs/benchmarks.md.
"""
import os
import pty
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAYBOOK = os.path.join(ROOT, "target", "release", "playbook")
DATA = os.path.join(ROOT, "bench-data", "customers_1m.csv")
OUT = os.path.join(ROOT, "bench-data", "overhead.csv")
ARGS = ["eval", os.path.join(ROOT, "playbooks", "benchmark.playbook"), DATA,
        "--as-of", "2026-11-23", "--format", "csv", "-o", OUT]


def drain(fd):
    """Reads a pseudo-terminal until it closes, as a terminal would."""
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def once(mode):
    args = [PLAYBOOK] + ARGS + (["-q"] if mode == "quiet" else [])
    start = time.perf_counter()
    if mode == "bar":
        master, slave = pty.openpty()
        reader = threading.Thread(target=drain, args=(master,))
        reader.start()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
    else:
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if mode == "bar":
        reader.join()
        os.close(master)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"playbook eval failed in mode {mode}")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    for path in (PLAYBOOK, DATA):
        if not os.path.exists(path):
            sys.exit(f"missing {path}: run python3 bench/run.py first")
    modes = ["quiet", "summary", "bar"]
    results = {m: [] for m in modes}
    for _ in range(runs):
        for m in modes:
            results[m].append(once(m))
    base_wall = statistics.median(r[0] for r in results["quiet"])
    base_cpu = statistics.median(r[1] for r in results["quiet"])
    print(f"| mode | wall s (median of {runs}) | CPU s (median) | wall vs quiet | CPU vs quiet |")
    print("|---|---:|---:|---:|---:|")
    for m in modes:
        wall = statistics.median(r[0] for r in results[m])
        cpu = statistics.median(r[1] for r in results[m])
        print(f"| {m} | {wall:.3f} | {cpu:.3f} | {100 * (wall / base_wall - 1):+.1f}% | {100 * (cpu / base_cpu - 1):+.1f}% |")


if __name__ == "__main__":
    main()
