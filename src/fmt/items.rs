//! The canonical layout of each kind of item.

use super::comments::find_word;
use super::expr::{self, given_value, name, quote, Piece};
use super::layout::{width, Gap, Layout};
use super::{padded, WIDTH};
use crate::ast::*;

/// Prints a playbook's items into a layout.
pub struct Items<'s> {
    pub src: &'s str,
    pub exprs: expr::Printer<'s>,
    pub out: Layout<'s>,
}

impl Items<'_> {
    /// A `given` value; a number as written (`2.500` stays `2.500`).
    fn given(&self, g: &GivenEntry) -> String {
        match &g.value {
            GivenValue::Number(n) => {
                let entry = self.src.get(g.span.range()).unwrap_or("");
                let written = entry.split_once(':').map_or("", |(_, v)| v.trim());
                expr::number_as_written(written, *n)
            }
            v => given_value(v),
        }
    }
}

fn start(span: Span) -> usize {
    span.start as usize
}

fn end(span: Span) -> usize {
    span.end as usize
}

impl Items<'_> {
    pub fn playbook(&mut self, playbook: &Playbook) {
        let items = &playbook.items;
        let mut previous_block = false;
        let mut i = 0;
        while i < items.len() {
            let block = self.is_block(&items[i]);
            let force = i > 0 && (block || previous_block);
            if force || block {
                self.out.new_group();
            }
            let gap = Gap { keep: true, force };
            match &items[i] {
                Item::Title(n) => self.out.statement(
                    0,
                    format!("playbook {}", name(n)),
                    start(n.span),
                    end(n.span),
                    gap,
                ),
                Item::Schema(s) => self.schema(s, gap),
                Item::Journey(j) => self.journey(j, gap),
                Item::Segment(_) => {
                    let run = self.segment_run(&items[i..]);
                    self.segments(&run, gap);
                    i += run.len() - 1;
                }
                Item::Actions(a) => {
                    let pieces = listed(a.names.iter().map(|n| (name(n), n.span)), "");
                    self.out
                        .fill(0, "actions", start(a.span), &pieces, "actions ".len(), gap);
                }
                Item::Policy(p) => self.policy(p, gap),
                Item::Rule(r) => self.rule(r, gap),
                Item::Test(t) => self.test(t, gap),
            }
            previous_block = block;
            i += 1;
        }
    }

    /// Items printed over several lines get a blank line before and after them.
    fn is_block(&self, item: &Item) -> bool {
        match item {
            Item::Schema(_) | Item::Journey(_) | Item::Policy(_) | Item::Test(_) => true,
            Item::Rule(r) => self.one_line_rule(r).is_none(),
            Item::Title(_) | Item::Segment(_) | Item::Actions(_) => false,
        }
    }

    // ───────────────────────────── schema ─────────────────────────────

    fn schema(&mut self, s: &Schema, gap: Gap) {
        let at = start(s.span);
        self.out
            .opener(0, "customer {".into(), at, at + "customer".len(), gap);
        let names = s
            .fields
            .iter()
            .map(|f| width(&name(&f.name)))
            .max()
            .unwrap_or(0);
        for f in &s.fields {
            let head = format!("{}  {}", padded(&name(&f.name), names), field_type(f));
            let tail: Vec<String> = f
                .column
                .iter()
                .map(|(c, _)| format!("from {}", quote(c)))
                .collect();
            let whole = std::iter::once(head.clone())
                .chain(tail.iter().cloned())
                .collect::<Vec<_>>()
                .join(" ");
            if tail.is_empty() || 2 + width(&whole) <= WIDTH {
                self.out
                    .statement(2, whole, start(f.span), end(f.span), Gap::KEEP);
            } else {
                // A long `one of` list: `from` goes under the type.
                let head_end = f
                    .optional
                    .iter()
                    .chain(&f.key)
                    .chain(f.format.iter().map(|(_, s)| s))
                    .map(|s| end(*s))
                    .fold(end(f.ty_span), usize::max);
                let tail_start = f
                    .column
                    .iter()
                    .map(|(_, s)| start(*s))
                    .min()
                    .unwrap_or(head_end);
                self.out
                    .statement(2, head, start(f.span), head_end, Gap::KEEP);
                self.out.statement(
                    2 + names + 2,
                    tail.join(" "),
                    tail_start,
                    end(f.span),
                    Gap::NONE,
                );
            }
        }
        self.out.close(2, end(s.span) - 1);
    }

    // ───────────────────────────── journeys, segments ─────────────────────────────

    fn journey(&mut self, j: &Journey, gap: Gap) {
        let mut head = format!("journey {}", name(&j.name));
        let mut head_end = end(j.name.span);
        if let Some(column) = &j.column {
            head.push_str(&format!(" from column {}", name(column)));
            head_end = end(column.span);
        }
        head.push_str(" {");
        self.out.opener(0, head, start(j.span), head_end, gap);
        let names = j
            .stages
            .iter()
            .filter(|s| s.condition.is_some())
            .map(|s| width(&name(&s.name)))
            .max()
            .unwrap_or(0);
        for stage in &j.stages {
            match &stage.condition {
                Some(c) => {
                    let prefix = format!("stage {}  when", padded(&name(&stage.name), names));
                    let pieces = self.exprs.pieces(c);
                    let cont = 2 + width(&prefix) + 1;
                    self.out
                        .fill(2, &prefix, start(stage.span), &pieces, cont, Gap::KEEP);
                }
                None => self.out.statement(
                    2,
                    format!("stage {}", name(&stage.name)),
                    start(stage.span),
                    end(stage.span),
                    Gap::KEEP,
                ),
            }
        }
        self.out.close(2, end(j.span) - 1);
    }

    /// Segments one after another, without a blank line between them: their `=` align.
    fn segment_run<'a>(&self, items: &'a [Item]) -> Vec<&'a Segment> {
        let mut run: Vec<&Segment> = Vec::new();
        for item in items {
            let Item::Segment(s) = item else { break };
            if let Some(last) = run.last() {
                if self.out.blank_in(end(last.span), start(s.span)) {
                    break;
                }
            }
            run.push(s);
        }
        run
    }

    fn segments(&mut self, run: &[&Segment], gap: Gap) {
        let names = run.iter().map(|s| width(&name(&s.name))).max().unwrap_or(0);
        for (n, s) in run.iter().enumerate() {
            let prefix = format!("segment {} =", padded(&name(&s.name), names));
            let pieces = self.exprs.pieces(&s.condition);
            let gap = if n == 0 { gap } else { Gap::KEEP };
            let cont = width(&prefix) + 1;
            self.out.fill(0, &prefix, start(s.span), &pieces, cont, gap);
        }
    }

    // ───────────────────────────── policy ─────────────────────────────

    fn policy(&mut self, p: &Policy, gap: Gap) {
        let at = start(p.span);
        self.out
            .opener(0, "policy {".into(), at, at + "policy".len(), gap);
        for item in &p.items {
            match item {
                PolicyItem::Suppress {
                    actions,
                    condition,
                    span,
                } => {
                    let mut pieces = listed(actions.iter().map(|n| (name(n), n.span)), "");
                    let mut condition = self.exprs.pieces(condition);
                    if let Some(first) = condition.first_mut() {
                        first.text = format!("when {}", first.text);
                    }
                    pieces.extend(condition);
                    self.out
                        .fill(2, "suppress", start(*span), &pieces, 4, Gap::KEEP);
                }
                PolicyItem::MaxActions { max, span } => {
                    let unit = if max.value == 1.0 {
                        "action"
                    } else {
                        "actions"
                    };
                    let text = format!("max {} {unit} per customer", expr::integer(max.value));
                    self.out
                        .statement(2, text, start(*span), end(*span), Gap::KEEP);
                }
                PolicyItem::Holdout(h) => {
                    self.out
                        .statement(2, holdout(h), start(h.span), end(h.span), Gap::KEEP)
                }
                PolicyItem::DecimalComma { span } => self.out.statement(
                    2,
                    "decimal comma".into(),
                    start(*span),
                    end(*span),
                    Gap::KEEP,
                ),
            }
        }
        self.out.close(2, end(p.span) - 1);
    }

    // ───────────────────────────── rules ─────────────────────────────

    /// `when C then A`, when the rule is unnamed, has nothing more and fits on a line.
    fn one_line_rule(&self, r: &Rule) -> Option<String> {
        if r.name.is_some() || r.unless.is_some() || !r.priority.is_empty() || !r.holdout.is_empty()
        {
            return None;
        }
        let actions: Vec<String> = r.actions.iter().map(action).collect();
        let text = format!(
            "when {} then {}",
            self.exprs.text(&r.condition),
            actions.join(", ")
        );
        (width(&text) <= WIDTH).then_some(text)
    }

    fn rule(&mut self, r: &Rule, gap: Gap) {
        if let Some(text) = self.one_line_rule(r) {
            self.out.statement(0, text, start(r.span), end(r.span), gap);
            return;
        }
        let when = self.exprs.pieces(&r.condition);
        match &r.name {
            Some(n) => {
                self.out.statement(
                    0,
                    format!("rule {}", name(n)),
                    start(r.span),
                    end(n.span),
                    gap,
                );
                self.out
                    .fill(2, "when", start(r.when_span), &when, 7, Gap::NONE);
            }
            None => self.out.fill(0, "when", start(r.span), &when, 5, gap),
        }
        if let Some(unless) = &r.unless {
            let pieces = self.exprs.pieces(unless);
            self.out
                .fill(2, "unless", start(unless.span), &pieces, 9, Gap::NONE);
        }
        let actions = listed(r.actions.iter().map(|a| (action(a), a.span)), "");
        let then = actions.first().map_or(end(r.condition.span), |p| p.start);
        self.out.fill(2, "then", then, &actions, 7, Gap::NONE);
        for p in &r.priority {
            self.out.statement(
                2,
                format!("priority {}", expr::number(p.value)),
                start(p.span),
                end(p.span),
                Gap::NONE,
            );
        }
        for h in &r.holdout {
            self.out
                .statement(2, holdout(h), start(h.span), end(h.span), Gap::NONE);
        }
    }

    // ───────────────────────────── tests ─────────────────────────────

    fn test(&mut self, t: &Test, gap: Gap) {
        let mut head = format!("test {}", name(&t.name));
        let mut head_end = end(t.name.span);
        if let Some((date, span)) = &t.as_of {
            head.push_str(&format!(" as of {date}"));
            head_end = end(*span);
        }
        head.push_str(" {");
        self.out.opener(0, head, start(t.span), head_end, gap);
        let body_end = t
            .given
            .first()
            .map(|g| start(g.span))
            .or_else(|| t.expectations.first().map(|e| start(e.span)))
            .unwrap_or(end(t.span) - 1);
        let given = find_word(self.src, head_end, body_end, "given");
        match (t.given.as_slice(), given) {
            ([], Some(at)) => {
                self.out
                    .statement(2, "given {}".into(), at, at + "given".len(), Gap::KEEP)
            }
            ([], None) => {}
            (entries, at) => {
                let mut pieces = listed(
                    entries
                        .iter()
                        .map(|g| (format!("{}: {}", name(&g.key), self.given(g)), g.span)),
                    " }",
                );
                if let Some(first) = pieces.first_mut() {
                    first.text = format!("{{ {}", first.text);
                }
                let at = at.unwrap_or(body_end);
                self.out
                    .fill(2, "given", at, &pieces, 2 + "given { ".len(), Gap::KEEP);
            }
        }
        for e in &t.expectations {
            self.out.statement(
                2,
                expectation(&e.kind),
                start(e.span),
                end(e.span),
                Gap::KEEP,
            );
        }
        self.out.close(2, end(t.span) - 1);
    }
}

