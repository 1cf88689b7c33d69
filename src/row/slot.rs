//! Slots: the values a program reads from a row, by kind; and how they are bound to the
//! columns of one export's header.

use crate::dates::DateFormat;

/// How one slot of a row is read from its cell.
#[derive(Clone, Debug)]
pub enum SlotKind {
    Text,
    Number,
    Bool,
    Date(Option<DateFormat>),
    /// `one of`: the words lower-cased, matched case-insensitively.
    Words(Vec<String>),
    List,
    /// A `from column` journey: the stage names lower-cased.
    Stage(Vec<String>),
}

/// One value a program reads from a row: a field, or a `from column` journey's stage.
#[derive(Clone, Debug)]
pub struct Slot {
    /// The field's name (or the journey's column) for messages.
    pub name: String,
    /// The export column it reads, by name (`from "…"`, else the field's name).
    pub column: String,
    pub kind: SlotKind,
    pub optional: bool,
}

/// A program's slots bound to one export's header: which column each reads, and which
/// holds the customer id. Made once per export, before any row is read.
#[derive(Clone, Debug)]
pub struct Binding {
    pub slots: Vec<Slot>,
    /// Per slot: the column's index, or `None` when an optional field's column is absent.
    pub columns: Vec<Option<usize>>,
    /// The column holding the customer id.
    pub key_column: usize,
    /// A text slot reading that column, if any: its cell is the id's text.
    pub key_slot: Option<usize>,
    /// The key column's name, for messages.
    pub key_name: String,
}

impl Binding {
    /// The slots with their columns: `None` where an optional field's column is absent.
    pub fn bound(&self) -> impl Iterator<Item = (&Slot, Option<usize>)> {
        self.slots.iter().zip(self.columns.iter().copied())
    }

    /// The columns the program reads, the key's included (each may appear twice).
    pub fn read_columns(&self) -> impl Iterator<Item = usize> + '_ {
        self.columns
            .iter()
            .filter_map(|c| *c)
            .chain(std::iter::once(self.key_column))
    }
}
