#!/bin/sh
# Fills fuzz/corpus/<target>/ with seeds (run from anywhere; the corpora are git-ignored).
#   parse_check, fmt_roundtrip: every playbook in playbooks/, tests/fixtures/ and fuzz/playbooks/
#   eval_csv_quotes, paths_outputs: tests/regressions/<target>/ (generator bytes)
#   eval_csv: playbooks/data/*.csv, the csv-spectrum cases, the first 4 KB of every file under
#             ../shared/data/real and ../shared/data/excel-nl, the mangled Online Retail file's
#             quote-wrapped rows, and small exports written for the three embedded playbooks.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=$root/../shared/data
for t in parse_check fmt_roundtrip; do
    mkdir -p "$here/corpus/$t"
    find "$root/playbooks" "$root/tests/fixtures" "$here/playbooks" -name '*.playbook' | while read -r f; do
        cp "$f" "$here/corpus/$t/$(echo "$f" | sed "s|$root/||; s|/|_|g")"
    done
done
c=$here/corpus/eval_csv
mkdir -p "$c"
for f in "$root"/playbooks/data/*.csv; do cp "$f" "$c/pb_$(basename "$f")"; done
if [ -d "$shared" ]; then
    for f in "$shared"/csv-spectrum/csvs/*.csv; do cp "$f" "$c/spectrum_$(basename "$f")"; done
    find "$shared/real" "$shared/excel-nl" -type f | while read -r f; do
        head -c 4096 "$f" > "$c/head_$(basename "$f")"
    done
    m=$shared/real/online-retail/online_retail_first8373_mangled.csv
    { head -n 1 "$m"; sed -n '105,115p;250,258p;870,876p' "$m"; } > "$c/mangled_rows.csv"
fi
printf 'id,orders,lifetime_value,first_order,last_order,nps,complaint,opted_in,birthday,channel_pref,tags\nC1,3,510.5,2025-01-02,2026-11-01,9,resolved,true,1990-11-25,sms,"vip;b2b"\nC2,0,0,,,,none,false,,email,\nC3,x,1,,,,open,true,,post,\n' > "$c/bench.csv"
printf '\357\273\277Klant nr;Bedrag;Lid sinds;Soort;Labels;Akkoord\r\nK1;100,5;01-01-2020;goud;actie;ja\r\nK2;;;zilver;;\r\n"K3";"1,5";"29-02-2024";brons;"a;actie";nee' > "$c/dutch.csv"
printf 'id,orders,last_order,tags,name\n1,3,2026-10-01,vip,anna\n2,1,,"x;vip",bob\n' > "$c/inferred.csv"
echo "seeded: $(ls "$here/corpus/parse_check" | wc -l) playbooks, $(ls "$c" | wc -l) exports"
# eval_csv_quotes, paths_outputs: their inputs are generator bytes, not files; the seeds are the
# hand-made inputs kept in tests/regressions/<target>/ (each names what it builds).
for t in eval_csv_quotes paths_outputs; do
    mkdir -p "$here/corpus/$t"
    cp "$root/tests/regressions/$t"/* "$here/corpus/$t/"
done
