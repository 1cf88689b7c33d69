//! `playbook sql`: a checked playbook compiled to one SQL query.
//!
//! The model is lowered to a [`Program`](crate::eval::Program) (no header needed) whose slots are then bound to
//! the columns the script reads: the export's own header when it is known when compiling,
//! else the columns the model names. The program's resolved conditions are written as SQL
//! (see `expr`), spelled for one engine by a [`Dialect`](crate::sql::dialect::Dialect).

pub mod dialect;
mod expr;

use crate::check::model::Model;
use crate::diagnostic::Diagnostic;
use crate::eval::program::{Channel, Holdout, JourneySource, Program, Step};
use crate::row::{Binding, SlotKind};
use dialect::{CsvFiles, Dialect, Script, Ty};
use expr::{cond, segment_col, slot_col, stage_col, Env};

/// Where the customers come from.
pub enum Source<'a> {
    /// An existing table with the export's columns (typed by the engine);
    /// `key`: its id column when the playbook has no `key` field (default `id`).
    Table { name: &'a str, key: Option<&'a str> },
    /// A CSV export, read as text and validated cell by cell; decisions written to `output`.
    Csv {
        input: &'a str,
        output: &'a str,
        delimiter: char,
        /// The export's header, for dialects that load every column of the file.
        file_columns: Option<&'a [String]>,
    },
}

/// The columns a script reads, and where each slot and the key read from.
struct Columns {
    /// Column names; a slot's column and the key are positions here (`pb_tN` numbers them).
    names: Vec<String>,
    binding: Binding,
}

/// The columns a script reads when the export's header is not known when compiling: every
/// column the program's slots name (once), and without a `key` field the columns the key may
/// be read from. Bound as `eval` binds a header: a slot reads the column of its name.
fn named_columns(
    program: &Program,
    model: &Model,
    keys: &[&str],
) -> Result<Columns, Vec<Diagnostic>> {
    let mut names: Vec<String> = Vec::new();
    for slot in &program.slots {
        if !names.contains(&slot.column) {
            names.push(slot.column.clone());
        }
    }
    if model.key_field.is_none() {
        for k in keys {
            if !names.iter().any(|h| h == k) {
                names.push(k.to_string());
            }
        }
    }
    let binding = crate::eval::bind(program, &names)?;
    Ok(Columns { names, binding })
}

/// What a script that reads the export's header when it runs must check
/// there (see [`Script::header_at_run_time`]).
struct RunTimeHeader {
    /// Each column the export must have, and what needs it (`eval`'s words).
    required: Vec<(String, String)>,
    /// Columns the export may lack: read as missing.
    may_lack: Vec<String>,
    /// Without a `key` field: `id`, else `customer_id`.
    key_from: Vec<String>,
}

/// Compiles a checked model to SQL for one engine. Err(message): the
/// engine cannot run this shape (a usage error, not a playbook problem).
pub fn compile(
    model: &Model,
    as_of: i32,
    source: &Source<'_>,
    dialect: &dyn Dialect,
) -> Result<Result<String, String>, Vec<Diagnostic>> {
    let at_run_time = matches!(source, Source::Csv { .. })
        && dialect
            .script_shape()
            .is_some_and(|s| s.header_at_run_time());
    let program = crate::eval::lower(model);
    let mut cols = match source {
        // The export's header read when compiling: column problems are
        // `eval`'s own diagnostics, and the key is chosen as `eval` does.
        Source::Csv {
            file_columns: Some(columns),
            ..
        } => {
            let names: Vec<String> = columns
                .iter()
                .map(|c| c.strip_prefix('\u{feff}').unwrap_or(c).to_string())
                .collect();
            let binding = crate::eval::bind(&program, &names)?;
            Columns { names, binding }
        }
        Source::Csv { .. } if at_run_time => {
            named_columns(&program, model, &["id", "customer_id"])?
        }
        Source::Table { key, .. } => named_columns(&program, model, &[key.unwrap_or("id")])?,
        Source::Csv { .. } => named_columns(&program, model, &["id"])?,
    };
    // A table's id column named by --key is the key, even where a field is named `id`.
    if let (Source::Table { key: Some(k), .. }, None) = (source, model.key_field) {
        if let Some(i) = cols.names.iter().position(|h| h == k) {
            cols.binding.key_column = i;
        }
    }
    let run_time = at_run_time.then(|| {
        let key_from: Vec<String> = match model.key_field {
            Some(_) => Vec::new(),
            None => vec!["id".to_string(), "customer_id".to_string()],
        };
        if !key_from.is_empty() {
            // The key is chosen when the script runs: a column of its own.
            cols.names.push(dialect::KEY_COLUMN.to_string());
            cols.binding.key_column = cols.names.len() - 1;
        }
        let mut required = Vec::new();
        let mut may_lack = Vec::new();
        for f in &model.fields {
            if f.optional {
                may_lack.push(f.column.clone());
            } else {
                required.push((
                    f.column.clone(),
                    format!("needed by the field `{}`", f.name),
                ));
            }
        }
        for j in &model.journeys {
            if let Some(c) = &j.column {
                required.push((c.clone(), format!("the stage of the journey `{}`", j.name)));
            }
        }
        may_lack.extend(key_from.iter().cloned());
        may_lack.retain(|c| !required.iter().any(|(r, _)| r == c));
        let mut seen = Vec::new();
        may_lack.retain(|c| {
            let new = !seen.contains(c);
            seen.push(c.clone());
            new
        });
        RunTimeHeader {
            required,
            may_lack,
            key_from,
        }
    });
    Ok(script(
        &program,
        &cols,
        as_of,
        source,
        dialect,
        run_time.as_ref(),
    ))
}

