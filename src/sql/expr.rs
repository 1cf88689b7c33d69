//! Conditions and values of a compiled program → SQL expressions.
//!
//! A condition becomes a SQL boolean where NULL is "unknown", so SQL's
//! three-valued AND / OR / NOT are the language's. Dates stay DATEs, numbers
//! are DOUBLEs, `one of` words are their index (an INTEGER), stages their index.

use super::dialect::{Dialect, Ty};
use crate::ast::{ArithOp, CompareOp, TextOp};
use crate::dates::{civil_from_days, is_leap};
use crate::eval::program::*;

/// What an expression needs from its surroundings.
pub struct Env<'a> {
    pub as_of: i32,
    pub d: &'a dyn Dialect,
}

/// The typed column of a slot.
pub fn slot_col(slot: u16) -> String {
    format!("s{slot}")
}
pub fn stage_col(journey: u16) -> String {
    format!("j{journey}")
}
pub fn segment_col(segment: u16) -> String {
    format!("g{segment}")
}

fn op_sql(op: CompareOp) -> &'static str {
    match op {
        CompareOp::Eq => "=",
        CompareOp::Ne => "<>",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
    }
}

/// Days from `as_of` back to a date expression, as a double.
fn ago(env: &Env, date: &str) -> String {
    env.d.cast(
        &env.d.days_between(&env.d.date(env.as_of), date),
        Ty::Double,
    )
}

/// Days from `as_of` ahead to a date expression, as a double.
fn ahead(env: &Env, date: &str) -> String {
    env.d.cast(
        &env.d.days_between(date, &env.d.date(env.as_of)),
        Ty::Double,
    )
}

/// Wraps `test` so it is unknown when `value` is missing.
fn known(env: &Env, value: &str, test: &str) -> String {
    format!(
        "CASE WHEN {value} IS NULL THEN {} ELSE ({test}) END",
        env.d.null(Ty::Bool)
    )
}

/// A condition as a SQL boolean (NULL: unknown).
pub fn cond(c: &C, env: &Env) -> String {
    match &c.kind {
        CKind::Const(Tri::True) => "TRUE".into(),
        CKind::Const(Tri::False) => "FALSE".into(),
        CKind::Const(Tri::Unknown) => env.d.null(Ty::Bool),
        CKind::NumberField { slot, op, value } => {
            format!(
                "({} {} {})",
                slot_col(*slot),
                op_sql(*op),
                env.d.number(*value)
            )
        }
        CKind::DateField { slot, op, value } => {
            format!(
                "({} {} {})",
                slot_col(*slot),
                op_sql(*op),
                env.d.date(*value)
            )
        }
        CKind::WordField {
            slot,
            word,
            negated,
        } => format!(
            "({} {} {word})",
            slot_col(*slot),
            if *negated { "<>" } else { "=" }
        ),
        CKind::AgoField {
            slot,
            low,
            high,
            low_open,
        } => {
            // `> low` on whole days is `>= floor(low) + 1`.
            let low = if *low_open { low.floor() + 1.0 } else { *low };
            let (a, b) = ago_bounds(env.as_of, low, *high);
            date_within(&slot_col(*slot), a, b, env)
        }
        CKind::BoolField(slot) => slot_col(*slot),
        CKind::And(items) => join(items, " AND ", "TRUE", env),
        CKind::Or(items) => join(items, " OR ", "FALSE", env),
        CKind::Not(inner) => format!("(NOT {})", cond(inner, env)),
        CKind::InStage { journey, stage } => {
            env.d.is_true(&format!("{} = {stage}", stage_col(*journey)))
        }
        CKind::Reached { journey, stage } => env
            .d
            .is_true(&format!("{} >= {stage}", stage_col(*journey))),
        CKind::InSegment(s) => segment_col(*s),
        CKind::IsTrue(v) => value(v, env),
        CKind::Compare {
            op,
            left,
            right,
            kind,
        } => compare(*op, *kind, left, right, env),
        CKind::InList {
            value: v,
            items,
            kind,
            negated,
        } => in_list(v, items, *kind, *negated, env),
        CKind::Has { list, item } => has(list, item, env),
        CKind::Text {
            op,
            value: v,
            pattern,
            ..
        } => text_test(*op, v, pattern, env),
        CKind::WordIn { value: v, set } => word_in(v, set, env),
        CKind::Missing { value: v, negated } => format!(
            "({} IS {}NULL)",
            value(v, env),
            if *negated { "NOT " } else { "" }
        ),
        // Day counts from `as_of` become bounds on the date itself: one
        // comparison per row instead of a subtraction and a cast.
        CKind::DaysAgo { date, low, high } => {
            let (a, b) = ago_bounds(env.as_of, *low, *high);
            date_within(&value(date, env), a, b, env)
        }
        CKind::DaysAhead { date, days } => {
            let (a, b) = ahead_bounds(env.as_of, *days);
            date_within(&value(date, env), a, b, env)
        }
        CKind::MoreThanAgo { date, days } => {
            // `> days` on whole days is `>= floor(days) + 1` (NaN stays NaN).
            let (a, b) = ago_bounds(env.as_of, days.floor() + 1.0, f64::INFINITY);
            date_within(&value(date, env), a, b, env)
        }
        CKind::Anniversary { date, days } => anniversary_within(&value(date, env), *days, env),
    }
}

