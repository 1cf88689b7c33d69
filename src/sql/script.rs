//! Assembling the query: the export read and its cells typed (`pb_raw`,
//! `pb_text`, `pb_base`), the journeys and segments in order (`pb_stepN`),
//! the rules decided (`pb_decide`), then the decisions' output (see `tail`).

use super::cells::{checked_cell, null_of, table_cell, trimmed_col, Cell, Row};
use super::dialect::{CsvFiles, Dialect, Script, Ty};
use super::expr::{cond, segment_col, slot_col, stage_col, Env};
use super::tail::{in_order_tail, sorted_tail, Fired};
use super::{Columns, RunTimeHeader, Source};
use crate::eval::program::{Channel, Holdout, JourneySource, Program, Step};
use crate::row::parse::Numbers;
use crate::row::Slot;

/// The query for a lowered program whose slots are bound to `cols`; for a
/// CSV export, the whole script that reads it and writes the decisions.
pub(super) fn script(
    p: &Program,
    cols: &Columns,
    as_of: i32,
    source: &Source<'_>,
    d: &dyn Dialect,
    run_time: Option<&RunTimeHeader>,
) -> Result<String, String> {
    // The script shape, when reading a CSV export.
    let shape = match source {
        Source::Table { .. } => None,
        Source::Csv { .. } => match d.script_shape() {
            Some(s) => Some(s),
            None => return Err(d.no_script_shape()),
        },
    };
    // An engine that keeps file order streams: rows are not numbered, cells
    // take a fast path (see `checked_cell`), the key is trimmed only for the
    // decisions, and the decisions are unnested per customer (`in_order_tail`).
    let stream = shape.filter(|s| s.keeps_file_order());
    let q = Query {
        p,
        cols,
        source,
        d,
        env: Env { as_of, d },
        run_time,
        shape,
        stream,
        fast: stream.is_some(),
    };
    let (used, read) = q.read_columns();
    let mut sql = q.raw_cte(&read);
    sql.push_str(&q.text_cte(&used));
    sql.push_str(&q.base_cte());
    let chain = q.steps(sql);
    let mut sql = chain.sql;
    sql.push_str(&q.decide_cte(&chain.prev));
    let (query, present) = q.tail(sql);
    q.finish(&query, present.as_deref(), &read, &chain.prelude)
}

/// What the parts of one script share: the program, its columns, where
/// they come from and the engine that runs it.
struct Query<'a> {
    p: &'a Program,
    cols: &'a Columns,
    source: &'a Source<'a>,
    d: &'a dyn Dialect,
    env: Env<'a>,
    run_time: Option<&'a RunTimeHeader>,
    /// The script shape, when reading a CSV export.
    shape: Option<&'a dyn Script>,
    /// The shape, when its engine keeps file order (and streams).
    stream: Option<&'a dyn Script>,
    /// Whether cells take the fast path (`stream` is some).
    fast: bool,
}

/// The query so far after the steps: the text, the name of its last CTE, and
/// what a script runs before it (header checks, stored parts).
struct Chain {
    sql: String,
    prev: String,
    prelude: String,
}

