//! What a row is once read: one typed cell per slot, and the customer id.

/// One typed cell of a row.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'r> {
    Missing,
    Number(f64),
    Bool(bool),
    Date(i32),
    Word(u32),
    Text(&'r str),
    List(ListCell<'r>),
    /// A `from column` journey's stage.
    Stage(Option<u16>),
}

/// A list: a `;`-separated cell, or items given one by one (JSON, tests).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ListCell<'r> {
    Joined(&'r str),
    Items(&'r [String]),
}

impl<'r> ListCell<'r> {
    pub fn for_each_item(&self, mut f: impl FnMut(&str) -> bool) -> bool {
        match self {
            ListCell::Joined(text) => text
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .any(&mut f),
            ListCell::Items(items) => items
                .iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .any(f),
        }
    }
}

/// A row ready to evaluate: the customer id and one cell per program slot.
pub struct Row<'r> {
    pub id: &'r str,
    pub cells: &'r [Cell<'r>],
}
