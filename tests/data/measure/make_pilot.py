"""A made-up pilot for `playbook measure` (tests/measure.rs, docs/report.md).

Step 1 writes pilot-klanten.csv, an export for playbooks/klantbeleving-pilot.playbook:
    python3 make_pilot.py klanten > pilot-klanten.csv
Step 2 reads the decisions of that export and writes what happened after the campaign:
    playbook eval playbooks/klantbeleving-pilot.playbook tests/data/measure/pilot-klanten.csv \
        --as-of 2026-11-23 -q -o beslissingen.ndjson
    python3 make_pilot.py uitkomsten beslissingen.ndjson > pilot-uitkomsten.csv
Customers who were sent `proactief_contact` buy a little more often; everything else is noise.
Seeded: running it again gives the same files. Made-up data, no licence needed (CC0).
"""
import json
import random
import sys


def klanten(rng):
    print("id,leeftijd,huishouden,orders_12m,besteding_12m,app_gebruiker,voorkeurskanaal,nps,"
          "laatste_order,laatste_contact,interesses,toestemming,Postcode")
    for i in range(2000):
        orders = rng.choice([0, 1, 2, 3, 4, 6, 9, 14])
        nps = rng.choice(["", "3", "5", "6", "7", "8", "9", "10"])
        day = rng.randint(1, 28)
        order = f"2026-{rng.randint(3, 11):02d}-{day:02d}" if orders else ""
        contact = f"2026-11-{rng.randint(1, 22):02d}" if rng.random() < 0.15 else ""
        print(",".join([
            f"P{i + 1:05d}", str(rng.randint(19, 84)),
            rng.choice(["single", "stel", "gezin", "senior"]), str(orders),
            str(orders * rng.randint(40, 160)), rng.choice(["true", "false"]),
            rng.choice(["email", "sms", "app", "post"]), nps, order, contact,
            rng.choice(["", "koken", "sport;reizen", "koken;kinderen", "geen-push"]),
            "false" if rng.random() < 0.06 else "true", f"{rng.randint(1000, 9999)} AB",
        ]))


def uitkomsten(rng, decisions):
    print("klantnummer,gekocht,omzet")
    for line in open(decisions, encoding="utf-8"):
        d = json.loads(line)
        sent = {a["action"] for a in d["actions"] if not a["holdout"]}
        chance = 0.22 + (0.10 if "proactief_contact" in sent else 0.0)
        bought = rng.random() < chance
        revenue = round(rng.uniform(15, 120), 2) if bought else 0
        # A few customers left before the campaign ended: no outcome row.
        if rng.random() < 0.01:
            continue
        print(f"{d['customer']},{'ja' if bought else 'nee'},{revenue}")


rng = random.Random(2026_11_23)
if sys.argv[1] == "klanten":
    klanten(rng)
else:
    uitkomsten(rng, sys.argv[2])
