"""Reference values for `playbook measure`, computed once with SciPy and statsmodels.

Run:  python3 -m pip install scipy statsmodels && python3 make_reference.py > reference.json
The output is committed; tests/measure.rs reads it, so `cargo test` needs neither package.

Each pilot is a treated and a held-out group. Conversions are given as counts (the test
writes them as ja/nee cells), numbers as values with two decimals. The generator is seeded:
running it again gives the same file.
"""
import json
import math
import random

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

ALPHA, POWER = 0.05, 0.8


def num(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def needed(effect, p_value):
    if p_value is not None and p_value < ALPHA:
        return None
    if effect == 0 or not math.isfinite(effect):
        return None
    n = NormalIndPower().solve_power(
        effect_size=abs(effect), alpha=ALPHA, power=POWER, ratio=1.0, alternative="two-sided"
    )
    if math.isnan(n):
        # The solver gives up below 2 customers per group: a large effect needs the minimum.
        if NormalIndPower().power(abs(effect), nobs1=2, alpha=ALPHA, ratio=1.0) >= POWER:
            return 2
        raise ValueError(f"no sample size for effect {effect}")
    return max(2, math.ceil(n))


def conversion(name, x1, n1, x2, n2):
    p1, p2 = x1 / n1, x2 / n2
    low, high = confint_proportions_2indep(x1, n1, x2, n2, method="newcomb", compare="diff")
    with np.errstate(all="ignore"):
        _, p = proportions_ztest([x1, x2], [n1, n2])
    p = num(p)
    return {
        "name": name,
        "kind": "conversion",
        "treated": [x1, n1],
        "held_out": [x2, n2],
        "uplift": p1 - p2,
        "relative_uplift": (p1 - p2) / p2 if p2 else None,
        "ci_low": num(low),
        "ci_high": num(high),
        "p_value": p,
        "needed_per_group": needed(proportion_effectsize(p1, p2), p),
    }


def number(name, a, b):
    a, b = np.array(a), np.array(b)
    diff = a.mean() - b.mean()
    t = stats.ttest_ind(a, b, equal_var=False)
    low, high = CompareMeans(DescrStatsW(a), DescrStatsW(b)).tconfint_diff(usevar="unequal")
    p = num(t.pvalue)
    sd = math.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    return {
        "name": name,
        "kind": "number",
        "treated": [f"{v:.2f}" for v in a],
        "held_out": [f"{v:.2f}" for v in b],
        "uplift": diff,
        "relative_uplift": diff / b.mean() if b.mean() else None,
        "ci_low": num(low),
        "ci_high": num(high),
        "p_value": p,
        "needed_per_group": needed(diff / sd if sd else 0.0, p),
    }


def main():
    rng = random.Random(20261207)
    pilots = [
        conversion("textbook 56/70 against 48/80", 56, 70, 48, 80),
        conversion("tiny groups", 1, 3, 0, 2),
        conversion("one customer each", 1, 1, 0, 1),
        conversion("zero conversions in both", 0, 40, 0, 10),
        conversion("all conversions in both", 25, 25, 5, 5),
        conversion("all against none", 12, 12, 0, 4),
        conversion("zero treated, some held out", 0, 30, 3, 10),
        conversion("no difference", 20, 100, 2, 10),
    ]
    for i in range(6):
        n1 = rng.choice([50, 200, 1000, 5000])
        n2 = max(2, n1 // rng.choice([5, 10, 20]))
        base = rng.uniform(0.02, 0.3)
        lift = rng.uniform(-0.02, 0.08)
        x1 = sum(rng.random() < base + lift for _ in range(n1))
        x2 = sum(rng.random() < base for _ in range(n2))
        pilots.append(conversion(f"generated conversion {i + 1}", x1, n1, x2, n2))
    pilots.append(number("two values each", [10.0, 14.0], [9.0, 9.5]))
    pilots.append(number("tiny revenue", [0.0, 25.5, 12.25], [0.0, 0.0, 8.0, 3.5]))
    for i in range(5):
        n1 = rng.choice([3, 20, 150, 400])
        n2 = max(2, n1 // rng.choice([2, 5, 10]))
        mu, sd = rng.uniform(20, 80), rng.uniform(5, 40)
        lift = rng.uniform(-3, 10)
        a = [round(max(0.0, rng.gauss(mu + lift, sd)), 2) for _ in range(n1)]
        b = [round(max(0.0, rng.gauss(mu, sd * rng.uniform(0.5, 2))), 2) for _ in range(n2)]
        pilots.append(number(f"generated revenue {i + 1}", a, b))
    print(
        json.dumps(
            {
                "made_by": "tests/data/measure/make_reference.py",
                "scipy": scipy.__version__,
                "statsmodels": statsmodels.__version__,
                "pilots": pilots,
            },
            indent=1,
        )
    )


main()
