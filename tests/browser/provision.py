#!/usr/bin/env python3
"""Provision the headless browser the report test needs, as tests/engines/provision.py does the
database engines: on first use, by the test itself.

Usage: provision.py TARGET_DIR

Prints the path of a Chromium binary: $PLAYBOOK_CHROMIUM when set, else `chromium` (or
`chromium-browser`) on the PATH, else — when running as root on Debian or Ubuntu — Debian's
`chromium` package, installed with apt-get (a file lock in TARGET_DIR makes other test binaries
wait for the first). Exits non-zero with a message that says what to do when no browser can be
had: install Chromium, or point PLAYBOOK_CHROMIUM at one.
"""
import fcntl
import os
import shutil
import subprocess
import sys


def found():
    given = os.environ.get("PLAYBOOK_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def install(target):
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(target, "chromium.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if found():
            return
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        quiet = {"stdout": sys.stderr, "env": env}
        if subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], **quiet).returncode:
            subprocess.run(["apt-get", "update", "-q"], check=True, **quiet)
            subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, **quiet)


def main():
    target = sys.argv[1] if len(sys.argv) > 1 else "target"
    path = found()
    if path is None and os.geteuid() == 0 and shutil.which("apt-get"):
        try:
            install(target)
        except subprocess.CalledProcessError as e:
            print(f"apt-get failed: {e}", file=sys.stderr)
        path = found()
    if path is None:
        print(
            "no Chromium for the report test: install it (Debian/Ubuntu: apt-get install "
            "chromium) or set PLAYBOOK_CHROMIUM to a Chromium or Chrome binary",
            file=sys.stderr,
        )
        sys.exit(1)
    print(path)


main()
