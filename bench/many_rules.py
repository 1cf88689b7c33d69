#!/usr/bin/env python3
"""Writes a playbook of RULES rules that all fire and an export of ROWS customers, for the
memory bound at the rule limit (docs/reliability.md, Limits):

    bench/many_rules.py 25000 100000 /tmp/many
    /usr/bin/time -v target/release/playbook eval /tmp/many/many.playbook /tmp/many/customers.csv -o /dev/null
"""
import os
import sys

rules, rows, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
with open(os.path.join(out, "many.playbook"), "w") as f:
    f.write('playbook "Many rules"\n\ncustomer {\n  id text key\n  n  number\n}\n')
    for r in range(rules):
        f.write(f"\nrule r{r}\n  when n >= 0\n  then a{r}\n")
with open(os.path.join(out, "customers.csv"), "w") as f:
    f.write("id,n\n")
    for i in range(rows):
        f.write(f"C{i},{i % 97}\n")
