#!/usr/bin/env python3
"""The speed benchmark, in one command: `python3 bench/run.py` (from the repo root).

It generates the data (into bench-data/, git-ignored) with bench/gen_customers.py,
builds playbook in release mode, installs the DuckDB CLI from PyPI (`duckdb-cli`) when it
is missing, and times whole processes, several runs each, reporting medians:

  * playbook eval playbooks/benchmark.playbook … --format csv -o out.csv   (checked: exact counts)
  * duckdb running bench/workload.sql, the same logic in SQL             (checked: exact counts)
  * examples/parse_only: the engine's own CSV reader, splitting every field (the floor)
  * the same export as NDJSON; a generated 1,000-rule playbook; 5M rows (time and peak memory)
  * playbook check on a generated 5,000-rule playbook

Options: --runs N (default 3), --rows N (default 1000000), --skip-5m, --skip-duckdb.
Results print as a Markdown table (pasted into docs/benchmarks.md).
"""
import argparse
import collections
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "bench-data")
GEN = os.path.join(ROOT, "bench", "gen_customers.py")
PLAYBOOK = os.path.join(ROOT, "target", "release", "playbook")
PARSE_ONLY = os.path.join(ROOT, "target", "release", "examples", "parse_only")
EXPECTED = {"surprise": 33029, "winback": 202837, "birthday_gift": 13040,
            "upsell": 14168, "welcome": 12403, "referral": 22378}
AS_OF = "2026-11-23"


