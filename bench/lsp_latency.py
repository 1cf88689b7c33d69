#!/usr/bin/env python3
"""How long `playbook lsp` takes from an edit to fresh diagnostics, on a playbook of RULES rules
(issue 21 asks for 100 ms at 5,000). Each edit types one character into the last rule's name,
as an incremental change; the time is from sending it to reading its `publishDiagnostics`.

    cargo build --release
    bench/lsp_latency.py target/release/playbook 5000 30
"""
import json
import statistics
import subprocess
import sys
import time

binary, rules, edits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
lines = ['playbook "Many rules"', "", "customer {", "  id text key", "  n  number",
         "  kanaal one of email, sms", "}", "", "actions " + ", ".join(f"a{r}" for r in range(rules))]
for r in range(rules):
    lines += ["", f"rule r{r}", f"  when n >= {r % 50} and kanaal = email", f"  then a{r}"]
text = "\n".join(lines) + "\n"
uri = "file:///bench/many.playbook"

server = subprocess.Popen([binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def send(message):
    body = json.dumps(message).encode()
    server.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    server.stdin.flush()


def read():
    length = None
    while True:
        line = server.stdout.readline().strip()
        if not line:
            break
        if line.startswith(b"Content-Length:"):
            length = int(line.split(b":")[1])
    return json.loads(server.stdout.read(length))


def diagnostics(version):
    while True:
        m = read()
        if m.get("method") == "textDocument/publishDiagnostics" and m["params"]["version"] == version:
            return m["params"]["diagnostics"]


send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})
read()
send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
start = time.perf_counter()
send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
    "uri": uri, "languageId": "playbook", "version": 1, "text": text}}})
diagnostics(1)
print(f"open: {1000 * (time.perf_counter() - start):.0f} ms ({rules} rules, {len(text)} bytes)")
last = len(lines) - 3  # the last rule's name line
times = []
for k in range(edits):
    at = {"line": last, "character": len(lines[last]) + k}
    start = time.perf_counter()
    send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": uri, "version": k + 2},
        "contentChanges": [{"range": {"start": at, "end": at}, "text": "x"}]}})
    diagnostics(k + 2)
    times.append(1000 * (time.perf_counter() - start))
send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
read()
send({"jsonrpc": "2.0", "method": "exit"})
server.wait()
times.sort()
print(f"edit → diagnostics: median {statistics.median(times):.0f} ms, "
      f"95th percentile {times[int(0.95 * (len(times) - 1))]:.0f} ms, max {times[-1]:.0f} ms")
