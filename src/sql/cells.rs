//! The cells a script reads, as their slots' types: a CSV export's checked
//! cell by cell against the language's value grammar, an existing table's
//! trusted to the engine's types.

use super::dialect::{Dialect, Script, Ty};
use crate::dates::DateFormat;
use crate::row::parse::Numbers;
use crate::row::{Slot, SlotKind};

/// The trimmed text of header column `c`, NULL when empty.
pub(super) fn trimmed_col(c: usize) -> String {
    format!("pb_t{c}")
}

/// A missing value of the slot's type: the cell of a column the export lacks.
pub(super) fn null_of(kind: &SlotKind, d: &dyn Dialect) -> String {
    d.null(match kind {
        SlotKind::Number => Ty::Double,
        SlotKind::Bool => Ty::Bool,
        SlotKind::Date(_) => Ty::Date,
        SlotKind::Words(_) | SlotKind::Stage(_) => Ty::Int,
        SlotKind::Text | SlotKind::List => Ty::Text,
    })
}

/// A cell of an existing table as the slot's type: the engine's types are trusted.
pub(super) fn table_cell(col: &str, t: &str, slot: &Slot, d: &dyn Dialect) -> String {
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
pub(super) fn word_case(t: &str, words: &[String], d: &dyn Dialect) -> String {
    let mut case = format!("CASE {}", d.lower(t));
    for (i, w) in words.iter().enumerate() {
        case.push_str(&format!(" WHEN {} THEN {i}", d.text(w)));
    }
    case
}

/// A `;` list as written (split when tested); a required one is never missing.
pub(super) fn list_cell(col: &str, t: &str, slot: &Slot, d: &dyn Dialect) -> String {
    let as_text = d.cast(col, Ty::Text);
    if slot.optional {
        format!("CASE WHEN {t} IS NULL THEN NULL ELSE {as_text} END")
    } else {
        format!("COALESCE({as_text}, '')")
    }
}

/// How a bad cell's message names its row: SQL text put before it (ending
/// in `|| `) or after it (starting with ` ||`).
pub(super) enum Row {
    Before(String),
    After(String),
}

/// A CSV cell as the checks see it.
pub(super) struct Cell<'a> {
    /// The column as read (text).
    pub(super) col: &'a str,
    /// Its trimmed text, NULL when empty.
    pub(super) t: &'a str,
    /// How messages name the row.
    pub(super) row: &'a Row,
    /// Whether a cell in plain form is cast directly (see [`Script::keeps_file_order`]);
    /// `t` is then a name the slow path binds.
    pub(super) fast: bool,
    /// Whether this is the key column (on the fast path its emptiness is
    /// checked apart, by `pb_key_ok`).
    pub(super) key: bool,
}

/// A cell of a CSV export as the slot's type: every cell is validated by the
/// language's value grammar and a bad one stops the script with its row,
/// column and value.
pub(super) fn checked_cell(
    cell: &Cell<'_>,
    slot: &Slot,
    numbers: Numbers,
    s: &dyn Script,
) -> String {
    let (before, after) = match cell.row {
        Row::Before(b) => (b.as_str(), ""),
        Row::After(a) => ("", a.as_str()),
    };
    let c = Checks {
        col: cell.col,
        t: cell.t,
        fast: cell.fast,
        key: cell.key,
        before,
        after,
        name: s.text(&slot.name),
        slot,
        numbers,
        s,
    };
    match &slot.kind {
        SlotKind::Text if c.fast => c.fast_text(),
        SlotKind::Text => c.required(c.t.to_string(), Ty::Text),
        // On the fast path `t` is bound by no lambda here: a cell whose first
        // character is visible is not blank, any other is trimmed to see.
        SlotKind::List if c.fast => c.fast_list(),
        SlotKind::List => list_cell(c.col, c.t, slot, s),
        SlotKind::Number => c.number(),
        SlotKind::Bool => c.boolean(),
        SlotKind::Date(format) => c.date(format.as_ref()),
        SlotKind::Words(words) => c.exact(
            &indexed(words),
            Ty::Int,
            c.required(c.words_case(words, "one of the words"), Ty::Int),
        ),
        SlotKind::Stage(stages) => c.exact(
            &indexed(stages),
            Ty::Int,
            c.words_case(stages, "a stage of the journey"),
        ),
    }
}

