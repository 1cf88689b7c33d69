//! Reading the two files `measure` joins: the decisions `eval` wrote and the outcomes export.
//!
//! This is the one file of `measure` that calls into the crate's internals: the data readers
//! (`data::csv_in::read_header`, `data::split::Records`, `data::cells::number`,
//! `data::values::parse_bool_bytes`), the checked model (`check::Model`'s rules and policy
//! holdouts) and the holdout bucket (`eval::run::held_out`). Re-point those here when they move.

use crate::data::csv_in::{read_header, ChunkError};
use crate::data::split::{Next, Records};
use crate::row::parse::{number, Numbers};
use crate::row::words::parse_bool_bytes;
use std::collections::HashMap;
use std::fmt;

/// A problem with one of the files, at a line when there is one.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureError {
    pub file: String,
    pub line: Option<u64>,
    pub message: String,
}

impl MeasureError {
    pub(crate) fn new(file: &str, line: Option<u64>, message: impl Into<String>) -> MeasureError {
        MeasureError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for MeasureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for MeasureError {}

/// One action of a decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Given {
    pub rule: String,
    pub action: String,
    pub holdout: bool,
}

/// One customer's decision: the actions `eval` listed (none for a customer who got none).
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub id: String,
    pub line: u64,
    pub actions: Vec<Given>,
}

/// The outcomes export: per customer, the value of each `--metric` column (`None`: empty).
#[derive(Clone, Debug, PartialEq)]
pub struct Outcomes {
    /// Per metric: `true` when every value is a yes/no word (a conversion), else a number.
    pub conversion: Vec<bool>,
    pub values: HashMap<String, Vec<Option<f64>>>,
}

/// The holdouts of the playbook the decisions were made with: who is in which control group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// The policy holdout: salt and basis points (P × 100).
    pub policy: Option<(String, u32)>,
    /// Every rule's name, with its own holdout if it has one.
    pub rules: HashMap<String, Option<(String, u32)>>,
}

impl Plan {
    pub fn of(model: &crate::check::Model) -> Plan {
        let holdout = |h: &crate::check::model::HoldoutDef| (h.salt.clone(), h.basis_points);
        Plan {
            policy: model.policy.holdout.as_ref().map(holdout),
            rules: model
                .rules
                .iter()
                .map(|r| (r.name.clone(), r.holdout.as_ref().map(holdout)))
                .collect(),
        }
    }

    /// The customer is in the policy's control group.
    pub fn policy_held(&self, id: &str) -> bool {
        self.policy
            .as_ref()
            .is_some_and(|(salt, bp)| crate::eval::run::held_out(salt, id, *bp))
    }

    /// The rule has a holdout of its own.
    pub fn has_holdout(&self, rule: &str) -> bool {
        self.rules.get(rule).is_some_and(Option::is_some)
    }

    /// Checks that the decisions were made with this playbook: their rules are its rules, and
    /// the policy's control group got nothing.
    pub fn check(&self, name: &str, decisions: &[Decision]) -> Result<(), MeasureError> {
        for d in decisions {
            for a in &d.actions {
                let wrong = if !self.rules.contains_key(&a.rule) {
                    format!("the rule `{}` is not in the playbook", a.rule)
                } else if !a.holdout && self.policy_held(&d.id) {
                    format!(
                        "customer `{}` is in the policy's control group, yet `{}` was sent",
                        d.id, a.action
                    )
                } else {
                    continue;
                };
                return Err(MeasureError::new(
                    name,
                    Some(d.line),
                    format!("{wrong}: were these decisions made with this playbook?"),
                ));
            }
        }
        Ok(())
    }
}