/// Items of a comma-separated list as pieces: `a,` `b,` `c` + `last`.
fn listed(items: impl Iterator<Item = (String, Span)>, last: &str) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = items
        .map(|(text, span)| Piece {
            text: text + ",",
            start: start(span),
            end: end(span),
        })
        .collect();
    if let Some(final_piece) = pieces.last_mut() {
        final_piece.text.pop();
        final_piece.text.push_str(last);
    }
    pieces
}

/// The type and the modifiers that qualify it: `date? format "%d-%m-%Y" key`.
fn field_type(f: &Field) -> String {
    let mut out = match &f.ty {
        FieldType::Text => "text".to_string(),
        FieldType::Number => "number".to_string(),
        FieldType::Bool => "bool".to_string(),
        FieldType::Date => "date".to_string(),
        FieldType::ListOfText => "list of text".to_string(),
        FieldType::OneOf(words) => {
            let words: Vec<String> = words.iter().map(name).collect();
            format!("one of {}", words.join(", "))
        }
    };
    out.push_str(&"?".repeat(f.optional.len()));
    // `format` says how the type is written, so it follows the type.
    for (format, _) in &f.format {
        out.push_str(" format ");
        out.push_str(&quote(format));
    }
    for _ in &f.key {
        out.push_str(" key");
    }
    out
}

