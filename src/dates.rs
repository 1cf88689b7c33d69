//! Calendar dates as day numbers (days since 1970-01-01), and the `format "…"` patterns.
//!
//! Day numbers make `within`, `more than … ago` and `days_since` plain integer
//! arithmetic per row.

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub const fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The (year, month, day) of a day number.
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// The day number of 1 January of each year 0..=10000, worked out when compiling:
/// reading a date is then two table lookups and an addition.
static NEW_YEARS: [i32; 10001] = {
    let mut table = [0i32; 10001];
    let mut y = 0;
    while y <= 10000 {
        table[y] = days_from_civil(y as i32, 1, 1);
        y += 1;
    }
    table
};

/// Days before the first of each month, in a common and in a leap year.
const BEFORE_MONTH: [[u16; 13]; 2] = [
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
    [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

/// The day number of a valid date, or `None` for `2026-02-30`.
#[inline]
pub fn checked_days(year: i32, month: u32, day: u32) -> Option<i32> {
    if !(1..=9999).contains(&year) || !(1..=12).contains(&month) || day == 0 {
        return None;
    }
    let y = year as usize;
    let start = NEW_YEARS[y];
    let leap = usize::from(NEW_YEARS[y + 1] - start == 366);
    let m = month as usize;
    let before = BEFORE_MONTH[leap][m - 1];
    if day > u32::from(BEFORE_MONTH[leap][m] - before) {
        return None;
    }
    Some(start + i32::from(before) + day as i32 - 1)
}

/// Days from `today` to the next yearly recurrence of `date`'s month and day
/// (0 when it is today). 29 February falls on 28 February in other years.
pub fn days_to_anniversary(date: i32, today: i32) -> i32 {
    let (_, month, day) = civil_from_days(date);
    let (year, _, _) = civil_from_days(today);
    days_to_month_day(month, day, year, today)
}

/// Days from `today` (in `year`) to the next `month`-`day`.
fn days_to_month_day(month: u32, day: u32, year: i32, today: i32) -> i32 {
    let on = |y: i32| {
        let d = if month == 2 && day == 29 && !is_leap(y) {
            28
        } else {
            day
        };
        days_from_civil(y, month, d)
    };
    let this_year = on(year);
    if this_year >= today {
        this_year - today
    } else {
        on(year + 1) - today
    }
}

/// [`days_to_anniversary`] for one `today`, by month and day: one table
/// lookup per date instead of four calendar conversions.
#[derive(Clone, Debug)]
pub struct Anniversaries {
    today: i32,
    by_month_day: Vec<i32>,
}

impl Anniversaries {
    pub fn new(today: i32) -> Self {
        let mut by_month_day = vec![0; 13 * 32];
        let (year, _, _) = civil_from_days(today);
        for month in 1..=12 {
            // Leap-year lengths, so 29 February has its entry.
            for day in 1..=days_in_month(2000, month) {
                by_month_day[(month * 32 + day) as usize] =
                    days_to_month_day(month, day, year, today);
            }
        }
        Anniversaries {
            today,
            by_month_day,
        }
    }

    pub fn today(&self) -> i32 {
        self.today
    }

    /// Days from today to the next recurrence of `date`'s month and day.
    pub fn days_to(&self, date: i32) -> i32 {
        let (_, month, day) = civil_from_days(date);
        self.by_month_day[(month * 32 + day) as usize]
    }
}

/// Formats a day number as ISO `YYYY-MM-DD`.
pub fn iso(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses ISO `YYYY-MM-DD` strictly: exactly that shape, and a real date.
pub fn parse_iso(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + u32::from(c - b'0');
        }
        Some(n)
    };
    checked_days(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

/// A compiled `format "…"` pattern: `%d`, `%m`, `%Y`, `%y`, `%e`, `%b`, `%%` and literal text.
#[derive(Clone, Debug, PartialEq)]
pub struct DateFormat {
    items: Vec<FormatItem>,
    pattern: String,
}

#[derive(Clone, Debug, PartialEq)]
enum FormatItem {
    Day,
    Month,
    MonthName,
    Year4,
    Year2,
    Literal(char),
    /// Anything from here on (e.g. a time after the date) is ignored.
    Rest,
}

/// The parts of a [`DateFormat`] as regular expressions; each `year`,
/// `month`, `day` is the pattern from the start up to and including that part,
/// with only that part captured. None is anchored.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DateShape {
    pub whole: String,
    pub year: String,
    pub month: String,
    /// Set instead of `month` for `%b` (three letters: see [`MONTH_NAMES`]).
    pub month_name: Option<String>,
    pub day: String,
    /// `%y`: 69–99 are 19xx, 00–68 are 20xx.
    pub two_digit_year: bool,
}

/// The three-letter month names `%b` reads (lower case), English and Dutch.
pub const MONTH_NAMES: [(&str, u32); 15] = [
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    ("mrt", 3),
    ("mei", 5),
    ("okt", 10),
];

impl DateFormat {
    /// Compiles a pattern; the error names the part that is not understood.
    pub fn parse(pattern: &str) -> Result<DateFormat, String> {
        let mut items = Vec::new();
        let mut chars = pattern.chars();
        let (mut day, mut month, mut year) = (false, false, false);
        while let Some(c) = chars.next() {
            if c != '%' {
                items.push(FormatItem::Literal(c));
                continue;
            }
            let item = match chars.next() {
                Some('d') | Some('e') => {
                    day = true;
                    FormatItem::Day
                }
                Some('m') => {
                    month = true;
                    FormatItem::Month
                }
                Some('b') => {
                    month = true;
                    FormatItem::MonthName
                }
                Some('Y') => {
                    year = true;
                    FormatItem::Year4
                }
                Some('y') => {
                    year = true;
                    FormatItem::Year2
                }
                Some('%') => FormatItem::Literal('%'),
                Some('*') => FormatItem::Rest,
                Some(other) => return Err(format!("`%{other}` is not a known date part")),
                None => return Err("the pattern ends with a lone `%`".to_string()),
            };
            items.push(item);
        }
        if !(day && month && year) {
            return Err(
                "a date pattern needs a day (`%d`), a month (`%m`) and a year (`%Y`)".to_string(),
            );
        }
        Ok(DateFormat {
            items,
            pattern: pattern.to_string(),
        })
    }

    /// The pattern as written.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The pattern as a regular expression (PostgreSQL ARE / Java syntax;
    /// punctuation escaped with a backslash), for engines that check dates in SQL. One or two digits
    /// for a day or month are taken greedily, as [`DateFormat::parse_date`]
    /// does: one digit only when no digit follows.
    pub fn regex(&self) -> DateShape {
        let mut shape = DateShape::default();
        let mut prefix = String::new();
        let mut rest = false;
        for item in &self.items {
            let part = match item {
                FormatItem::Day | FormatItem::Month => "[0-9]{2}|[0-9](?![0-9])".to_string(),
                FormatItem::Year4 => "[0-9]{4}".to_string(),
                FormatItem::Year2 => "[0-9]{2}".to_string(),
                FormatItem::MonthName => "[A-Za-z]{3}".to_string(),
                FormatItem::Literal(c) if c.is_ascii_punctuation() || *c == ' ' => {
                    format!("\\{c}")
                }
                FormatItem::Literal(c) => c.to_string(),
                FormatItem::Rest => {
                    rest = true;
                    ".*".to_string()
                }
            };
            let captured = format!("{prefix}({part})");
            match item {
                FormatItem::Day => shape.day = captured,
                FormatItem::Month => shape.month = captured,
                FormatItem::MonthName => shape.month_name = Some(captured),
                FormatItem::Year4 => shape.year = captured,
                FormatItem::Year2 => {
                    shape.year = captured;
                    shape.two_digit_year = true;
                }
                _ => {}
            }
            prefix.push_str(&format!("(?:{part})"));
        }
        // A time of day may follow the date: `31-10-2011 10:42`.
        shape.whole = if rest {
            prefix
        } else {
            format!("{prefix}(?:[ T][0-9:.]*)?")
        };
        shape
    }

    /// Parses a cell; `None` when it does not match or is not a real date.
    /// A time after the date (`31-10-2011 10:42`) is ignored.
    pub fn parse_date(&self, text: &str) -> Option<i32> {
        let b = text.as_bytes();
        let mut i = 0;
        let (mut y, mut m, mut d) = (0i32, 0u32, 0u32);
        let digits = |i: &mut usize, max: usize| -> Option<u32> {
            let start = *i;
            let mut n = 0u32;
            while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
                n = n * 10 + u32::from(b[*i] - b'0');
                *i += 1;
            }
            (*i > start).then_some(n)
        };
        for item in &self.items {
            match item {
                FormatItem::Day => d = digits(&mut i, 2)?,
                FormatItem::Month => m = digits(&mut i, 2)?,
                FormatItem::Year4 => {
                    let start = i;
                    y = digits(&mut i, 4)? as i32;
                    if i - start != 4 {
                        return None;
                    }
                }
                FormatItem::Year2 => {
                    let start = i;
                    let yy = digits(&mut i, 2)? as i32;
                    if i - start != 2 {
                        return None;
                    }
                    // Two-digit years: 69–99 are 19xx, 00–68 are 20xx (as strptime).
                    y = if yy >= 69 { 1900 + yy } else { 2000 + yy };
                }
                FormatItem::MonthName => {
                    let word = text.get(i..i + 3)?.to_lowercase();
                    m = MONTH_NAMES
                        .iter()
                        .find(|(n, _)| *n == word)
                        .map(|(_, m)| *m)?;
                    i += 3;
                }
                FormatItem::Literal(c) => {
                    let rest = text.get(i..)?;
                    if !rest.starts_with(*c) {
                        return None;
                    }
                    i += c.len_utf8();
                }
                FormatItem::Rest => i = b.len(),
            }
        }
        if i != b.len() {
            // Allow a time of day after the date: `31-10-2011 10:42`.
            let rest = &text[i..];
            let time = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('T'))?;
            if !time
                .bytes()
                .all(|c| c.is_ascii_digit() || c == b':' || c == b'.')
            {
                return None;
            }
        }
        checked_days(y, m, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_days_agrees_with_the_calendar_everywhere() {
        for year in [-1, 0, 10000, 10001] {
            assert_eq!(checked_days(year, 1, 1), None, "{year}");
        }
        for year in 1..=9999 {
            for month in 0..=13u32 {
                for day in [0, 1, 15, 28, 29, 30, 31, 32] {
                    let valid =
                        (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
                    let want = valid.then(|| days_from_civil(year, month, day));
                    assert_eq!(checked_days(year, month, day), want, "{year}-{month}-{day}");
                }
            }
        }
    }

    #[test]
    fn a_format_as_a_regex_captures_each_part_after_the_ones_before() {
        let f = DateFormat::parse("%d-%b-%Y").expect("valid");
        let shape = f.regex();
        let num = "[0-9]{2}|[0-9](?![0-9])";
        assert_eq!(shape.day, format!("({num})"));
        assert_eq!(
            shape.month_name.as_deref(),
            Some(format!("(?:{num})(?:\\-)([A-Za-z]{{3}})").as_str())
        );
        assert_eq!(
            shape.year,
            format!("(?:{num})(?:\\-)(?:[A-Za-z]{{3}})(?:\\-)([0-9]{{4}})")
        );
        assert!(
            shape.whole.ends_with("(?:[ T][0-9:.]*)?"),
            "a time may follow"
        );
        assert!(!shape.two_digit_year);
        assert!(
            DateFormat::parse("%y%m%d")
                .expect("valid")
                .regex()
                .two_digit_year
        );
        assert!(MONTH_NAMES.contains(&("okt", 10)));
    }

    #[test]
    fn the_anniversary_table_agrees_with_the_calendar() {
        // Todays around year ends and 28/29 February, leap and common years.
        for today in [
            "2026-11-23",
            "2027-02-28",
            "2028-02-28",
            "2028-02-29",
            "2028-03-01",
            "2026-12-31",
            "2027-01-01",
        ] {
            let today = parse_iso(today).expect("date");
            let table = Anniversaries::new(today);
            for date in days_from_civil(1999, 1, 1)..days_from_civil(2001, 1, 1) {
                assert_eq!(
                    table.days_to(date),
                    days_to_anniversary(date, today),
                    "{}",
                    iso(date)
                );
            }
        }
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
        for d in [-800_000, -1, 0, 1, 20_000, 2_000_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }

    #[test]
    fn impossible_dates_are_rejected() {
        assert_eq!(parse_iso("2026-02-29"), None);
        assert!(parse_iso("2024-02-29").is_some());
        assert_eq!(parse_iso("2026-13-01"), None);
        assert_eq!(parse_iso("2026-1-01"), None);
    }

    #[test]
    fn anniversaries() {
        let today = parse_iso("2026-11-23").unwrap_or_default();
        let bday = |s| days_to_anniversary(parse_iso(s).unwrap_or_default(), today);
        assert_eq!(bday("1990-11-23"), 0);
        assert_eq!(bday("1990-11-30"), 7);
        assert_eq!(bday("1990-11-22"), 364);
        // 29 February falls on 28 February in 2027.
        let feb = parse_iso("2027-02-20").unwrap_or_default();
        assert_eq!(
            days_to_anniversary(parse_iso("2000-02-29").unwrap_or_default(), feb),
            8
        );
        // Year end: from 2026-12-28 to 2 January is 5 days.
        let dec = parse_iso("2026-12-28").unwrap_or_default();
        assert_eq!(
            days_to_anniversary(parse_iso("1980-01-02").unwrap_or_default(), dec),
            5
        );
    }

    #[test]
    fn formats() {
        let f = DateFormat::parse("%d-%m-%Y").expect("valid");
        assert_eq!(f.parse_date("23-11-2026"), parse_iso("2026-11-23"));
        assert_eq!(f.parse_date("31-02-2026"), None);
        assert_eq!(f.parse_date("31-10-2011 10:42"), parse_iso("2011-10-31"));
        assert_eq!(f.parse_date("2026-11-23"), None);
        let us = DateFormat::parse("%m/%d/%Y").expect("valid");
        assert_eq!(us.parse_date("12/1/2010"), parse_iso("2010-12-01"));
        assert!(DateFormat::parse("%d-%q").is_err());
        assert!(DateFormat::parse("%d-%m").is_err());
    }
}