/// Reads decisions as `eval` writes them: NDJSON, a JSON array, or CSV (one row per action,
/// so customers without actions are not in a CSV).
pub fn decisions(name: &str, bytes: &[u8]) -> Result<Vec<Decision>, MeasureError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| MeasureError::new(name, None, format!("not UTF-8 text: {e}")))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let decisions = match text.trim_start().as_bytes().first() {
        Some(b'{') => ndjson_decisions(name, text)?,
        Some(b'[') => json_decisions(name, text)?,
        Some(_) => csv_decisions(name, text.as_bytes())?,
        None => Vec::new(),
    };
    let mut seen: HashMap<&str, u64> = HashMap::with_capacity(decisions.len());
    for d in &decisions {
        if let Some(first) = seen.insert(&d.id, d.line) {
            return Err(MeasureError::new(
                name,
                Some(d.line),
                format!(
                    "customer `{}` has a second decision (the first is on line {first}): \
                     each customer must be decided once to be counted once",
                    d.id
                ),
            ));
        }
    }
    Ok(decisions)
}

#[derive(serde::Deserialize)]
struct JsonDecision {
    customer: serde_json::Value,
    #[serde(default)]
    actions: Vec<JsonAction>,
}

#[derive(serde::Deserialize)]
struct JsonAction {
    action: String,
    rule: String,
    holdout: bool,
}

/// One decision from its JSON text (a line of NDJSON).
pub fn from_json(name: &str, line: u64, text: &str) -> Result<Decision, MeasureError> {
    let d: JsonDecision = serde_json::from_str(text).map_err(|e| {
        MeasureError::new(
            name,
            Some(line),
            format!("not a decision as `playbook eval` writes it: {e}"),
        )
    })?;
    let id = match d.customer {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        other => {
            return Err(MeasureError::new(
                name,
                Some(line),
                format!("the customer id is {other}, not a text or a number"),
            ))
        }
    };
    let actions = d
        .actions
        .into_iter()
        .map(|a| Given {
            rule: a.rule,
            action: a.action,
            holdout: a.holdout,
        })
        .collect();
    Ok(Decision { id, line, actions })
}

fn ndjson_decisions(name: &str, text: &str) -> Result<Vec<Decision>, MeasureError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| from_json(name, i as u64 + 1, l))
        .collect()
}

fn json_decisions(name: &str, text: &str) -> Result<Vec<Decision>, MeasureError> {
    let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(text).map_err(|e| {
        MeasureError::new(
            name,
            Some(e.line() as u64),
            format!("not a JSON array of decisions: {e}"),
        )
    })?;
    items
        .iter()
        .map(|raw| {
            // The item's line: where its text starts in the file.
            let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
            let line = 1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..offset]).count() as u64;
            from_json(name, line, raw.get())
        })
        .collect()
}

/// A CSV with a header, read whole: the header's cells and each record's line and cells.
struct Table {
    columns: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
    delimiter: u8,
}

fn csv_table(name: &str, bytes: &[u8]) -> Result<Table, MeasureError> {
    let mut reader = bytes;
    let header = read_header(&mut reader, None).map_err(|e| {
        let why = match e {
            ChunkError::Io(e) => e.to_string(),
            ChunkError::TooLong { .. } => "the header is too long".to_string(),
            ChunkError::LoneCarriageReturns => {
                "lines end in a carriage return alone (an old Mac file): save it with \
                 ordinary line ends"
                    .to_string()
            }
            ChunkError::UnclosedQuote => "the header opens a quote that is never closed".into(),
            ChunkError::Json(_) => "not CSV".to_string(),
        };
        MeasureError::new(name, Some(1), format!("cannot read the header: {why}"))
    })?;
    if header.utf16 {
        return Err(MeasureError::new(
            name,
            None,
            "the file is UTF-16: save it as UTF-8",
        ));
    }
    let mut rest = header.rest;
    rest.extend_from_slice(reader);
    let mut records = Records::new(&rest, header.next_line, header.delimiter);
    let mut rows = Vec::new();
    loop {
        // The fields borrow the reader until the next record.
        let mut fields = Vec::new();
        match records.next(&mut fields) {
            Next::End => break,
            Next::Record(place) => {
                let cells = fields
                    .iter()
                    .map(|f| {
                        std::str::from_utf8(f)
                            .map(|s| s.trim().to_string())
                            .map_err(|_| {
                                MeasureError::new(
                                    name,
                                    Some(place.line),
                                    "a cell is not UTF-8 text",
                                )
                            })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                rows.push((place.line, cells));
            }
            Next::Broken(place, why) => return Err(MeasureError::new(name, Some(place.line), why)),
            Next::Runaway(place, _) => {
                return Err(MeasureError::new(
                    name,
                    Some(place.line),
                    "a quote is opened here and not closed",
                ))
            }
        }
    }
    Ok(Table {
        columns: header
            .columns
            .iter()
            .map(|c| c.trim().to_string())
            .collect(),
        rows,
        delimiter: header.delimiter,
    })
}

fn column(name: &str, table: &Table, wanted: &str) -> Result<usize, MeasureError> {
    table
        .columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            MeasureError::new(
                name,
                Some(1),
                format!(
                    "there is no column `{wanted}` (the columns are: {})",
                    table.columns.join(", ")
                ),
            )
        })
}