fn holdout(h: &Holdout) -> String {
    match &h.salt {
        Some((salt, _)) => format!("holdout {}% salt {}", h.percent, quote(salt)),
        None => format!("holdout {}%", h.percent),
    }
}

fn action(a: &ActionCall) -> String {
    let mut out = name(&a.name);
    if let Some((argument, _)) = &a.argument {
        out.push(' ');
        out.push_str(&quote(argument));
    }
    if let Some(via) = &a.via {
        out.push_str(" via ");
        out.push_str(&name(via));
    }
    out
}

fn expectation(kind: &ExpectKind) -> String {
    match kind {
        ExpectKind::Stage(s) => format!("expect stage {}", name(s)),
        ExpectKind::NoStage(None) => "expect no stage".to_string(),
        ExpectKind::NoStage(Some(j)) => format!("expect no stage in {}", name(j)),
        ExpectKind::Action(a) => format!("expect action {}", name(a)),
        ExpectKind::NoAction(a) => format!("expect no action {}", name(a)),
        ExpectKind::NoActions => "expect no actions".to_string(),
        ExpectKind::Suppressed => "expect suppressed".to_string(),
        ExpectKind::NotSuppressed => "expect not suppressed".to_string(),
        ExpectKind::Segment(s) => format!("expect segment {}", name(s)),
        ExpectKind::NoSegment(s) => format!("expect no segment {}", name(s)),
        ExpectKind::Holdout(a) => format!("expect holdout {}", name(a)),
    }
}
