#!/usr/bin/env python3
"""`playbook sql` on the benchmark workload, engine by engine, whole processes.

Usage: python3 bench/sql_engines.py [ROWS] [RUNS]   (default 1000000 rows, 3 runs)

  duckdb    the generated script against the hand-written bench/workload.sql (DuckDB CLI)
  postgres  the generated psql script on a throwaway PostgreSQL cluster (started and stopped
            here, as the `postgres` user when run as root; fsync off)
  spark     the generated spark-sql script, local[2] (PyPI pyspark; JVM start-up included)

Each generated run's decisions are compared with `playbook eval`'s, byte for byte.
Needs: a built target/release/playbook (cargo build --release), python3, duckdb (pip install
duckdb-cli), PostgreSQL 15+, pyspark with Java 17.
"""
import glob, os, shutil, socket, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "bench", "gen_customers.py")
PLAYBOOK = os.path.join(ROOT, "target", "release", "playbook")
WORKLOAD = os.path.join(ROOT, "playbooks", "benchmark.playbook")
AS_OF = "2026-11-23"


def timed(cmd, **kw):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def compile_sql(dialect, data, out, path):
    with open(path, "w") as f:
        subprocess.run([PLAYBOOK, "sql", WORKLOAD, "--dialect", dialect, "--as-of", AS_OF,
                        "--input", data, "--output", out], check=True, stdout=f)


def same(got, want):
    with open(got, "rb") as a, open(want, "rb") as b:
        if a.read() != b.read():
            sys.exit(f"{got} differs from eval's decisions")


def as_postgres(cmd):
    return (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []) + cmd


def main():
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        data = os.path.join(tmp, "customers.csv")
        subprocess.run([sys.executable, GEN, str(rows), data], check=True, stdout=subprocess.DEVNULL)
        want = os.path.join(tmp, "eval.csv")
        subprocess.run([PLAYBOOK, "eval", WORKLOAD, data, "--as-of", AS_OF, "--format", "csv",
                        "-q", "-o", want], check=True)

        # DuckDB: generated against hand-written.
        script = os.path.join(tmp, "duck.sql")
        out = os.path.join(tmp, "duck.csv")
        compile_sql("duckdb", data, out, script)
        hand = ["duckdb", "-batch", ":memory:", "-c",
                f"SET VARIABLE input='{data}'; SET VARIABLE output='{tmp}/hand.csv';",
                "-f", os.path.join(ROOT, "bench", "workload.sql")]
        h, g = [], []
        for _ in range(runs):
            h.append(timed(hand))
            with open(script) as f:
                g.append(timed(["duckdb", "-batch", ":memory:"], stdin=f))
        same(out, want)
        results["duckdb, hand-written bench/workload.sql"] = h
        results["duckdb, generated script"] = g

        # PostgreSQL: a throwaway cluster.
        bin_dir = sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]
        pg = os.path.join(tmp, "pg")
        os.mkdir(pg)
        if os.geteuid() == 0:
            shutil.chown(pg, "postgres")
        subprocess.run(as_postgres([f"{bin_dir}/initdb", "-D", f"{pg}/data", "-E", "UTF8",
                                    "--locale=C.UTF-8", "--auth=trust", "-U", "postgres"]),
                       check=True, stdout=subprocess.DEVNULL)
        s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
        subprocess.run(as_postgres([f"{bin_dir}/pg_ctl", "-D", f"{pg}/data", "-l", f"{pg}/log", "-w",
                                    "-o", f"-p {port} -k {pg} -c listen_addresses=127.0.0.1 -c fsync=off",
                                    "start"]), check=True, stdout=subprocess.DEVNULL)
        try:
            script = os.path.join(tmp, "pg.sql")
            out = os.path.join(tmp, "pg.csv")
            compile_sql("postgres", data, out, script)
            psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(port),
                    "-U", "postgres", "-d", "postgres", "-f", script]
            results["postgres, generated script"] = [timed(psql) for _ in range(runs)]
            same(out, want)
        finally:
            subprocess.run(as_postgres([f"{bin_dir}/pg_ctl", "-D", f"{pg}/data", "-m", "immediate",
                                        "-w", "stop"]), stdout=subprocess.DEVNULL)

        # Spark: spark-sql of the pyspark package, local[2].
        import pyspark
        spark_sql = os.path.join(os.path.dirname(pyspark.__file__), "bin", "spark-sql")
        script = os.path.join(tmp, "spark.sql")
        out = os.path.join(tmp, "spark-out")
        compile_sql("spark", data, out, script)
        cmd = [spark_sql, "--master", "local[2]", "--conf", "spark.ui.enabled=false", "-f", script]
        results["spark, generated script (JVM start-up included)"] = [
            timed(cmd, stderr=subprocess.DEVNULL, cwd=tmp) for _ in range(runs)]
        same(glob.glob(os.path.join(out, "part-*.csv"))[0], want)

    print(f"{rows} rows, {runs} runs each, median (all runs); decisions identical to eval's")
    print("| program | wall s (median) | runs |")
    print("|---|---:|---|")
    for name, times in results.items():
        print(f"| {name} | {statistics.median(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} |")
    hand = statistics.median(results["duckdb, hand-written bench/workload.sql"])
    gen = statistics.median(results["duckdb, generated script"])
    print(f"generated / hand-written DuckDB: {gen / hand:.2f}x")


if __name__ == "__main__":
    main()