fn cell<'t>(
    name: &str,
    line: u64,
    cells: &'t [String],
    at: usize,
) -> Result<&'t str, MeasureError> {
    cells
        .get(at)
        .map(String::as_str)
        .ok_or_else(|| MeasureError::new(name, Some(line), "this row has too few cells"))
}

fn csv_decisions(name: &str, bytes: &[u8]) -> Result<Vec<Decision>, MeasureError> {
    let table = csv_table(name, bytes)?;
    let [id, rule, action, holdout] =
        ["customer", "rule", "action", "holdout"].map(|c| column(name, &table, c));
    let (id, rule, action, holdout) = (id?, rule?, action?, holdout?);
    let mut out: Vec<Decision> = Vec::new();
    for (line, cells) in &table.rows {
        let customer = cell(name, *line, cells, id)?;
        let flag = cell(name, *line, cells, holdout)?;
        let given = Given {
            rule: cell(name, *line, cells, rule)?.to_string(),
            action: cell(name, *line, cells, action)?.to_string(),
            holdout: parse_bool_bytes(flag.as_bytes()).ok_or_else(|| {
                MeasureError::new(
                    name,
                    Some(*line),
                    format!("holdout is `{flag}`, not true or false"),
                )
            })?,
        };
        // A customer's actions are consecutive rows; the same id later is a second decision.
        match out.last_mut() {
            Some(last) if last.id == customer => last.actions.push(given),
            _ => out.push(Decision {
                id: customer.to_string(),
                line: *line,
                actions: vec![given],
            }),
        }
    }
    Ok(out)
}

/// Reads the outcomes export: the id column and each metric column.
pub fn outcomes(
    name: &str,
    bytes: &[u8],
    id_column: Option<&str>,
    metrics: &[String],
    decimal_comma: bool,
) -> Result<Outcomes, MeasureError> {
    let table = csv_table(name, bytes)?;
    let id = match id_column {
        Some(c) => column(name, &table, c)?,
        None => ["id", "customer_id", "customer", "klant_id", "klantnummer"]
            .iter()
            .find_map(|c| column(name, &table, c).ok())
            .ok_or_else(|| {
                MeasureError::new(
                    name,
                    Some(1),
                    format!(
                        "no customer id column (id, customer_id, customer, klant_id or \
                         klantnummer): name it with --id (the columns are: {})",
                        table.columns.join(", ")
                    ),
                )
            })?,
    };
    let at: Vec<usize> = metrics
        .iter()
        .map(|m| column(name, &table, m))
        .collect::<Result<_, _>>()?;
    let numbers = Numbers::new(decimal_comma, table.delimiter);
    // A metric is a conversion when every value is a yes/no word, else every value a number.
    let conversion: Vec<bool> = at
        .iter()
        .map(|&c| {
            table.rows.iter().all(|(_, cells)| {
                cells
                    .get(c)
                    .is_none_or(|v| v.is_empty() || parse_bool_bytes(v.as_bytes()).is_some())
            })
        })
        .collect();
    let mut values: HashMap<String, Vec<Option<f64>>> = HashMap::with_capacity(table.rows.len());
    let mut lines: HashMap<String, u64> = HashMap::with_capacity(table.rows.len());
    for (line, cells) in &table.rows {
        let customer = cell(name, *line, cells, id)?;
        if customer.is_empty() {
            return Err(MeasureError::new(
                name,
                Some(*line),
                "the customer id is empty",
            ));
        }
        if let Some(first) = lines.insert(customer.to_string(), *line) {
            return Err(MeasureError::new(
                name,
                Some(*line),
                format!("customer `{customer}` is here a second time (first on line {first})"),
            ));
        }
        let mut row = Vec::with_capacity(at.len());
        for (m, &c) in at.iter().enumerate() {
            let raw = cell(name, *line, cells, c)?;
            row.push(metric_value(raw, conversion[m], numbers).ok_or_else(|| {
                MeasureError::new(
                    name,
                    Some(*line),
                    format!(
                        "column `{}`: `{raw}` is not a number (a metric is a number, or \
                         yes/no in every row)",
                        metrics[m]
                    ),
                )
            })?);
        }
        values.insert(customer.to_string(), row);
    }
    Ok(Outcomes { conversion, values })
}