/// `value in [items]` (negated: `not in`), unknown when the value is missing.
fn in_list(v: &V, items: &[V], kind: CmpKind, negated: bool, env: &Env) -> String {
    let x = value(v, env);
    let any = if items.is_empty() {
        "FALSE".to_string()
    } else {
        let parts: Vec<String> = items
            .iter()
            .map(|i| compare(CompareOp::Eq, kind, v, i, env))
            .collect();
        format!("({})", parts.join(" OR "))
    };
    let test = if negated { format!("NOT {any}") } else { any };
    known(env, &x, &test)
}

/// `list has item`, unknown when the list is missing.
fn has(list: &V, item: &str, env: &Env) -> String {
    let l = value(list, env);
    if item.is_empty() {
        // Empty items are dropped from lists, so nothing has "".
        return known(env, &l, "FALSE");
    }
    known(env, &l, &env.d.list_has(&l, &env.d.text(item)))
}

/// `starts with` / `ends with` / `contains` on the text as written, lower-cased.
fn text_test(op: TextOp, v: &V, pattern: &str, env: &Env) -> String {
    let t = text_written(v, env);
    let lower = env.d.lower(&t);
    let p = env.d.text(pattern);
    let test = match op {
        TextOp::StartsWith => env.d.starts_with(&lower, &p),
        TextOp::EndsWith => env.d.ends_with(&lower, &p),
        TextOp::Contains => env.d.contains(&lower, &p),
    };
    known(env, &t, &test)
}

/// A `one of` value among the words of `set` (by index).
fn word_in(v: &V, set: &[bool], env: &Env) -> String {
    let x = value(v, env);
    let words: Vec<String> = set
        .iter()
        .enumerate()
        .filter(|(_, b)| **b)
        .map(|(i, _)| i.to_string())
        .collect();
    if words.is_empty() {
        known(env, &x, "FALSE")
    } else {
        format!("({x} IN ({}))", words.join(", "))
    }
}

/// A bound on a date's day number: none, a day, or one no date can meet.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Bound {
    Open,
    Day(i64),
    Never,
}

/// The days `d` with `low <= as_of - d <= high` (whole days), as the bounds
/// (earliest, latest) on `d`.
fn ago_bounds(as_of: i32, low: f64, high: f64) -> (Bound, Bound) {
    if low.is_nan() || high.is_nan() {
        return (Bound::Never, Bound::Never);
    }
    // as_of - d >= low  <=>  d <= as_of - ceil(low); likewise for high.
    let latest = day_bound(f64::from(as_of) - low.ceil(), f64::INFINITY);
    let earliest = day_bound(f64::from(as_of) - high.floor(), f64::NEG_INFINITY);
    (earliest, latest)
}