impl Query<'_> {
    /// The header columns the slots read (positions, each once, in order),
    /// and the export's columns the query reads (the key's too) by name.
    fn read_columns(&self) -> (Vec<usize>, Vec<String>) {
        let (header, key_column) = (&self.cols.names, self.cols.binding.key_column);
        let mut used: Vec<usize> = self
            .cols
            .binding
            .columns
            .iter()
            .filter_map(|c| *c)
            .collect();
        used.sort_unstable();
        used.dedup();
        // The export's columns the query reads (the key's too), each once.
        let mut read: Vec<String> = used.iter().map(|&c| header[c].clone()).collect();
        if !used.contains(&key_column) {
            read.push(header[key_column].clone());
        }
        (used, read)
    }

    /// The key column, quoted.
    fn key(&self) -> String {
        self.d.ident(&self.cols.names[self.cols.binding.key_column])
    }

    /// `WITH pb_raw AS (…` (open): the rows as read, from a table or the export.
    fn raw_cte(&self, read: &[String]) -> String {
        let d = self.d;
        match self.source {
            Source::Table { name, .. } => {
                format!("WITH pb_raw AS (\n  {}", d.table_source(name, &self.key()))
            }
            Source::Csv {
                input, delimiter, ..
            } => {
                let read = self.shape.and_then(|s| {
                    let (may_lack, key_from) = self
                        .run_time
                        .map(|r| (&r.may_lack[..], &r.key_from[..]))
                        .unwrap_or_default();
                    s.read_inline(input, *delimiter, read, may_lack, key_from)
                });
                format!(
                    "WITH pb_raw AS (\n  {}",
                    read.as_deref().unwrap_or("SELECT * FROM pb_src")
                )
            }
        }
    }

    /// `pb_text`: each cell read trimmed once (`pb_tN`, empty = NULL), on the slow path.
    fn text_cte(&self, used: &[usize]) -> String {
        let d = self.d;
        let mut sql = "\n),\npb_text AS (\n  SELECT *".to_string();
        // Each cell read trimmed once (`pb_tN`, empty = NULL): engines do not
        // share the expression between the tests and casts that use it.
        // With fast cells, each cell's trimmed text is written where needed, on the slow path.
        for &c in used.iter().filter(|_| !self.fast) {
            sql.push_str(&format!(
                ",\n    NULLIF({}, '') AS {}",
                d.trim(&d.cast(&d.ident(&self.cols.names[c]), Ty::Text)),
                trimmed_col(c)
            ));
        }
        sql.push_str("\n  FROM pb_raw\n)");
        sql
    }

    /// `pb_base`: the key, checked, and each slot's cell as its type (`sN`).
    fn base_cte(&self) -> String {
        let mut sql = format!(
            ",\npb_base AS (\n  SELECT {}",
            if self.fast { "" } else { "pb_rn,\n    " }
        );
        sql.push_str(&self.key_columns());
        let row = self.row_name();
        // How the export writes numbers, as `eval` reads them (language.md §11 "Numbers").
        let numbers = Numbers::new(
            self.p.decimal_comma,
            match self.source {
                Source::Csv { delimiter, .. } => u8::try_from(*delimiter).unwrap_or(b','),
                Source::Table { .. } => b',',
            },
        );
        for (i, (slot, column)) in self.cols.binding.bound().enumerate() {
            let typed = self.typed(slot, column, &row, numbers);
            sql.push_str(&format!(",\n    {typed} AS {}", slot_col(i as u16)));
        }
        sql.push_str("\n  FROM pb_text\n)");
        sql
    }

    /// The key's columns of `pb_base`: `pb_id`, or (streaming) `pb_key` and `pb_key_ok`.
    fn key_columns(&self) -> String {
        let d = self.d;
        let key = self.key();
        let key_text = d.trim(&d.cast(&key, Ty::Text));
        if let Some(s) = self.stream {
            // The key as written (trimmed when the decisions are written), and a
            // cheap check that it is not empty: a first character that is not
            // white space settles it.
            let empty_key = format!(
                "'column ' || {} || ' is required, and this cell is empty'",
                key_name(self.cols, self.run_time, s)
            );
            let fail = s.fail(&empty_key, Ty::Bool);
            format!(
                "{key} AS pb_key,\n    CASE WHEN ascii({key}) BETWEEN 33 AND 126 THEN TRUE WHEN NULLIF({key_text}, '') IS NULL THEN {fail} ELSE TRUE END AS pb_key_ok"
            )
        } else if let Some(s) = self.shape {
            // An empty id is a data error in `eval` (§11 "Keys"), also when the key is no field.
            let empty_key = format!(
                "'line ' || {} || ': column ' || {} || ' is required, and this cell is empty'",
                d.cast("pb_rn + 2", Ty::Text),
                key_name(self.cols, self.run_time, s)
            );
            format!(
                "CASE WHEN NULLIF({key_text}, '') IS NULL THEN {} ELSE {key_text} END AS pb_id",
                s.fail(&empty_key, Ty::Text)
            )
        } else {
            format!("{key_text} AS pb_id")
        }
    }

    /// How a bad cell's row is named: by its line before the message, or
    /// (rows not numbered) by its customer after it. Each message is then a
    /// different expression from its start: none is hoisted and run per row.
    fn row_name(&self) -> Row {
        if self.fast {
            // The key as written: trimming it on every row costs more than the message is worth.
            Row::After(format!(
                " || ' (customer `' || COALESCE({}, '') || '`)'",
                self.key()
            ))
        } else {
            Row::Before(format!(
                "'line ' || {} || ': ' || ",
                self.d.cast("pb_rn + 2", Ty::Text)
            ))
        }
    }

    /// A slot's cell as its type: checked (an export), trusted (a table), or
    /// missing (its column is not read).
    fn typed(&self, slot: &Slot, column: Option<usize>, row: &Row, numbers: Numbers) -> String {
        let d = self.d;
        let Some(c) = column else {
            return null_of(&slot.kind, d);
        };
        let key_column = self.cols.binding.key_column;
        let col = d.ident(&self.cols.names[c]);
        // On the fast path, the slow path's trimmed text is bound once.
        let t = if self.fast {
            "pb_v".to_string()
        } else {
            trimmed_col(c)
        };
        match self.shape {
            Some(s) => {
                // The key's own row has no customer to name.
                let none = Row::After(String::new());
                let row = if self.fast && c == key_column {
                    &none
                } else {
                    row
                };
                let cell = Cell {
                    col: &col,
                    t: &t,
                    row,
                    fast: self.fast,
                    key: c == key_column,
                };
                checked_cell(&cell, slot, numbers, s)
            }
            None => table_cell(&col, &t, slot, d),
        }
    }

    /// The journeys and segments, one CTE each (`pb_stepN`) in the program's order.
    fn steps(&self, mut sql: String) -> Chain {
        let (p, d, env) = (self.p, self.d, &self.env);
        let mut prev = "pb_base".to_string();
        let mut prelude = self
            .run_time
            .zip(self.shape)
            .zip(source_files(self.source))
            .map(|((r, s), (input, delimiter))| {
                s.header_checks(input, delimiter, &r.required, &r.key_from)
            })
            .unwrap_or_default();
        for (n, step) in p.order.iter().enumerate() {
            let (column, value) = match *step {
                Step::Journey(j) => (stage_col(j), stage_expr(p, j, env)),
                Step::Segment(s) => (
                    segment_col(s),
                    d.is_true(&cond(&p.segments[s as usize].condition, env)),
                ),
            };
            // A long chain of steps nests as deep as it is long, past DuckDB's
            // expression depth: every so many steps, the rows so far are stored
            // (in file order) and the query goes on from there.
            if self.fast && n > 0 && n % STEPS_PER_QUERY == 0 {
                let part = format!("pb_part{n}");
                prelude.push_str(&format!(
                    "CREATE OR REPLACE TEMP TABLE {part} AS\n{sql}\nSELECT * FROM {prev};\n"
                ));
                sql = format!("WITH pb_from{n} AS (\n  SELECT * FROM {part}\n)");
                prev = format!("pb_from{n}");
            }
            let name = format!("pb_step{n}");
            sql.push_str(&format!(
                ",\n{name} AS (\n  SELECT *, {value} AS {column} FROM {prev}\n)"
            ));
            prev = name;
        }
        Chain { sql, prev, prelude }
    }

    /// `pb_decide`: whole-customer suppression (`pb_sup`), whether each rule
    /// fires (`fN`) and each per-action suppression holds (`pK`).
    fn decide_cte(&self, prev: &str) -> String {
        let (p, d, env) = (self.p, self.d, &self.env);
        // Whole-customer suppression: unknown suppresses.
        let sup: Vec<String> = p
            .suppress
            .iter()
            .filter(|s| s.actions.is_empty())
            .map(|s| d.is_not_false(&cond(&s.condition, env)))
            .collect();
        let sup = if sup.is_empty() {
            "FALSE".to_string()
        } else {
            sup.join(" OR ")
        };
        let mut sql = format!(",\npb_decide AS (\n  SELECT *,\n    ({sup}) AS pb_sup");
        for (r, rule) in p.rules.iter().enumerate() {
            let mut fire = d.is_true(&cond(&rule.condition, env));
            if let Some(u) = &rule.unless {
                // A CASE, not an AND: engines evaluate both sides of an AND on
                // every row, and `unless` is only needed where the rule holds.
                fire = format!(
                    "CASE WHEN {fire} THEN {} ELSE FALSE END",
                    d.is_not_true(&cond(u, env))
                );
            }
            sql.push_str(&format!(",\n    ({fire}) AS f{r}"));
        }
        for (k, s) in p.suppress.iter().enumerate() {
            if !s.actions.is_empty() {
                sql.push_str(&format!(
                    ",\n    {} AS p{k}",
                    d.is_not_false(&cond(&s.condition, env))
                ));
            }
        }
        sql.push_str(&format!("\n  FROM {prev}\n)"));
        sql
    }

    /// Every action a rule can fire, in firing order, per-action suppression applied.
    fn fired_items(&self) -> Vec<Fired> {
        let (p, d) = (self.p, self.d);
        let mut items = Vec::new();
        for (r, rule) in p.rules.iter().enumerate() {
            for (a, action) in rule.actions.iter().enumerate() {
                let mut filter = format!("f{r}");
                for (k, s) in p.suppress.iter().enumerate() {
                    if s.actions.contains(&action.action) {
                        filter.push_str(&format!(" AND NOT p{k}"));
                    }
                }
                items.push(Fired {
                    rule: r,
                    action: a,
                    filter,
                    priority: rule.priority,
                    rule_name: d.text(&rule.name),
                    action_name: d.text(&p.actions[action.action as usize]),
                    argument: action.argument.as_ref().map(|s| d.text(s)),
                    channel_slot: match &action.channel {
                        Channel::Slot { slot, .. } => Some(*slot),
                        _ => None,
                    },
                    channel: self.channel(&action.channel),
                    holdout: rule.holdout.as_ref().map(|h| held(h, d)),
                });
            }
        }
        items
    }

    /// An action's channel as SQL text: none, a word, or the word of a `via` field.
    fn channel(&self, channel: &Channel) -> Option<String> {
        let d = self.d;
        match channel {
            Channel::None => None,
            Channel::Word(w) => Some(d.text(w)),
            Channel::Slot { slot, words } => {
                let mut case = format!("CASE {}", slot_col(*slot));
                for (i, w) in words.iter().enumerate() {
                    case.push_str(&format!(" WHEN {i} THEN {}", d.text(w)));
                }
                case.push_str(" END");
                Some(case)
            }
        }
    }

    /// The customer's columns of `eval --format csv`: the id and each journey's stage.
    fn select_columns(&self) -> Vec<String> {
        let d = self.d;
        let mut select = vec!["pb_id AS customer".to_string()];
        for (j, journey) in self.p.journeys.iter().enumerate() {
            let mut case = format!("CASE {}", stage_col(j as u16));
            for (i, s) in journey.stages.iter().enumerate() {
                case.push_str(&format!(" WHEN {i} THEN {}", d.text(s)));
            }
            case.push_str(&format!(" END AS {}", d.ident(&journey.name)));
            select.push(case);
        }
        select
    }

    /// The decisions after `pb_decide`: the query, and (an engine that keeps
    /// file order) the SELECT that writes them.
    fn tail(&self, sql: String) -> (String, Option<String>) {
        let (p, d) = (self.p, self.d);
        let policy = p
            .policy_holdout
            .as_ref()
            .map(|h| held(h, d))
            .unwrap_or_else(|| "FALSE".to_string());
        let items = self.fired_items();
        // The columns of `eval --format csv`.
        let select = self.select_columns();
        if let Some(s) = self.stream {
            // The stored key as written (`pb_key`), trimmed when it needs it.
            let id = format!(
                "CASE WHEN {} THEN {} ELSE pb_key END",
                s.edge_space("pb_key"),
                d.trim("pb_key")
            );
            let (decide, present) =
                in_order_tail(sql, &items, &policy, (p, self.cols), select, &id, d);
            (decide, Some(present))
        } else {
            let order_keys = self.shape.is_some_and(|s| s.sorts_when_writing());
            let query = sorted_tail(sql, &items, &policy, p, select, order_keys, d);
            (query, None)
        }
    }

    /// The query as run: a table's ends with `;`, a CSV export's is put in
    /// its dialect's script, which reads the export and writes the decisions.
    fn finish(
        &self,
        query: &str,
        present: Option<&str>,
        read: &[String],
        prelude: &str,
    ) -> Result<String, String> {
        let Source::Csv {
            input,
            output,
            delimiter,
            file_columns,
        } = self.source
        else {
            return Ok(format!("{query};\n"));
        };
        let Some(s) = self.shape else {
            return Err(self.d.no_script_shape());
        };
        let mut output_columns = vec!["customer".to_string()];
        output_columns.extend(self.p.journeys.iter().map(|j| j.name.clone()));
        output_columns
            .extend(["rule", "action", "argument", "channel", "holdout"].map(String::from));
        s.script(
            &CsvFiles {
                input,
                output,
                delimiter: *delimiter,
                columns: read,
                prelude,
                file_columns: *file_columns,
                output_columns: &output_columns,
                present,
            },
            query,
        )
    }
}