fn script(
    p: &Program,
    cols: &Columns,
    as_of: i32,
    source: &Source<'_>,
    d: &dyn Dialect,
    run_time: Option<&RunTimeHeader>,
) -> Result<String, String> {
    let env = Env { as_of, d };
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
    let fast = stream.is_some();
    let mut sql = String::new();
    // Each cell read trimmed once (`pb_tN`, empty = NULL): engines do not
    // share the expression between the tests and casts that use it.
    let (header, key_column) = (&cols.names, cols.binding.key_column);
    let mut used: Vec<usize> = cols.binding.columns.iter().filter_map(|c| *c).collect();
    used.sort_unstable();
    used.dedup();
    // The export's columns the query reads (the key's too), each once.
    let mut read: Vec<String> = used.iter().map(|&c| header[c].clone()).collect();
    if !used.contains(&key_column) {
        read.push(header[key_column].clone());
    }
    match source {
        Source::Table { name, .. } => {
            let key = d.ident(&header[key_column]);
            sql.push_str(&format!(
                "WITH pb_raw AS (\n  {}",
                d.table_source(name, &key)
            ))
        }
        Source::Csv {
            input, delimiter, ..
        } => {
            let read = shape.and_then(|s| {
                let (may_lack, key_from) = run_time
                    .map(|r| (&r.may_lack[..], &r.key_from[..]))
                    .unwrap_or_default();
                s.read_inline(input, *delimiter, &read, may_lack, key_from)
            });
            sql.push_str(&format!(
                "WITH pb_raw AS (\n  {}",
                read.as_deref().unwrap_or("SELECT * FROM pb_src")
            ))
        }
    }
    let key = d.ident(&header[key_column]);
    let key_text = d.trim(&d.cast(&key, Ty::Text));
    sql.push_str("\n),\npb_text AS (\n  SELECT *");
    // With fast cells, each cell's trimmed text is written where needed, on the slow path.
    for &c in used.iter().filter(|_| !fast) {
        sql.push_str(&format!(
            ",\n    NULLIF({}, '') AS {}",
            d.trim(&d.cast(&d.ident(&header[c]), Ty::Text)),
            trimmed_col(c)
        ));
    }
    sql.push_str(&format!(
        "\n  FROM pb_raw\n),\npb_base AS (\n  SELECT {}",
        if fast { "" } else { "pb_rn,\n    " }
    ));
    if let Some(s) = stream {
        // The key as written (trimmed when the decisions are written), and a
        // cheap check that it is not empty: a first character that is not
        // white space settles it.
        let empty_key = format!(
            "'column ' || {} || ' is required, and this cell is empty'",
            key_name(cols, run_time, s)
        );
        let fail = s.fail(&empty_key, Ty::Bool);
        sql.push_str(&format!(
            "{key} AS pb_key,\n    CASE WHEN ascii({key}) BETWEEN 33 AND 126 THEN TRUE WHEN NULLIF({key_text}, '') IS NULL THEN {fail} ELSE TRUE END AS pb_key_ok"
        ));
    } else if let Some(s) = shape {
        // An empty id is a data error in `eval` (§11 "Keys"), also when the key is no field.
        let empty_key = format!(
            "'line ' || {} || ': column ' || {} || ' is required, and this cell is empty'",
            d.cast("pb_rn + 2", Ty::Text),
            key_name(cols, run_time, s)
        );
        sql.push_str(&format!(
            "CASE WHEN NULLIF({key_text}, '') IS NULL THEN {} ELSE {key_text} END AS pb_id",
            s.fail(&empty_key, Ty::Text)
        ));
    } else {
        sql.push_str(&format!("{key_text} AS pb_id"));
    }
    // How a bad cell's row is named: by its line before the message, or
    // (rows not numbered) by its customer after it. Each message is then a
    // different expression from its start: none is hoisted and run per row.
    let row = if fast {
        // The key as written: trimming it on every row costs more than the message is worth.
        Row::After(format!(" || ' (customer `' || COALESCE({key}, '') || '`)'"))
    } else {
        Row::Before(format!(
            "'line ' || {} || ': ' || ",
            d.cast("pb_rn + 2", Ty::Text)
        ))
    };
    // How the export writes numbers, as `eval` reads them (language.md §11 "Numbers").
    let numbers = crate::row::parse::Numbers::new(
        p.decimal_comma,
        match source {
            Source::Csv { delimiter, .. } => u8::try_from(*delimiter).unwrap_or(b','),
            Source::Table { .. } => b',',
        },
    );
    for (i, (slot, column)) in cols.binding.bound().enumerate() {
        let typed = match column {
            None => null_of(&slot.kind, d),
            Some(c) => {
                let col = d.ident(&header[c]);
                // On the fast path, the slow path's trimmed text is bound once.
                let t = if fast {
                    "pb_v".to_string()
                } else {
                    trimmed_col(c)
                };
                match shape {
                    Some(s) => {
                        // The key's own row has no customer to name.
                        let none = Row::After(String::new());
                        let row = if fast && c == key_column { &none } else { &row };
                        let cell = Cell {
                            col: &col,
                            t: &t,
                            row,
                            fast,
                            key: c == key_column,
                        };
                        checked_cell(&cell, slot, numbers, s)
                    }
                    None => table_cell(&col, &t, slot, d),
                }
            }
        };
        sql.push_str(&format!(",\n    {typed} AS {}", slot_col(i as u16)));
    }
    sql.push_str("\n  FROM pb_text\n)");
    let mut prev = "pb_base".to_string();
    let mut prelude = run_time
        .zip(shape)
        .zip(source_files(source))
        .map(|((r, s), (input, delimiter))| {
            s.header_checks(input, delimiter, &r.required, &r.key_from)
        })
        .unwrap_or_default();
    for (n, step) in p.order.iter().enumerate() {
        let (column, value) = match *step {
            Step::Journey(j) => (stage_col(j), stage_expr(p, j, &env)),
            Step::Segment(s) => (
                segment_col(s),
                d.is_true(&cond(&p.segments[s as usize].condition, &env)),
            ),
        };
        // A long chain of steps nests as deep as it is long, past DuckDB's
        // expression depth: every so many steps, the rows so far are stored
        // (in file order) and the query goes on from there.
        if fast && n > 0 && n % STEPS_PER_QUERY == 0 {
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
    // Whole-customer suppression: unknown suppresses.
    let sup: Vec<String> = p
        .suppress
        .iter()
        .filter(|s| s.actions.is_empty())
        .map(|s| d.is_not_false(&cond(&s.condition, &env)))
        .collect();
    let sup = if sup.is_empty() {
        "FALSE".to_string()
    } else {
        sup.join(" OR ")
    };
    sql.push_str(&format!(
        ",\npb_decide AS (\n  SELECT *,\n    ({sup}) AS pb_sup"
    ));
    for (r, rule) in p.rules.iter().enumerate() {
        let mut fire = d.is_true(&cond(&rule.condition, &env));
        if let Some(u) = &rule.unless {
            // A CASE, not an AND: engines evaluate both sides of an AND on
            // every row, and `unless` is only needed where the rule holds.
            fire = format!(
                "CASE WHEN {fire} THEN {} ELSE FALSE END",
                d.is_not_true(&cond(u, &env))
            );
        }
        sql.push_str(&format!(",\n    ({fire}) AS f{r}"));
    }
    for (k, s) in p.suppress.iter().enumerate() {
        if !s.actions.is_empty() {
            sql.push_str(&format!(
                ",\n    {} AS p{k}",
                d.is_not_false(&cond(&s.condition, &env))
            ));
        }
    }
    sql.push_str(&format!("\n  FROM {prev}\n)"));
    // Every action a rule can fire, in firing order, per-action suppression applied.
    let policy = p
        .policy_holdout
        .as_ref()
        .map(|h| held(h, d))
        .unwrap_or_else(|| "FALSE".to_string());
    let mut items = Vec::new();
    for (r, rule) in p.rules.iter().enumerate() {
        for (a, action) in rule.actions.iter().enumerate() {
            let mut filter = format!("f{r}");
            for (k, s) in p.suppress.iter().enumerate() {
                if s.actions.contains(&action.action) {
                    filter.push_str(&format!(" AND NOT p{k}"));
                }
            }
            let channel = match &action.channel {
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
            };
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
                channel,
                holdout: rule.holdout.as_ref().map(|h| held(h, d)),
            });
        }
    }
    // The columns of `eval --format csv`.
    let mut select = vec!["pb_id AS customer".to_string()];
    for (j, journey) in p.journeys.iter().enumerate() {
        let mut case = format!("CASE {}", stage_col(j as u16));
        for (i, s) in journey.stages.iter().enumerate() {
            case.push_str(&format!(" WHEN {i} THEN {}", d.text(s)));
        }
        case.push_str(&format!(" END AS {}", d.ident(&journey.name)));
        select.push(case);
    }
    let mut output_columns = vec!["customer".to_string()];
    output_columns.extend(p.journeys.iter().map(|j| j.name.clone()));
    output_columns.extend(["rule", "action", "argument", "channel", "holdout"].map(String::from));
    let (query, present) = if let Some(s) = stream {
        // The stored key as written (`pb_key`), trimmed when it needs it.
        let id = format!(
            "CASE WHEN {} THEN {} ELSE pb_key END",
            s.edge_space("pb_key"),
            d.trim("pb_key")
        );
        let (decide, present) = in_order_tail(sql, &items, &policy, (p, cols), select, &id, d);
        (decide, Some(present))
    } else {
        let order_keys = shape.is_some_and(|s| s.sorts_when_writing());
        let query = sorted_tail(sql, &items, &policy, p, select, order_keys, d);
        (query, None)
    };
    match source {
        Source::Table { .. } => Ok(format!("{query};\n")),
        Source::Csv {
            input,
            output,
            delimiter,
            file_columns,
        } => shape.map_or_else(
            || Err(d.no_script_shape()),
            |s| {
                s.script(
                    &CsvFiles {
                        input,
                        output,
                        delimiter: *delimiter,
                        columns: &read,
                        prelude: &prelude,
                        file_columns: *file_columns,
                        output_columns: &output_columns,
                        present: present.as_deref(),
                    },
                    &query,
                )
            },
        ),
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

/// An action a rule can fire, as SQL.
struct Fired {
    rule: usize,
    action: usize,
    /// When it fires (the customer not suppressed as a whole).
    filter: String,
    priority: f64,
    rule_name: String,
    action_name: String,
    argument: Option<String>,
    channel: Option<String>,
    /// The slot of the `via` field, when the channel depends on the row.
    channel_slot: Option<u16>,
    holdout: Option<String>,
}

/// The decisions of an engine that keeps file order: per customer, the list
/// of the actions that fire (by priority, cut to `max`, back in firing order),
/// unnested. Returns the query that decides, whose rows are stored as
/// `pb_decisions` (narrow: numbers and the id), and the SELECT that writes
/// them: each column an item of a constant list, no sort, no window.
fn in_order_tail(
    mut sql: String,
    items: &[Fired],
    policy: &str,
    (p, cols): (&Program, &Columns),
    mut select: Vec<String>,
    id: &str,
    d: &dyn Dialect,
) -> (String, String) {
    let text_null = d.null(Ty::Text);
    // The decisions are read with the key trimmed (`pb_id`), from the key as written.
    let from = format!("(SELECT *, {id} AS pb_id FROM pb_decisions) AS pb_decisions");
    let stages: Vec<String> = (0..p.journeys.len()).map(|j| stage_col(j as u16)).collect();
    if items.is_empty() {
        sql.push_str(",\npb_fired AS (\n  SELECT *, 0 AS pb_i FROM pb_decide WHERE FALSE\n)\n");
        for c in ["rule", "action", "argument", "channel"] {
            select.push(format!("{text_null} AS {c}"));
        }
        select.push("'false' AS holdout".to_string());
        let kept = std::iter::once("pb_key".to_string())
            .chain(stages)
            .collect::<Vec<_>>();
        return (
            format!("{sql}SELECT {} FROM pb_fired", kept.join(", ")),
            format!("SELECT {}\nFROM {from}", select.join(",\n  ")),
        );
    }
    // The items in the order `max` keeps them: by priority, ties in firing order.
    let mut by_priority: Vec<usize> = (0..items.len()).collect();
    if p.max_actions.is_some() {
        by_priority.sort_by(|&a, &b| items[b].priority.total_cmp(&items[a].priority));
    }
    // Which items fire, as a list in firing order. With few items, a bit
    // per item picks a list worked out here; else the list is filtered per row.
    let list = if items.len() <= MASK_ITEMS {
        let mask: Vec<String> = items
            .iter()
            .enumerate()
            .map(|(i, item)| format!("CASE WHEN {} THEN {} ELSE 0 END", item.filter, 1 << i))
            .collect();
        let lists: Vec<String> = (0..1usize << items.len())
            .map(|m| {
                let mut fired: Vec<usize> = by_priority
                    .iter()
                    .copied()
                    .filter(|i| m >> i & 1 == 1)
                    .collect();
                fired.truncate(p.max_actions.unwrap_or(usize::MAX));
                fired.sort_unstable();
                let fired: Vec<String> = fired.iter().map(usize::to_string).collect();
                format!("[{}]", fired.join(", "))
            })
            .collect();
        format!(
            "CAST([{}] AS INTEGER[][])[{} + 1]",
            lists.join(", "),
            mask.join(" + ")
        )
    } else {
        let fire: Vec<String> = by_priority
            .iter()
            .map(|&i| format!("CASE WHEN {} THEN {i} END", items[i].filter))
            .collect();
        let mut list = format!(
            "list_filter([{}], lambda x: x IS NOT NULL)",
            fire.join(", ")
        );
        if let Some(n) = p.max_actions {
            list = format!("list_sort(list_slice({list}, 1, {n}))");
        }
        list
    };
    // No WHERE: the engine would push it below the cell checks and skip
    // them for suppressed customers. And every cell's check is used here,
    // or the engine drops those of fields no rule reads.
    // (The key's own slot is not: `pb_key_ok` checks it, cheaper.)
    let checked: Vec<String> = (p.slots.iter().enumerate())
        .filter(|(i, slot)| {
            !(cols.binding.columns[*i] == Some(cols.binding.key_column)
                && matches!(slot.kind, SlotKind::Text))
        })
        .map(|(i, _)| slot_col(i as u16))
        .chain(["pb_key_ok".to_string()])
        .map(|c| format!("'{c}': {c}"))
        .collect();
    let skip = format!("pb_sup OR {{{}}} IS NULL", checked.join(", "));
    sql.push_str(&format!(
        ",\npb_fired AS (\n  SELECT *, unnest(CASE WHEN {skip} THEN [] ELSE {list} END) AS pb_i FROM pb_decide\n)\n"
    ));
    // A column's value for item `pb_i`: a constant list, with the items
    // whose value depends on the row picked out first.
    let by_item = |values: Vec<Option<String>>, varies: &dyn Fn(&Fired) -> bool| {
        if values.iter().all(Option::is_none) {
            return text_null.clone();
        }
        let list: Vec<String> = values
            .iter()
            .zip(items)
            .map(|(v, item)| match v {
                Some(v) if !varies(item) => v.clone(),
                _ => "NULL".to_string(),
            })
            .collect();
        let constant = format!("[{}][pb_i + 1]", list.join(", "));
        let row: Vec<String> = values
            .iter()
            .zip(items)
            .enumerate()
            .filter(|(_, (_, item))| varies(item))
            .map(|(i, (v, _))| format!(" WHEN {i} THEN {}", v.as_deref().unwrap_or("NULL")))
            .collect();
        if row.is_empty() {
            constant
        } else {
            format!("CASE pb_i{} ELSE {constant} END", row.concat())
        }
    };
    let never = |_: &Fired| false;
    let rule = by_item(
        items.iter().map(|i| Some(i.rule_name.clone())).collect(),
        &never,
    );
    let action = by_item(
        items.iter().map(|i| Some(i.action_name.clone())).collect(),
        &never,
    );
    let argument = by_item(items.iter().map(|i| i.argument.clone()).collect(), &never);
    let channel = by_item(
        items.iter().map(|i| i.channel.clone()).collect(),
        &|i: &Fired| i.channel_slot.is_some(),
    );
    let by_rule: Vec<String> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| item.holdout.as_ref().map(|h| format!(" WHEN {i} THEN {h}")))
        .collect();
    let holdout = if by_rule.is_empty() {
        policy.to_string()
    } else {
        format!("{policy} OR CASE pb_i{} ELSE FALSE END", by_rule.concat())
    };
    select.extend([
        format!("{rule} AS rule"),
        format!("{action} AS action"),
        format!("{argument} AS argument"),
        format!("{channel} AS channel"),
        format!("CASE WHEN {holdout} THEN 'true' ELSE 'false' END AS holdout"),
    ]);
    // What the writing SELECT reads: the id, stages, item and `via` fields.
    let mut kept = vec!["pb_key".to_string(), "pb_i".to_string()];
    kept.extend(stages);
    for item in items {
        if let Some(slot) = item.channel_slot {
            let col = slot_col(slot);
            if !kept.contains(&col) {
                kept.push(col);
            }
        }
    }
    (
        format!("{sql}SELECT {} FROM pb_fired", kept.join(", ")),
        format!("SELECT {}\nFROM {from}", select.join(",\n  ")),
    )
}

/// Up to this many actions, the fired list is picked by a bit mask from the
/// 2^N lists worked out when compiling.
const MASK_ITEMS: usize = 8;

/// The decisions of an engine whose rows have no order: one row per fired
/// action (a UNION ALL), `max` by a window, sorted by file order — in the
/// query, or by `pb_o1..3` when the script writes (`order_keys`).
fn sorted_tail(
    mut sql: String,
    items: &[Fired],
    policy: &str,
    p: &Program,
    mut select: Vec<String>,
    order_keys: bool,
    d: &dyn Dialect,
) -> String {
    let stages: Vec<String> = (0..p.journeys.len()).map(|j| stage_col(j as u16)).collect();
    let stage_list = stages.iter().map(|s| format!(", {s}")).collect::<String>();
    let mut fired: Vec<String> = items
        .iter()
        .map(|item| {
            format!(
                "  SELECT pb_id, pb_rn{stage_list}, {} AS pb_rule, {} AS pb_action, {} AS pb_priority,\n    {} AS pb_rule_name, {} AS pb_action_name, {} AS pb_argument, {} AS pb_channel,\n    ({policy} OR {}) AS pb_holdout\n  FROM pb_decide WHERE NOT pb_sup AND {}",
                item.rule,
                item.action,
                d.number(item.priority),
                item.rule_name,
                item.action_name,
                item.argument.clone().unwrap_or_else(|| d.null(Ty::Text)),
                item.channel.clone().unwrap_or_else(|| d.null(Ty::Text)),
                item.holdout.as_deref().unwrap_or("FALSE"),
                item.filter
            )
        })
        .collect();
    if fired.is_empty() {
        let nulls = stages
            .iter()
            .map(|s| format!(", {} AS {s}", d.null(Ty::Int)))
            .collect::<String>();
        let text = d.null(Ty::Text);
        fired.push(format!(
            "  SELECT {text} AS pb_id, {} AS pb_rn{nulls}, 0 AS pb_rule, 0 AS pb_action, {} AS pb_priority, {text} AS pb_rule_name, {text} AS pb_action_name, {text} AS pb_argument, {text} AS pb_channel, FALSE AS pb_holdout FROM pb_decide WHERE FALSE",
            d.cast("0", Ty::BigInt),
            d.number(0.0)
        ));
    }
    sql.push_str(",\npb_fired AS (\n");
    sql.push_str(&fired.join("\n  UNION ALL\n"));
    // `max N`: the N of highest priority, ties to firing order (only when there is a max).
    let rank = if p.max_actions.is_some() {
        "row_number() OVER (PARTITION BY pb_rn ORDER BY pb_priority DESC, pb_rule, pb_action)"
    } else {
        "1"
    };
    sql.push_str(&format!(
        "\n),\npb_ranked AS (\n  SELECT *, {rank} AS pb_rank FROM pb_fired\n)\n"
    ));
    select.extend(
        [
            "pb_rule_name AS rule",
            "pb_action_name AS action",
            "pb_argument AS argument",
            "pb_channel AS channel",
            // Spelled out: engines write booleans differently (t/f, TRUE).
            "CASE WHEN pb_holdout THEN 'true' ELSE 'false' END AS holdout",
        ]
        .map(String::from),
    );
    let max = match p.max_actions {
        Some(n) => format!("WHERE pb_rank <= {n}"),
        None => String::new(),
    };
    // Customers in file order, actions in firing order: here, or (for an
    // engine whose tables keep no order) by `pb_o1..3` when writing.
    let order = if order_keys {
        select
            .extend(["pb_rn AS pb_o1", "pb_rule AS pb_o2", "pb_action AS pb_o3"].map(String::from));
        String::new()
    } else {
        "\nORDER BY pb_rn, pb_rule, pb_action".to_string()
    };
    format!(
        "{sql}SELECT {}\nFROM pb_ranked {max}{order}",
        select.join(",\n  ")
    )
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

/// The trimmed text of header column `c`, NULL when empty.
fn trimmed_col(c: usize) -> String {
    format!("pb_t{c}")
}

fn null_of(kind: &SlotKind, d: &dyn Dialect) -> String {
    d.null(match kind {
        SlotKind::Number => Ty::Double,
        SlotKind::Bool => Ty::Bool,
        SlotKind::Date(_) => Ty::Date,
        SlotKind::Words(_) | SlotKind::Stage(_) => Ty::Int,
        SlotKind::Text | SlotKind::List => Ty::Text,
    })
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

/// A cell of an existing table as the slot's type: the engine's types are trusted.
fn table_cell(col: &str, t: &str, slot: &crate::row::Slot, d: &dyn Dialect) -> String {
    match &slot.kind {
        SlotKind::Text => t.to_string(),
        SlotKind::List => list_cell(col, t, slot, d),
        SlotKind::Number => d.cast(col, Ty::Double),
        SlotKind::Bool => d.cast(col, Ty::Bool),
        SlotKind::Date(_) => d.cast(col, Ty::Date),
        SlotKind::Words(words) | SlotKind::Stage(words) => {
            format!("{} END", word_case(t, words, d))
        }
    }
}

/// `CASE lower(t) WHEN 'a' THEN 0 …` (without its END): a word's index.
fn word_case(t: &str, words: &[String], d: &dyn Dialect) -> String {
    let mut case = format!("CASE {}", d.lower(t));
    for (i, w) in words.iter().enumerate() {
        case.push_str(&format!(" WHEN {} THEN {i}", d.text(w)));
    }
    case
}

/// A `;` list as written (split when tested); a required one is never missing.
fn list_cell(col: &str, t: &str, slot: &crate::row::Slot, d: &dyn Dialect) -> String {
    let as_text = d.cast(col, Ty::Text);
    if slot.optional {
        format!("CASE WHEN {t} IS NULL THEN NULL ELSE {as_text} END")
    } else {
        format!("COALESCE({as_text}, '')")
    }
}

/// How a bad cell's message names its row: SQL text put before it (ending
/// in `|| `) or after it (starting with ` ||`).
enum Row {
    Before(String),
    After(String),
}

/// A CSV cell as the checks see it.
struct Cell<'a> {
    /// The column as read (text).
    col: &'a str,
    /// Its trimmed text, NULL when empty.
    t: &'a str,
    /// How messages name the row.
    row: &'a Row,
    /// Whether a cell in plain form is cast directly (see [`Script::keeps_file_order`]);
    /// `t` is then a name the slow path binds.
    fast: bool,
    /// Whether this is the key column (on the fast path its emptiness is
    /// checked apart, by `pb_key_ok`).
    key: bool,
}

/// A cell of a CSV export as the slot's type: every cell is validated by the
/// language's value grammar and a bad one stops the script with its row,
/// column and value.
fn checked_cell(
    cell: &Cell<'_>,
    slot: &crate::row::Slot,
    numbers: crate::row::parse::Numbers,
    s: &dyn Script,
) -> String {
    use crate::row::parse::Numbers;
    let decimal_comma = numbers == Numbers::Comma;
    let Cell {
        col,
        t,
        row,
        fast,
        key,
    } = *cell;
    let (before, after) = match row {
        Row::Before(b) => (b.as_str(), ""),
        Row::After(a) => ("", a.as_str()),
    };
    // The slow path, with `t` bound to the trimmed text (NULL when empty).
    let slow_path = |body: String| {
        s.bind(
            &format!("NULLIF({}, '')", s.trim(&s.cast(col, Ty::Text))),
            t,
            &body,
        )
    };
    let name = s.text(&slot.name);
    let bad = |what: &str, ty: Ty| {
        s.fail(
            &format!(
                "{before}'column ' || {name} || ': `' || {t} || {}{after}",
                s.text(&format!("` is not {what}"))
            ),
            ty,
        )
    };
    let empty = |ty: Ty| {
        s.fail(
            &format!(
                "{before}'column ' || {name} || ' is required, and this cell is empty'{after}"
            ),
            ty,
        )
    };
    let required = |typed: String, ty: Ty| {
        if slot.optional {
            typed
        } else {
            format!("CASE WHEN {t} IS NULL THEN {} ELSE {typed} END", empty(ty))
        }
    };
    let words_case = |words: &[String], what: &str| {
        format!(
            "{} ELSE CASE WHEN {t} IS NULL THEN {} ELSE {} END END",
            word_case(t, words, s),
            s.null(Ty::Int),
            bad(what, Ty::Int)
        )
    };
    // A cell written exactly as `plain` lists (a word, as declared) is its
    // value without trimming or lower-casing; any other goes the long way.
    // An empty cell (NULL as read) on the fast path: missing, or an error
    // when required. Tested first: an empty optional cell is common.
    let when_null = |ty: Ty| {
        let value = if slot.optional || matches!(slot.kind, SlotKind::Stage(_)) {
            s.null(ty)
        } else {
            empty(ty)
        };
        format!("CASE WHEN {col} IS NULL THEN {value}")
    };
    let exact = |plain: &[(String, String)], ty: Ty, slow: String| {
        if !fast {
            return slow;
        }
        let mut case = when_null(ty);
        for (text, value) in plain {
            case.push_str(&format!(" WHEN {col} = {} THEN {value}", s.text(text)));
        }
        format!("{case} ELSE {} END", slow_path(slow))
    };
    let indexed = |words: &[String]| -> Vec<(String, String)> {
        words
            .iter()
            .enumerate()
            .map(|(i, w)| (w.clone(), i.to_string()))
            .collect()
    };
    match &slot.kind {
        SlotKind::Text if fast => {
            // Trimmed only when there is white space at an end.
            let plain = format!(
                "CASE WHEN {} THEN NULLIF({}, '') ELSE NULLIF({col}, '') END",
                s.edge_space(col),
                s.trim(col)
            );
            // The key's emptiness is checked apart (`pb_key_ok`).
            if slot.optional || key {
                plain
            } else {
                format!("COALESCE({plain}, {})", empty(Ty::Text))
            }
        }
        SlotKind::Text => required(t.to_string(), Ty::Text),
        // On the fast path `t` is bound by no lambda here: a cell whose first
        // character is visible is not blank, any other is trimmed to see.
        SlotKind::List if fast => {
            let blank = format!(
                "CASE WHEN ascii({col}) BETWEEN 33 AND 126 THEN FALSE ELSE NULLIF({}, '') IS NULL END",
                s.trim(col)
            );
            if slot.optional {
                format!("CASE WHEN {blank} THEN NULL ELSE {col} END")
            } else {
                format!("COALESCE({col}, '')")
            }
        }
        SlotKind::List => list_cell(col, t, slot, s),
        SlotKind::Number => {
            let as_number = |text: &str| {
                let n = if decimal_comma {
                    format!("replace({text}, ',', '.')")
                } else {
                    text.to_string()
                };
                s.to_number(&n)
            };
            // The grammar is checked on the cell as written, with its own separator.
            let sep = if decimal_comma { "," } else { "[.]" };
            let grammar = format!("[+-]?([0-9]+{sep}?[0-9]*|{sep}[0-9]+)([eE][+-]?[0-9]+)?");
            // Beside `;` without a decimal comma, `2.500` is Dutch for 2500: not a number.
            let number_test = |text: &str, test: String| {
                if numbers == Numbers::PointBesideSemicolons {
                    format!(
                        "({test} AND NOT {})",
                        // White space around it too: the fast path's cast trims spaces.
                        s.full_match(text, "\\s*[+-]?[0-9]{1,3}([.][0-9]{3})+\\s*")
                    )
                } else {
                    test
                }
            };
            let slow = required(
                format!(
                    "CASE WHEN {t} IS NULL THEN NULL WHEN {} THEN {} ELSE {} END",
                    number_test(t, s.full_match(t, &grammar)),
                    as_number(t),
                    bad("a number", Ty::Double)
                ),
                Ty::Double,
            );
            if fast {
                // A cell that is a number as written has nothing to trim.
                let (test, value) = s
                    .plain_number(col, decimal_comma)
                    .unwrap_or_else(|| (s.full_match(col, &grammar), as_number(col)));
                let test = number_test(col, test);
                format!(
                    "{} WHEN {test} THEN {value} ELSE {} END",
                    when_null(Ty::Double),
                    slow_path(slow)
                )
            } else {
                slow
            }
        }
        SlotKind::Bool => {
            use crate::row::words::BOOL_WORDS;
            let words = |value: bool| {
                let listed: Vec<String> = BOOL_WORDS
                    .iter()
                    .filter(|(_, v)| *v == value)
                    .map(|(w, _)| s.text(w))
                    .collect();
                listed.join(", ")
            };
            let slow = required(
                format!(
                    "CASE WHEN {t} IS NULL THEN NULL WHEN lower({t}) IN ({}) THEN TRUE WHEN lower({t}) IN ({}) THEN FALSE ELSE {} END",
                    words(true),
                    words(false),
                    bad("a yes/no value", Ty::Bool)
                ),
                Ty::Bool,
            );
            // The commonest spellings first: each WHEN is a pass over the rest.
            let plain: Vec<(String, String)> = BOOL_WORDS
                .iter()
                .map(|(w, v)| (w.to_string(), if *v { "TRUE" } else { "FALSE" }.to_string()))
                .collect();
            exact(&plain, Ty::Bool, slow)
        }
        SlotKind::Date(format) => {
            let slow = required(
                format!(
                    "CASE WHEN {t} IS NULL THEN NULL ELSE COALESCE({}, {}) END",
                    s.parse_date(t, format.as_ref()),
                    bad("a date", Ty::Date)
                ),
                Ty::Date,
            );
            match format {
                // An ISO date as written needs no trimming.
                // COALESCE, not a second test of the parse: the engine
                // would compute the parse apart, on every row.
                None if fast => format!(
                    "{} ELSE COALESCE({}, {}) END",
                    when_null(Ty::Date),
                    s.parse_date(col, None),
                    slow_path(slow)
                ),
                _ if fast => slow_path(slow),
                _ => slow,
            }
        }
        SlotKind::Words(words) => exact(
            &indexed(words),
            Ty::Int,
            required(words_case(words, "one of the words"), Ty::Int),
        ),
        SlotKind::Stage(stages) => exact(
            &indexed(stages),
            Ty::Int,
            words_case(stages, "a stage of the journey"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check, SchemaSource};
    use crate::syntax::parse;

    fn sql(source: &str, as_of: &str) -> String {
        let parsed = parse(source);
        let checked = check(&parsed.playbook, source, SchemaSource::File);
        let model = checked.model.expect("the playbook checks");
        let day = crate::dates::parse_iso(as_of).expect("date");
        compile(
            &model,
            day,
            &Source::Table {
                name: "klanten",
                key: None,
            },
            &dialect::DuckDb,
        )
        .expect("compiles")
        .expect("a table query")
    }

    const PLAYBOOK: &str = "customer {\n  id text key\n  n number?\n  d date?\n  k one of a, b\n}\nrule r when k in [] or d more than 3 days ago then x\nrule s when n / 0 > 1 and anniversary of d within next 2 days then y holdout 10%\n";

    #[test]
    fn as_of_is_a_literal_and_no_empty_in_list() {
        let text = sql(PLAYBOOK, "2027-03-01");
        // `d more than 3 days ago`, as of 2027-03-01: on or before 25 February.
        assert!(text.contains("DATE '2027-02-25'"));
        assert!(!text.to_lowercase().contains("current_date"));
        assert!(!text.contains("IN ()"));
        assert!(text.contains("FROM \"klanten\""));
        assert!(text.contains("NULLIF("));
    }

    #[test]
    fn the_29_february_rule_is_decided_by_the_year_of_as_of() {
        // 2027 is not a leap year: 29 February falls on the 28th, inside
        // the two days after 26 February; in 2028 it is a day of its own.
        let key = "(month(s2) * 100 + day(s2))";
        let text = sql(PLAYBOOK, "2027-02-26");
        assert!(text.contains(&format!("{key} BETWEEN 226 AND 229")));
        let text = sql(PLAYBOOK, "2028-02-26");
        assert!(text.contains(&format!("{key} BETWEEN 226 AND 228")));
    }

    #[test]
    fn the_holdout_bucket_reads_md5_hex_big_endian() {
        let text = sql(PLAYBOOK, "2027-03-01");
        assert!(text.contains("substr(md5('s/' || pb_id), 1, 1)"));
        assert!(
            text.contains(" * 268435456"),
            "the first hex digit weighs 16^7"
        );
    }
}
