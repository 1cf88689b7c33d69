//! What a row *is*: typed cells, the slots a program reads and their kinds, and the value
//! words of language.md §2 and §11 with their parsing. Both the readers (`data`) and the
//! evaluator (`eval`) stand on this; it imports neither.

pub mod cell;
pub mod parse;
pub mod slot;
pub mod words;

pub use cell::{Cell, ListCell, Row};
pub use parse::{match_word, parse_cell, Numbers};
pub use slot::{Binding, Slot, SlotKind};
pub use words::{parse_bool, split_list, BOOL_WORDS};