/// The days `d` with `0 <= d - as_of <= days`.
fn ahead_bounds(as_of: i32, days: f64) -> (Bound, Bound) {
    if days.is_nan() {
        return (Bound::Never, Bound::Never);
    }
    (
        Bound::Day(i64::from(as_of)),
        day_bound(f64::from(as_of) + days.floor(), f64::INFINITY),
    )
}

/// A whole day number as a bound; infinite toward `open` it is no bound,
/// infinite the other way no date meets it.
fn day_bound(day: f64, open: f64) -> Bound {
    if day == open {
        Bound::Open
    } else if day.is_infinite() {
        Bound::Never
    } else {
        // Saturates far outside any date; clamped to the calendar later.
        Bound::Day(day as i64)
    }
}

/// `earliest <= d AND d <= latest` for a DATE expression `d`, unknown when
/// `d` is missing. Dates run from 0001-01-01 to 9999-12-31: a bound past
/// either end is no bound, or no date at all.
fn date_within(d: &str, earliest: Bound, latest: Bound, env: &Env) -> String {
    let first = i64::from(crate::dates::days_from_civil(1, 1, 1));
    let last = i64::from(crate::dates::days_from_civil(9999, 12, 31));
    let lo = match earliest {
        Bound::Never => return known(env, d, "FALSE"),
        Bound::Open => None,
        Bound::Day(x) if x <= first => None,
        Bound::Day(x) if x > last => return known(env, d, "FALSE"),
        Bound::Day(x) => Some(x),
    };
    let hi = match latest {
        Bound::Never => return known(env, d, "FALSE"),
        Bound::Open => None,
        Bound::Day(x) if x >= last => None,
        Bound::Day(x) if x < first => return known(env, d, "FALSE"),
        Bound::Day(x) => Some(x),
    };
    let date = |x: i64| env.d.date(x as i32);
    match (lo, hi) {
        (Some(a), Some(b)) if a > b => known(env, d, "FALSE"),
        (Some(a), Some(b)) => format!("({d} >= {} AND {d} <= {})", date(a), date(b)),
        (Some(a), None) => format!("({d} >= {})", date(a)),
        (None, Some(b)) => format!("({d} <= {})", date(b)),
        (None, None) => known(env, d, "TRUE"),
    }
}

fn join(items: &[C], sep: &str, empty: &str, env: &Env) -> String {
    if items.is_empty() {
        return empty.to_string();
    }
    let parts: Vec<String> = items.iter().map(|c| cond(c, env)).collect();
    format!("({})", parts.join(sep))
}

/// `anniversary of d within next N days`, as a test of `d`'s month and day
/// (`month * 100 + day`): the anniversaries from `as_of` to `as_of + N` are a
/// fixed set of days of the year, worked out here, so no date is built per row.
fn anniversary_within(d: &str, days: f64, env: &Env) -> String {
    let key = format!("({} * 100 + {})", env.d.month(d), env.d.day(d));
    let ranges = anniversary_ranges(env.as_of, days);
    let test = match ranges.as_slice() {
        [] => "FALSE".to_string(),
        [(101, 1231)] => "TRUE".to_string(),
        _ => {
            let parts: Vec<String> = ranges
                .iter()
                .map(|&(a, b)| {
                    if a == b {
                        format!("{key} = {a}")
                    } else {
                        format!("{key} BETWEEN {a} AND {b}")
                    }
                })
                .collect();
            return format!("({})", parts.join(" OR "));
        }
    };
    known(env, d, &test)
}

