#!/usr/bin/env python3
"""The generated DuckDB script (`playbook sql --dialect duckdb`) against the
hand-written bench/workload.sql, on the benchmark workload.

Usage: python3 bench/sql_duckdb.py [ROWS] [RUNS]   (default 1000000 rows, 3 runs)
Needs: the `duckdb` CLI (pip install duckdb-cli), a built target/release/playbook
(or target/debug/playbook: the script only generates SQL), python3.
"""
import os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_customers.py")
AS_OF = "2026-11-23"


def binary():
    for p in ("target/release/playbook", "target/debug/playbook"):
        path = os.path.join(ROOT, p)
        if os.path.exists(path):
            return path
    sys.exit("build playbook first (cargo build --release)")


def timed(cmd, stdin=None):
    start = time.perf_counter()
    subprocess.run(cmd, stdin=stdin, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "customers.csv")
        subprocess.run([sys.executable, GEN, str(rows), data], check=True, stdout=subprocess.DEVNULL)
        script = os.path.join(tmp, "generated.sql")
        out_gen = os.path.join(tmp, "generated.csv")
        with open(script, "w") as f:
            subprocess.run([binary(), "sql", os.path.join(ROOT, "playbooks/benchmark.playbook"),
                            "--dialect", "duckdb", "--as-of", AS_OF, "--input", data,
                            "--output", out_gen], check=True, stdout=f)
        out_hand = os.path.join(tmp, "hand.csv")
        hand_cmd = ["duckdb", "-batch", ":memory:", "-c",
                    f"SET VARIABLE input='{data}'; SET VARIABLE output='{out_hand}';",
                    "-f", os.path.join(ROOT, "bench/workload.sql")]
        hand, gen = [], []
        for _ in range(runs):
            hand.append(timed(hand_cmd))
            with open(script) as f:
                gen.append(timed(["duckdb", "-batch", ":memory:"], stdin=f))
        h, g = min(hand), min(gen)
        print(f"{rows} rows, best of {runs}: hand-written {h:.2f} s, generated {g:.2f} s, ratio {g / h:.2f}")


if __name__ == "__main__":
    main()