def run(cmd, **kw):
    """Runs a command; returns (wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, **kw)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(cmd)}")
    return wall, usage.ru_maxrss / 1024


def timed(name, cmd, runs, **kw):
    results = [run(cmd, **kw) for _ in range(runs)]
    wall = statistics.median(r[0] for r in results)
    rss = max(r[1] for r in results)
    print(f"  {name}: {wall:.3f} s (runs: {', '.join(f'{r[0]:.3f}' for r in results)}), peak {rss:.0f} MiB", flush=True)
    return wall, rss


def counts(path, column):
    with open(path, newline="", encoding="utf-8") as f:
        return dict(collections.Counter(row[column] for row in csv.DictReader(f)))


def ensure_data(rows, name):
    path = os.path.join(DATA, name)
    if not os.path.exists(path):
        os.makedirs(DATA, exist_ok=True)
        print(f"generating {path} ({rows} rows)…", flush=True)
        subprocess.run([sys.executable, GEN, str(rows), path, "--jobs", str(os.cpu_count() or 1)], check=True)
    return path


def ensure_duckdb():
    if shutil.which("duckdb"):
        return shutil.which("duckdb")
    print("installing the DuckDB CLI from PyPI (duckdb-cli)…", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "duckdb-cli"], check=True)
    return shutil.which("duckdb") or sys.exit("duckdb-cli installed no `duckdb` command")


def many_rules(path, n):
    """A playbook with the benchmark's schema and journey and n generated rules."""
    random.seed(7)
    with open(os.path.join(ROOT, "playbooks", "benchmark.playbook"), encoding="utf-8") as f:
        base = f.read().split("rule surprise_after_complaint")[0]
    base = base.replace("actions surprise, winback, birthday_gift, upsell, welcome, referral\n", "")
    # Like real rules: each picks out a small group of customers (a narrow band of one
    # field, plus one or two more tests), and a policy caps the actions per customer.
    narrow = ["orders = {n}", "lifetime_value between {v} and {v2}", "nps = {k}", "last_order within {d} days",
              "first_order more than {d2} days ago"]
    extra = ["complaint is open", "complaint resolved", "customer in vertrouwen", "tags has \"vip\"",
             "channel_pref = sms", "customer reached relatie", "nps >= {k}", "orders >= {n}"]
    lines = [base.replace("policy {", "policy {\n  max 3 actions per customer")]
    for i in range(n):
        v = random.randint(10, 3000)
        parts = [random.choice(narrow)] + random.sample(extra, random.randint(1, 2))
        cond = " and ".join(parts).format(n=random.randint(1, 40), v=v, v2=v + 20, k=random.randint(0, 10),
                                          d=random.randint(1, 3), d2=random.randint(2000, 2880))
        lines.append(f"rule r{i} when {cond} then a{i % 40} priority {random.randint(-3, 3)}\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(lines))


def check_playbook(path, n):
    """A 5,000-rule playbook in the style of the examples, without contradictions."""
    random.seed(11)
    lines = ['playbook "Groot"\n', "customer {\n  id text key\n  orders number\n  lifetime_value number\n  nps number?\n",
             "  complaint one of none, open, resolved\n  opted_in bool\n  last_order date?\n  tags list of text\n}\n",
             "actions surprise, winback, upsell, referral\n",
             "policy {\n  suppress when not opted_in\n  max 3 actions per customer\n}\n"]
    for i in range(n):
        lines.append(f"rule r{i}\n  when orders >= {i % 50} and lifetime_value > {i} and nps >= {i % 11}\n"
                     f"  unless tags has \"t{i}\"\n  then {['surprise', 'winback', 'upsell', 'referral'][i % 4]}\n"
                     f"  priority {i % 7}\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(lines))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--skip-5m", action="store_true")
    ap.add_argument("--skip-duckdb", action="store_true")
    args = ap.parse_args()
    os.chdir(ROOT)
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "playbook", "--example", "parse_only"], check=True)
    data = ensure_data(args.rows, "customers_1m.csv" if args.rows == 1_000_000 else f"customers_{args.rows}.csv")
    out = os.path.join(DATA, "out.csv")
    rows = {}

    print(f"machine: {os.cpu_count()} cores; {args.runs} runs each; {args.rows} rows", flush=True)
    base = [PLAYBOOK, "eval", "playbooks/benchmark.playbook", data, "--as-of", AS_OF, "-q"]
    rows["playbook eval, CSV out"] = timed("playbook eval --format csv", base + ["--format", "csv", "-o", out], args.runs)
    got = counts(out, "action")
    if args.rows == 1_000_000 and got != EXPECTED:
        sys.exit(f"wrong counts: {got}")
    print(f"  counts {'match the expected figures' if args.rows == 1_000_000 else got}", flush=True)
    rows["playbook eval, 1 thread"] = timed("playbook eval --threads 1", base + ["--format", "csv", "-o", out, "--threads", "1"], args.runs)
    rows["parse-only floor (engine's CSV reader, 2 threads)"] = timed("parse-only, 2 threads", [PARSE_ONLY, data, "2"], args.runs, stdout=subprocess.DEVNULL)
    rows["parse-only floor (1 thread)"] = timed("parse-only, 1 thread", [PARSE_ONLY, data, "1"], args.runs, stdout=subprocess.DEVNULL)

    if not args.skip_duckdb:
        duckdb = ensure_duckdb()
        duck_out = os.path.join(DATA, "duck.csv")
        sql = f"SET VARIABLE input='{data}'; SET VARIABLE output='{duck_out}';"
        rows["DuckDB CLI, same logic in SQL"] = timed("duckdb", [duckdb, "-batch", ":memory:", "-c", sql, "-f", "bench/workload.sql"], args.runs)
        dgot = counts(duck_out, "action")
        if args.rows == 1_000_000 and dgot != EXPECTED:
            sys.exit(f"duckdb counts differ: {dgot}")
        ndjson = os.path.join(DATA, os.path.basename(data).replace(".csv", ".ndjson"))
        if not os.path.exists(ndjson):
            subprocess.run([duckdb, "-batch", ":memory:", "-c",
                            f"COPY (SELECT * FROM read_csv('{data}', all_varchar=true)) TO '{ndjson}' (FORMAT JSON);"], check=True)
        rows["playbook eval, NDJSON in"] = timed("playbook eval NDJSON", [PLAYBOOK, "eval", "playbooks/benchmark.playbook", ndjson,
                                                                        "--as-of", AS_OF, "-q", "--format", "csv", "-o", out], args.runs)

    rules = os.path.join(DATA, "rules1000.playbook")
    many_rules(rules, 1000)
    rows["playbook eval, 1,000 rules"] = timed("1,000 rules", [PLAYBOOK, "eval", rules, data, "--as-of", AS_OF, "-q",
                                                             "--format", "csv", "-o", out], args.runs)
    check5000 = os.path.join(DATA, "rules5000.playbook")
    check_playbook(check5000, 5000)
    rows["playbook check, 5,000 rules"] = timed("check 5,000 rules", [PLAYBOOK, "check", check5000], args.runs,
                                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    if not args.skip_5m:
        big = ensure_data(5_000_000, "customers_5m.csv")
        rows["playbook eval, 5M rows"] = timed("5M rows", [PLAYBOOK, "eval", "playbooks/benchmark.playbook", big, "--as-of", AS_OF,
                                                          "-q", "--format", "csv", "-o", out], args.runs)

    ours = rows["playbook eval, CSV out"][0]
    print("\n| program | wall s (median) | peak RSS MiB | vs playbook eval |")
    print("|---|---:|---:|---:|")
    for name, (wall, rss) in rows.items():
        print(f"| {name} | {wall:.3f} | {rss:.0f} | {wall / ours:.2f}× |")


if __name__ == "__main__":
    main()