/// A cell's value: `Some(None)` for an empty cell, `None` for one that is not a value.
fn metric_value(raw: &str, conversion: bool, numbers: Numbers) -> Option<Option<f64>> {
    if raw.is_empty() {
        return Some(None);
    }
    if conversion {
        return parse_bool_bytes(raw.as_bytes()).map(|b| Some(f64::from(u8::from(b))));
    }
    number(raw.as_bytes(), numbers)
        .filter(|v| v.is_finite())
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_formats_read_alike() {
        let nd = "{\"customer\":\"A\",\"stages\":{},\"segments\":[],\"actions\":[{\"action\":\"x\",\"rule\":\"r\",\"argument\":null,\"channel\":null,\"holdout\":true}],\"suppressed\":false}\n{\"customer\":\"B\",\"stages\":{},\"segments\":[],\"actions\":[],\"suppressed\":false}\n";
        let json = format!("[\n{}]\n", nd.trim_end().replace('\n', ",\n"));
        let csv = "customer,j,rule,action,argument,channel,holdout\nA,,r,x,,,true\n";
        let a = decisions("d.ndjson", nd.as_bytes()).expect("ndjson");
        let b = decisions("d.json", json.as_bytes()).expect("json");
        let c = decisions("d.csv", csv.as_bytes()).expect("csv");
        let ids = |d: &[Decision]| {
            d.iter()
                .map(|d| (d.id.clone(), d.actions.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a[0].actions, c[0].actions);
        // Lines: NDJSON's 1 and 2; the array's items start on lines 2 and 3.
        assert_eq!((a[1].line, b[0].line, b[1].line), (2, 2, 3));
    }

    #[test]
    fn a_second_decision_is_an_error_at_its_line() {
        let csv = "customer,rule,action,holdout\nA,r,x,false\nB,r,x,false\nA,r,y,true\n";
        let e = decisions("d.csv", csv.as_bytes()).expect_err("duplicate");
        assert_eq!(e.line, Some(4));
        assert!(e.to_string().starts_with("d.csv:4: customer `A`"), "{e}");
    }

    #[test]
    fn outcomes_know_conversions_from_numbers() {
        let csv = "id;gekocht;omzet\nA;ja;12,50\nB;nee;\nC;;0\n";
        let o = outcomes(
            "o.csv",
            csv.as_bytes(),
            None,
            &["gekocht".into(), "omzet".into()],
            true,
        )
        .expect("outcomes");
        assert_eq!(o.conversion, vec![true, false]);
        assert_eq!(o.values["A"], vec![Some(1.0), Some(12.5)]);
        assert_eq!(o.values["B"], vec![Some(0.0), None]);
        assert_eq!(o.values["C"], vec![None, Some(0.0)]);
    }

    #[test]
    fn a_bad_cell_is_an_error_at_its_line() {
        let csv = "id,omzet\nA,12\nB,twaalf\n";
        let e = outcomes("o.csv", csv.as_bytes(), None, &["omzet".into()], false)
            .expect_err("bad cell");
        assert_eq!(e.line, Some(3));
        let csv = "id,omzet\nA,12\nA,13\n";
        let e = outcomes("o.csv", csv.as_bytes(), None, &["omzet".into()], false)
            .expect_err("duplicate");
        assert_eq!(
            e.to_string(),
            "o.csv:3: customer `A` is here a second time (first on line 2)"
        );
    }
}
