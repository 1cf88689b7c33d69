#!/usr/bin/env python3
"""Makes the small samples of the real exports in playbooks/data/ (standard library only).

    python3 playbooks/data/make_real_samples.py          # from the repository root
    python3 playbooks/data/make_real_samples.py --check  # exits 1 if a sample is out of date

Each sample is the source's header and a fixed choice of its records, copied byte for byte:
byte order mark, delimiter, quoting, CRLF and a missing final line break stay as they are.
The sources are in tests/data (see tests/data/PROVENANCE.md).
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "tests" / "data"

TELCO = SHARED / "real/telco-customer-churn/Telco-Customer-Churn.csv"
TELCO_NL = SHARED / "excel-nl/telco_customer_churn_nl.csv"
CAMPAIGN = SHARED / "real/customer-personality-analysis/marketing_campaign.csv"

# Records by their line number in the source (the header is line 1).
# Telco: the first 40 customers; 490 and 755 have a blank TotalCharges (tenure 0);
# 328 and 1014 are in the control group of the "retention offer" pilot.
TELCO_LINES = list(range(2, 42)) + [328, 490, 755, 1014]
# Campaign: the first 40 customers; 45 and 50 have a blank Income; 66 has a membership
# anniversary in the fortnight after 2026-11-23 (joined 06/12/2013); 80 complained; the
# implausible profiles: 194 (born 1900, and complained), 241 (born 1893), 341 (born 1899),
# 2095 (`Absurd`), 2179 (`YOLO`) and 2235 (an income of 666666); 2241 is the last record,
# which has no line break after it.
CAMPAIGN_LINES = list(range(2, 42)) + [45, 50, 66, 80, 194, 241, 341, 2095, 2179, 2235, 2241]


def records(data: bytes):
    """The file's lines, each with its own line end (none of these files has quoted line breaks)."""
    return data.splitlines(keepends=True)


def pick(source: Path, lines):
    all_lines = records(source.read_bytes())
    return b"".join(all_lines[n - 1] for n in [1] + lines)


def telco_nl(telco_sample: bytes) -> bytes:
    """The same customers, in the order of the English sample, from the Dutch Excel variant."""
    nl = records(TELCO_NL.read_bytes())
    by_id = {line.split(b";", 1)[0]: line for line in nl[1:]}
    ids = [line.split(b",", 1)[0] for line in records(telco_sample)[1:]]
    return nl[0] + b"".join(by_id[i] for i in ids)


def samples():
    telco = pick(TELCO, TELCO_LINES)
    return {
        "telco-churn.csv": telco,
        "telco-churn-nl.csv": telco_nl(telco),
        "marketing-campaign.csv": pick(CAMPAIGN, CAMPAIGN_LINES),
    }


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, data in samples().items():
        path = HERE / name
        if check:
            if not path.exists() or path.read_bytes() != data:
                stale.append(name)
        else:
            path.write_bytes(data)
            print(f"wrote {path.relative_to(HERE.parent.parent)} ({len(records(data)) - 1} records)")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