/// Each word written as declared, with its index: the plain forms of a `one of` cell.
fn indexed(words: &[String]) -> Vec<(String, String)> {
    words
        .iter()
        .enumerate()
        .map(|(i, w)| (w.clone(), i.to_string()))
        .collect()
}

/// What the checks of one CSV cell share: the cell, its slot and the engine.
struct Checks<'a> {
    /// The column as read (text).
    col: &'a str,
    /// Its trimmed text, NULL when empty (on the fast path, bound by the slow path).
    t: &'a str,
    fast: bool,
    key: bool,
    /// The row's name, before or after a message (see [`Row`]).
    before: &'a str,
    after: &'a str,
    /// The slot's name as SQL text.
    name: String,
    slot: &'a Slot,
    numbers: Numbers,
    s: &'a dyn Script,
}

impl Checks<'_> {
    /// The slow path, with `t` bound to the trimmed text (NULL when empty).
    fn slow_path(&self, body: String) -> String {
        let s = self.s;
        s.bind(
            &format!("NULLIF({}, '')", s.trim(&s.cast(self.col, Ty::Text))),
            self.t,
            &body,
        )
    }

    /// Stops the script: the cell is not `what`.
    fn bad(&self, what: &str, ty: Ty) -> String {
        let Self {
            before,
            after,
            name,
            t,
            s,
            ..
        } = self;
        s.fail(
            &format!(
                "{before}'column ' || {name} || ': `' || {t} || {}{after}",
                s.text(&format!("` is not {what}"))
            ),
            ty,
        )
    }

    /// Stops the script: a required cell is empty.
    fn empty(&self, ty: Ty) -> String {
        let Self {
            before,
            after,
            name,
            s,
            ..
        } = self;
        s.fail(
            &format!(
                "{before}'column ' || {name} || ' is required, and this cell is empty'{after}"
            ),
            ty,
        )
    }

    /// `typed`, an error where a required cell is empty.
    fn required(&self, typed: String, ty: Ty) -> String {
        if self.slot.optional {
            typed
        } else {
            format!(
                "CASE WHEN {} IS NULL THEN {} ELSE {typed} END",
                self.t,
                self.empty(ty)
            )
        }
    }

    /// A word's index, missing when empty, an error when not one of `words`.
    fn words_case(&self, words: &[String], what: &str) -> String {
        let (t, s) = (self.t, self.s);
        format!(
            "{} ELSE CASE WHEN {t} IS NULL THEN {} ELSE {} END END",
            word_case(t, words, s),
            s.null(Ty::Int),
            self.bad(what, Ty::Int)
        )
    }

    // A cell written exactly as `plain` lists (a word, as declared) is its
    // value without trimming or lower-casing; any other goes the long way.
    // An empty cell (NULL as read) on the fast path: missing, or an error
    // when required. Tested first: an empty optional cell is common.

    /// `CASE WHEN col IS NULL THEN …` (open): the fast path's empty cell.
    fn when_null(&self, ty: Ty) -> String {
        let slot = self.slot;
        let value = if slot.optional || matches!(slot.kind, SlotKind::Stage(_)) {
            self.s.null(ty)
        } else {
            self.empty(ty)
        };
        format!("CASE WHEN {} IS NULL THEN {value}", self.col)
    }

    /// On the fast path, the `plain` spellings matched as written before `slow`.
    fn exact(&self, plain: &[(String, String)], ty: Ty, slow: String) -> String {
        if !self.fast {
            return slow;
        }
        let col = self.col;
        let mut case = self.when_null(ty);
        for (text, value) in plain {
            case.push_str(&format!(" WHEN {col} = {} THEN {value}", self.s.text(text)));
        }
        format!("{case} ELSE {} END", self.slow_path(slow))
    }

    /// A text cell on the fast path.
    fn fast_text(&self) -> String {
        let (col, s) = (self.col, self.s);
        // Trimmed only when there is white space at an end.
        let plain = format!(
            "CASE WHEN {} THEN NULLIF({}, '') ELSE NULLIF({col}, '') END",
            s.edge_space(col),
            s.trim(col)
        );
        // The key's emptiness is checked apart (`pb_key_ok`).
        if self.slot.optional || self.key {
            plain
        } else {
            format!("COALESCE({plain}, {})", self.empty(Ty::Text))
        }
    }

    /// A `;` list on the fast path: blank only when trimmed to nothing.
    fn fast_list(&self) -> String {
        let col = self.col;
        let blank = format!(
            "CASE WHEN ascii({col}) BETWEEN 33 AND 126 THEN FALSE ELSE NULLIF({}, '') IS NULL END",
            self.s.trim(col)
        );
        if self.slot.optional {
            format!("CASE WHEN {blank} THEN NULL ELSE {col} END")
        } else {
            format!("COALESCE({col}, '')")
        }
    }

    /// Whether the export writes a decimal comma.
    fn decimal_comma(&self) -> bool {
        self.numbers == Numbers::Comma
    }

    /// Number text as a number, its decimal comma made a point.
    fn as_number(&self, text: &str) -> String {
        let n = if self.decimal_comma() {
            format!("replace({text}, ',', '.')")
        } else {
            text.to_string()
        };
        self.s.to_number(&n)
    }

    /// Beside `;` without a decimal comma, `2.500` is Dutch for 2500: not a number.
    fn number_test(&self, text: &str, test: String) -> String {
        if self.numbers == Numbers::PointBesideSemicolons {
            format!(
                "({test} AND NOT {})",
                // White space around it too: the fast path's cast trims spaces.
                self.s
                    .full_match(text, "\\s*[+-]?[0-9]{1,3}([.][0-9]{3})+\\s*")
            )
        } else {
            test
        }
    }

    /// A number cell.
    fn number(&self) -> String {
        let (col, t, s) = (self.col, self.t, self.s);
        // The grammar is checked on the cell as written, with its own separator.
        let sep = if self.decimal_comma() { "," } else { "[.]" };
        let grammar = format!("[+-]?([0-9]+{sep}?[0-9]*|{sep}[0-9]+)([eE][+-]?[0-9]+)?");
        let slow = self.required(
            format!(
                "CASE WHEN {t} IS NULL THEN NULL WHEN {} THEN {} ELSE {} END",
                self.number_test(t, s.full_match(t, &grammar)),
                self.as_number(t),
                self.bad("a number", Ty::Double)
            ),
            Ty::Double,
        );
        if !self.fast {
            return slow;
        }
        // A cell that is a number as written has nothing to trim.
        let (test, value) = s
            .plain_number(col, self.decimal_comma())
            .unwrap_or_else(|| (s.full_match(col, &grammar), self.as_number(col)));
        let test = self.number_test(col, test);
        format!(
            "{} WHEN {test} THEN {value} ELSE {} END",
            self.when_null(Ty::Double),
            self.slow_path(slow)
        )
    }

    /// A yes/no cell.
    fn boolean(&self) -> String {
        use crate::row::words::BOOL_WORDS;
        let (t, s) = (self.t, self.s);
        let words = |value: bool| {
            let listed: Vec<String> = BOOL_WORDS
                .iter()
                .filter(|(_, v)| *v == value)
                .map(|(w, _)| s.text(w))
                .collect();
            listed.join(", ")
        };
        let slow = self.required(
            format!(
                "CASE WHEN {t} IS NULL THEN NULL WHEN lower({t}) IN ({}) THEN TRUE WHEN lower({t}) IN ({}) THEN FALSE ELSE {} END",
                words(true),
                words(false),
                self.bad("a yes/no value", Ty::Bool)
            ),
            Ty::Bool,
        );
        // The commonest spellings first: each WHEN is a pass over the rest.
        let plain: Vec<(String, String)> = BOOL_WORDS
            .iter()
            .map(|(w, v)| (w.to_string(), if *v { "TRUE" } else { "FALSE" }.to_string()))
            .collect();
        self.exact(&plain, Ty::Bool, slow)
    }

    /// A date cell, ISO or in the field's `format`.
    fn date(&self, format: Option<&DateFormat>) -> String {
        let (t, s) = (self.t, self.s);
        let slow = self.required(
            format!(
                "CASE WHEN {t} IS NULL THEN NULL ELSE COALESCE({}, {}) END",
                s.parse_date(t, format),
                self.bad("a date", Ty::Date)
            ),
            Ty::Date,
        );
        match format {
            // An ISO date as written needs no trimming.
            // COALESCE, not a second test of the parse: the engine
            // would compute the parse apart, on every row.
            None if self.fast => format!(
                "{} ELSE COALESCE({}, {}) END",
                self.when_null(Ty::Date),
                s.parse_date(self.col, None),
                self.slow_path(slow)
            ),
            _ if self.fast => self.slow_path(slow),
            _ => slow,
        }
    }
}
