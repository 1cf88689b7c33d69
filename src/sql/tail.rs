//! The decisions' output: per customer, the actions that fire, written as
//! the rows of `eval --format csv` (customer, stages, rule, action, …).

use super::dialect::{Dialect, Ty};
use super::expr::{slot_col, stage_col};
use super::Columns;
use crate::eval::program::Program;
use crate::row::SlotKind;

/// An action a rule can fire, as SQL.
pub(super) struct Fired {
    pub(super) rule: usize,
    pub(super) action: usize,
    /// When it fires (the customer not suppressed as a whole).
    pub(super) filter: String,
    pub(super) priority: f64,
    pub(super) rule_name: String,
    pub(super) action_name: String,
    pub(super) argument: Option<String>,
    pub(super) channel: Option<String>,
    /// The slot of the `via` field, when the channel depends on the row.
    pub(super) channel_slot: Option<u16>,
    pub(super) holdout: Option<String>,
}

/// The decisions of an engine that keeps file order: per customer, the list
/// of the actions that fire (by priority, cut to `max`, back in firing order),
/// unnested. Returns the query that decides, whose rows are stored as
/// `pb_decisions` (narrow: numbers and the id), and the SELECT that writes
/// them: each column an item of a constant list, no sort, no window.
pub(super) fn in_order_tail(
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
    let list = fired_list(items, p);
    let skip = format!(
        "pb_sup OR {{{}}} IS NULL",
        checked_cells(p, cols).join(", ")
    );
    sql.push_str(&format!(
        ",\npb_fired AS (\n  SELECT *, unnest(CASE WHEN {skip} THEN [] ELSE {list} END) AS pb_i FROM pb_decide\n)\n"
    ));
    select.extend(item_columns(items, policy, &text_null));
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

/// Which items fire, as a list (of item numbers) in firing order, cut to `max`.
fn fired_list(items: &[Fired], p: &Program) -> String {
    // The items in the order `max` keeps them: by priority, ties in firing order.
    let mut by_priority: Vec<usize> = (0..items.len()).collect();
    if p.max_actions.is_some() {
        by_priority.sort_by(|&a, &b| items[b].priority.total_cmp(&items[a].priority));
    }
    // Which items fire, as a list in firing order. With few items, a bit
    // per item picks a list worked out here; else the list is filtered per row.
    if items.len() <= MASK_ITEMS {
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
    }
}

/// The checked cells a customer's decisions wait on, as the entries of a
/// struct (`'s0': s0`): a failed check makes it NULL.
fn checked_cells(p: &Program, cols: &Columns) -> Vec<String> {
    // No WHERE: the engine would push it below the cell checks and skip
    // them for suppressed customers. And every cell's check is used here,
    // or the engine drops those of fields no rule reads.
    // (The key's own slot is not: `pb_key_ok` checks it, cheaper.)
    (p.slots.iter().enumerate())
        .filter(|(i, slot)| {
            !(cols.binding.columns[*i] == Some(cols.binding.key_column)
                && matches!(slot.kind, SlotKind::Text))
        })
        .map(|(i, _)| slot_col(i as u16))
        .chain(["pb_key_ok".to_string()])
        .map(|c| format!("'{c}': {c}"))
        .collect()
}

/// A column's value for item `pb_i`: a constant list, with the items
/// whose value depends on the row (`varies`) picked out first.
fn by_item(
    items: &[Fired],
    values: Vec<Option<String>>,
    varies: &dyn Fn(&Fired) -> bool,
    text_null: &str,
) -> String {
    if values.iter().all(Option::is_none) {
        return text_null.to_string();
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
}

/// The item's columns of the writing SELECT: rule, action, argument, channel, holdout.
fn item_columns(items: &[Fired], policy: &str, text_null: &str) -> [String; 5] {
    let never = |_: &Fired| false;
    let rule = by_item(
        items,
        items.iter().map(|i| Some(i.rule_name.clone())).collect(),
        &never,
        text_null,
    );
    let action = by_item(
        items,
        items.iter().map(|i| Some(i.action_name.clone())).collect(),
        &never,
        text_null,
    );
    let argument = by_item(
        items,
        items.iter().map(|i| i.argument.clone()).collect(),
        &never,
        text_null,
    );
    let channel = by_item(
        items,
        items.iter().map(|i| i.channel.clone()).collect(),
        &|i: &Fired| i.channel_slot.is_some(),
        text_null,
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
    [
        format!("{rule} AS rule"),
        format!("{action} AS action"),
        format!("{argument} AS argument"),
        format!("{channel} AS channel"),
        format!("CASE WHEN {holdout} THEN 'true' ELSE 'false' END AS holdout"),
    ]
}

/// Up to this many actions, the fired list is picked by a bit mask from the
/// 2^N lists worked out when compiling.
const MASK_ITEMS: usize = 8;

/// The decisions of an engine whose rows have no order: one row per fired
/// action (a UNION ALL), `max` by a window, sorted by file order — in the
/// query, or by `pb_o1..3` when the script writes (`order_keys`).
pub(super) fn sorted_tail(
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