/// The month-day keys (`month * 100 + day`) whose next anniversary, seen from
/// `as_of`, is at most `days` away, as runs in calendar order (first, last).
/// 29 February's anniversary is 28 February in other years.
fn anniversary_ranges(as_of: i32, days: f64) -> Vec<(u32, u32)> {
    // Every month and day of a leap year, in calendar order.
    let calendar: Vec<u32> = (1..=12u32)
        .flat_map(|m| (1..=crate::dates::days_in_month(2000, m)).map(move |d| m * 100 + d))
        .collect();
    let mut hit = vec![false; calendar.len()];
    let mut mark = |key: u32| {
        if let Ok(i) = calendar.binary_search(&key) {
            hit[i] = true;
        }
    };
    if days >= 0.0 {
        // A year and a day of anniversaries covers every key.
        let last = days.floor().min(366.0) as i32;
        for t in as_of..=as_of + last {
            let (year, month, day) = civil_from_days(t);
            mark(month * 100 + day);
            if month == 2 && day == 28 && !is_leap(year) {
                mark(229);
            }
        }
    }
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    let mut open: Option<u32> = None;
    for (i, &key) in calendar.iter().enumerate() {
        match (hit[i], open) {
            (true, None) => open = Some(key),
            (false, Some(first)) => {
                ranges.push((first, calendar[i - 1]));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(first) = open {
        ranges.push((first, 1231));
    }
    ranges
}

fn compare(op: CompareOp, kind: CmpKind, left: &V, right: &V, env: &Env) -> String {
    match kind {
        CmpKind::Text => match op {
            CompareOp::Eq | CompareOp::Ne => format!(
                "({} {} {})",
                text_lower(left, env),
                op_sql(op),
                text_lower(right, env)
            ),
            _ => format!(
                "({} {} {})",
                env.d.code_point_order(&text_written(left, env)),
                op_sql(op),
                env.d.code_point_order(&text_written(right, env))
            ),
        },
        CmpKind::Word => {
            let (l, r) = (value(left, env), value(right, env));
            // Words are only equal or not; any other order is "less".
            let test = match op {
                CompareOp::Eq | CompareOp::Ge | CompareOp::Le => {
                    if op == CompareOp::Eq {
                        format!("{l} = {r}")
                    } else if op == CompareOp::Le {
                        "TRUE".to_string()
                    } else {
                        format!("{l} = {r}")
                    }
                }
                CompareOp::Ne | CompareOp::Lt => format!("{l} <> {r}"),
                CompareOp::Gt => "FALSE".to_string(),
            };
            format!(
                "CASE WHEN {l} IS NULL OR {r} IS NULL THEN {} ELSE ({test}) END",
                env.d.null(Ty::Bool)
            )
        }
        _ => format!(
            "({} {} {})",
            value(left, env),
            op_sql(op),
            value(right, env)
        ),
    }
}

/// A text value lower-cased (constants are lower-cased already).
fn text_lower(v: &V, env: &Env) -> String {
    match &v.kind {
        VKind::Text { lower, .. } => env.d.text(lower),
        _ => env.d.lower(&value(v, env)),
    }
}

/// A text value as written.
fn text_written(v: &V, env: &Env) -> String {
    match &v.kind {
        VKind::Text { written, .. } => env.d.text(written),
        _ => value(v, env),
    }
}

pub fn value(v: &V, env: &Env) -> String {
    match &v.kind {
        VKind::Slot(s) => slot_col(*s),
        VKind::Number(n) => env.d.number(*n),
        VKind::Text { written, .. } => env.d.text(written),
        VKind::Bool(true) => "TRUE".into(),
        VKind::Bool(false) => "FALSE".into(),
        VKind::Date(d) => env.d.date(*d),
        VKind::Word(w) => w.to_string(),
        VKind::Neg(inner) => format!("(-{})", value(inner, env)),
        VKind::Arith { op, left, right } => {
            let (l, r) = (value(left, env), value(right, env));
            match op {
                ArithOp::Add => format!("({l} + {r})"),
                ArithOp::Sub => format!("({l} - {r})"),
                ArithOp::Mul => format!("({l} * {r})"),
                // Division by zero is missing.
                ArithOp::Div => format!("({l} / NULLIF({r}, {}))", env.d.number(0.0)),
            }
        }
        VKind::DaysSince(d) => ago(env, &value(d, env)),
        VKind::DaysUntil(d) => ahead(env, &value(d, env)),
    }
}

#[cfg(test)]
mod tests {
    use super::{ago_bounds, ahead_bounds, anniversary_ranges, date_within, known, Bound, Env};
    use crate::dates::{days_from_civil, days_to_anniversary, parse_iso};
    use crate::sql::dialect::DuckDb;

    /// The ranges agree with `eval`'s day count for every day of a leap and a
    /// common year, seen from around year ends and the end of February.
    #[test]
    fn anniversary_ranges_agree_with_the_day_count() {
        let dates: Vec<i32> =
            (days_from_civil(1999, 12, 30)..days_from_civil(2001, 1, 2)).collect();
        for as_of in [
            "2026-11-23",
            "2026-12-31",
            "2027-02-27",
            "2027-02-28",
            "2027-03-01",
            "2028-02-28",
            "2028-02-29",
            "2028-03-01",
            "2027-12-25",
            "2028-01-01",
        ] {
            let today = parse_iso(as_of).expect("date");
            for days in [
                -1.0,
                0.0,
                0.5,
                1.0,
                7.0,
                30.0,
                364.0,
                365.0,
                366.0,
                1000.0,
                f64::NAN,
            ] {
                let ranges = anniversary_ranges(today, days);
                for &d in &dates {
                    let (_, m, dd) = crate::dates::civil_from_days(d);
                    let key = m * 100 + dd;
                    let inside = ranges.iter().any(|&(a, b)| a <= key && key <= b);
                    let want = f64::from(days_to_anniversary(d, today)) <= days;
                    assert_eq!(inside, want, "{as_of} +{days}: {key}");
                }
            }
        }
    }

    /// Each bound agrees with the day count it replaces, for dates around
    /// `as_of`, fractional and infinite counts and the ends of the calendar.
    #[test]
    fn day_bounds_agree_with_day_counts() {
        let as_of = crate::dates::parse_iso("2026-11-23").expect("date");
        let first = crate::dates::days_from_civil(1, 1, 1);
        let last = crate::dates::days_from_civil(9999, 12, 31);
        let mut dates: Vec<i32> = (as_of - 400..as_of + 400).collect();
        dates.extend([first, first + 1, last - 1, last]);
        let counts = [
            f64::NEG_INFINITY,
            -3.5,
            -1.0,
            0.0,
            0.5,
            1.0,
            7.0,
            90.0,
            180.2,
            1e9,
            f64::INFINITY,
            f64::NAN,
        ];
        let holds = |(lo, hi): (Bound, Bound), d: i32| {
            let lo_ok = match lo {
                Bound::Open => true,
                Bound::Never => false,
                Bound::Day(x) => i64::from(d) >= x,
            };
            let hi_ok = match hi {
                Bound::Open => true,
                Bound::Never => false,
                Bound::Day(x) => i64::from(d) <= x,
            };
            lo_ok && hi_ok
        };
        for &low in &counts {
            for &high in &counts {
                for &d in &dates {
                    let a = f64::from(as_of - d);
                    assert_eq!(
                        holds(ago_bounds(as_of, low, high), d),
                        a >= low && a <= high,
                        "{low}..{high} days ago, day {d}"
                    );
                }
            }
            for &d in &dates {
                let a = f64::from(d - as_of);
                assert_eq!(
                    holds(ahead_bounds(as_of, low), d),
                    a >= 0.0 && a <= low,
                    "within next {low} days, day {d}"
                );
            }
        }
        // The SQL of a bound past the calendar's end is no bound.
        let env = Env { as_of, d: &DuckDb };
        assert_eq!(
            date_within("s", Bound::Day(i64::MIN), Bound::Open, &env),
            known(&env, "s", "TRUE")
        );
    }
}
