//! Names: actions, stages, segments and journeys declared, their order and cycles, and
//! unknown names with their did-you-mean.

use super::ast_node::Current;
use super::model::*;
use super::problems::{NameKind, Problem};
use super::{Checker, Named};
use crate::ast::{self, Playbook};
use crate::diagnostic::{Code, Diagnostic};
use std::collections::HashMap;

impl Checker<'_> {
    pub(super) fn declare_actions(&mut self, playbook: &Playbook) {
        for decl in playbook.action_decls() {
            self.actions_declared = true;
            for name in &decl.names {
                if self.actions.contains(&name.text) {
                    self.error(
                        Problem::ActionTwice {
                            name: name.text.clone(),
                            span: name.span,
                        }
                        .diagnostic(),
                    );
                } else {
                    self.actions.push(name.text.clone());
                }
            }
        }
    }

    /// Stages, segments and journeys share one namespace.
    pub(super) fn declare_names(&mut self, playbook: &Playbook) {
        let declare = |checker: &mut Self, name: &ast::Name, named: Named| {
            if let Some((_, first)) = checker.names.get(&name.text) {
                let first = *first;
                checker.error(
                    Problem::NameTwice {
                        name: name.text.clone(),
                        span: name.span,
                        first,
                    }
                    .diagnostic(),
                );
            } else {
                checker.names.insert(name.text.clone(), (named, name.span));
            }
        };
        for item in &playbook.items {
            match item {
                ast::Item::Journey(j) => {
                    let journey = self.journeys.len();
                    declare(self, &j.name, Named::Journey(journey));
                    for (stage, s) in j.stages.iter().enumerate() {
                        declare(self, &s.name, Named::Stage { journey, stage });
                    }
                    self.journeys.push(JourneyDef {
                        name: j.name.text.clone(),
                        stages: j
                            .stages
                            .iter()
                            .map(|s| StageDef {
                                name: s.name.text.clone(),
                                condition: None,
                                span: s.name.span,
                            })
                            .collect(),
                        column: j.column.as_ref().map(|c| c.text.clone()),
                        span: j.name.span,
                    });
                }
                ast::Item::Segment(s) => {
                    declare(self, &s.name, Named::Segment(self.segments.len()));
                    self.segments.push(SegmentDef {
                        name: s.name.text.clone(),
                        condition: Cond {
                            kind: CondKind::Const(false),
                            span: s.span,
                        },
                        span: s.name.span,
                    });
                    self.segment_uses.push(0);
                }
                _ => {}
            }
        }
    }

    pub(super) fn resolve_journeys(&mut self, playbook: &Playbook) {
        for (index, journey) in playbook.journeys().enumerate() {
            if journey.stages.is_empty() {
                self.error(
                    Diagnostic::new(
                        Code::EmptyJourney,
                        journey.name.span,
                        format!("the journey `{}` has no stages", journey.name.text),
                    )
                    .help("add stages: `stage meerwaarde when orders >= 1`"),
                );
            }
            self.current = Some(Current::Journey(index));
            self.deps.clear();
            for (s, stage) in journey.stages.iter().enumerate() {
                match (&journey.column, &stage.condition) {
                    (None, Some(condition)) => {
                        let cond = self.cond(condition);
                        if let Some(def) = self.journeys.get_mut(index) {
                            def.stages[s].condition = Some(cond);
                        }
                    }
                    (None, None) => self.error(
                        Diagnostic::new(
                            Code::EmptyJourney,
                            stage.name.span,
                            format!("the stage `{}` has no condition", stage.name.text),
                        )
                        .help("write `stage NAME when CONDITION`, or read the journey from a column: `journey NAME from column COLUMN { … }`"),
                    ),
                    (Some(_), Some(condition)) => self.error(
                        Diagnostic::new(
                            Code::InvalidModifier,
                            condition.span,
                            "a journey read from a column has no stage conditions",
                        )
                        .help("remove the `when …`: the stage comes from the column"),
                    ),
                    (Some(_), None) => {}
                }
            }
            self.current = None;
            let deps = std::mem::take(&mut self.deps);
            self.journey_deps.push(deps);
        }
    }

    pub(super) fn resolve_segments(&mut self, playbook: &Playbook) {
        for (index, segment) in playbook.segments().enumerate() {
            self.current = Some(Current::Segment(index));
            self.deps.clear();
            let cond = self.cond(&segment.condition);
            if let Some(def) = self.segments.get_mut(index) {
                def.condition = cond;
            }
            self.current = None;
            let deps = std::mem::take(&mut self.deps);
            self.segment_deps.push(deps);
        }
    }

    /// Orders journeys and segments so each comes after what it uses; reports cycles.
    pub(super) fn order(&mut self) -> Vec<Node> {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done,
        }
        let nodes: Vec<Node> = (0..self.journeys.len())
            .map(Node::Journey)
            .chain((0..self.segments.len()).map(Node::Segment))
            .collect();
        let mut marks: HashMap<Node, Mark> = nodes.iter().map(|n| (*n, Mark::New)).collect();
        let mut order = Vec::new();
        let mut reported = false;
        for &start in &nodes {
            if marks[&start] != Mark::New {
                continue;
            }
            // Iterative depth-first search: (node, next dependency to visit).
            let mut stack: Vec<(Node, usize)> = vec![(start, 0)];
            marks.insert(start, Mark::Active);
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let deps = self.deps_of(node);
                if let Some(&dep) = deps.get(*next) {
                    *next += 1;
                    match marks.get(&dep).copied().unwrap_or(Mark::Done) {
                        Mark::New => {
                            marks.insert(dep, Mark::Active);
                            stack.push((dep, 0));
                        }
                        Mark::Active => {
                            if !reported {
                                let from = stack.iter().position(|(n, _)| *n == dep).unwrap_or(0);
                                let cycle: Vec<Node> =
                                    stack[from..].iter().map(|(n, _)| *n).collect();
                                self.report_cycle(&cycle);
                                reported = true;
                            }
                        }
                        Mark::Done => {}
                    }
                } else {
                    marks.insert(node, Mark::Done);
                    order.push(node);
                    stack.pop();
                }
            }
        }
        order
    }

    fn deps_of(&self, node: Node) -> Vec<Node> {
        match node {
            Node::Journey(j) => self.journey_deps.get(j).cloned().unwrap_or_default(),
            Node::Segment(s) => self.segment_deps.get(s).cloned().unwrap_or_default(),
        }
    }

    fn report_cycle(&mut self, cycle: &[Node]) {
        let name = |n: &Node| match n {
            Node::Journey(j) => format!("journey `{}`", self.journeys[*j].name),
            Node::Segment(s) => format!("segment `{}`", self.segments[*s].name),
        };
        let mut path: Vec<String> = cycle.iter().map(name).collect();
        path.push(name(&cycle[0]));
        let has_segment = cycle.iter().any(|n| matches!(n, Node::Segment(_)));
        let first_span = match cycle[0] {
            Node::Journey(j) => self.journeys[j].span,
            Node::Segment(s) => self.segments[s].span,
        };
        let code = if has_segment {
            Code::SegmentCycle
        } else {
            Code::JourneyCycle
        };
        self.error(
            Diagnostic::new(
                code,
                first_span,
                format!(
                    "these definitions use each other in a circle: {}",
                    path.join(" → ")
                ),
            )
            .label("part of the circle")
            .help("break the circle: one of them must be defined without the other"),
        );
    }

    // ───────────────────────────── rules ─────────────────────────────

    pub(super) fn unknown_named(
        &mut self,
        name: &ast::Name,
        kind: NameKind,
        want: fn(&Named) -> bool,
    ) {
        let known = self.names_of(want);
        let diag = Problem::UnknownName {
            kind,
            name: name.text.clone(),
            span: name.span,
            known: known.iter().map(|k| k.to_string()).collect(),
        }
        .diagnostic();
        // The segment it was meant to be is not also "never used".
        let meant = crate::diagnostic::did_you_mean(&name.text, known.iter().copied())
            .and_then(|m| self.names.get(m));
        if let Some((Named::Segment(s), _)) = meant.copied() {
            if let Some(u) = self.segment_uses.get_mut(s) {
                *u += 1;
            }
        }
        self.error(diag);
    }
}