/// Steps (journeys, segments) in one query of a script that keeps file order.
const STEPS_PER_QUERY: usize = 100;

/// The export a script reads and its delimiter.
fn source_files<'a>(source: &Source<'a>) -> Option<(&'a str, char)> {
    match source {
        Source::Csv {
            input, delimiter, ..
        } => Some((input, *delimiter)),
        Source::Table { .. } => None,
    }
}

/// The key column's name as SQL text: chosen when the script runs when the
/// playbook has no `key` field and the header is read then.
fn key_name(cols: &Columns, run_time: Option<&RunTimeHeader>, s: &dyn Script) -> String {
    match run_time.map(|r| &r.key_from[..]) {
        Some([first, rest @ ..]) => {
            let mut case = "CASE".to_string();
            for k in std::iter::once(first).chain(rest) {
                case.push_str(&format!(" WHEN {} THEN {}", s.header_has(k), s.text(k)));
            }
            format!("{case} END")
        }
        _ => s.text(&cols.names[cols.binding.key_column]),
    }
}

/// `held out`: the first 4 bytes of MD5(`SALT/ID`), big-endian, mod 10000 < basis points.
fn held(h: &Holdout, d: &dyn Dialect) -> String {
    let key = format!("{} || pb_id", d.text(&format!("{}/", h.salt)));
    format!(
        "({} < {})",
        d.modulo(&d.md5_prefix(&key), 10000),
        h.basis_points
    )
}

/// A journey's stage (its index): read from its column, or the last of the
/// leading stages whose condition holds.
fn stage_expr(p: &Program, j: u16, env: &Env) -> String {
    match &p.journeys[j as usize].source {
        JourneySource::Slot(s) => slot_col(*s),
        JourneySource::Conditions(conds) => {
            // The last of the leading stages whose condition holds.
            let mut case = "CASE".to_string();
            for (i, c) in conds.iter().enumerate() {
                let prev = if i == 0 {
                    "NULL".to_string()
                } else {
                    (i - 1).to_string()
                };
                case.push_str(&format!(
                    " WHEN {} THEN {prev}",
                    env.d.is_not_true(&cond(c, env))
                ));
            }
            case.push_str(&format!(" ELSE {} END", conds.len().saturating_sub(1)));
            case
        }
    }
}
