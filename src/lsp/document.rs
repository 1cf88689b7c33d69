//! An open document: its text, its line starts, and the conversion between byte offsets and
//! LSP positions (lines and UTF-16 code units, as the protocol counts).

use lsp_types::{Position, Range};

/// The text of one open document, as the editor has it.
pub struct Document {
    pub text: String,
    pub version: i32,
    line_starts: Vec<usize>,
}

impl Document {
    pub fn new(text: String, version: i32) -> Document {
        let line_starts = line_starts(&text);
        Document {
            text,
            version,
            line_starts,
        }
    }

    /// The byte offset of a position. A position past the end of its line is the line's end,
    /// one past the last line is the end of the text; one inside a surrogate pair (half an
    /// emoji) is the start of that character. Never out of bounds, never off a char boundary.
    pub fn offset(&self, pos: Position) -> usize {
        let Some(&start) = self.line_starts.get(pos.line as usize) else {
            return self.text.len();
        };
        let end = self
            .line_starts
            .get(pos.line as usize + 1)
            .map_or(self.text.len(), |&next| next);
        let line = &self.text[start..end];
        let mut units = 0u32;
        for (i, c) in line.char_indices() {
            if c == '\n' || c == '\r' && line[i + 1..].starts_with('\n') {
                return start + i;
            }
            let width = c.len_utf16() as u32;
            if units + width > pos.character {
                return start + i;
            }
            units += width;
        }
        end
    }

    /// The position of a byte offset (clamped to the text, and down to a char boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self
            .line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        let character: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, span: std::ops::Range<usize>) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// Applies one change of `textDocument/didChange`: a range replaced, or (no range) the
    /// whole text. A range whose end is before its start is taken the other way round.
    pub fn apply(&mut self, range: Option<Range>, new_text: &str) {
        match range {
            None => self.text = new_text.to_string(),
            Some(r) => {
                let (a, b) = (self.offset(r.start), self.offset(r.end));
                let (a, b) = (a.min(b), a.max(b));
                self.text.replace_range(a..b, new_text);
            }
        }
        self.line_starts = line_starts(&self.text);
    }
}

/// Where each line starts. Only `\n` ends a line here; `\r\n` is `\r` then the end. A lone
/// `\r` does not end a line (the playbook parser does not treat it as one either).
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn utf16_positions_round_trip() {
        let doc = Document::new("é😀x\nab\r\ncd".to_string(), 0);
        // é is one unit (2 bytes), 😀 two units (4 bytes).
        assert_eq!(doc.offset(pos(0, 1)), 2);
        assert_eq!(doc.offset(pos(0, 3)), 6);
        assert_eq!(doc.position(6), pos(0, 3));
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(doc.offset(pos(0, 2)), 2);
        // Past the end of a line: before its `\r\n`.
        assert_eq!(doc.offset(pos(1, 99)), 10);
        assert_eq!(doc.offset(pos(2, 1)), 13);
        assert_eq!(doc.offset(pos(9, 0)), doc.text.len());
        // Inside a UTF-8 sequence: down to the char.
        assert_eq!(doc.position(1), pos(0, 0));
    }

    #[test]
    fn incremental_edits_apply_at_utf16_positions() {
        let mut doc = Document::new("stage oriëntatie\nrule 😀 x".to_string(), 1);
        doc.apply(Some(Range::new(pos(0, 9), pos(0, 10))), "e");
        assert_eq!(doc.text, "stage orientatie\nrule 😀 x");
        doc.apply(Some(Range::new(pos(1, 8), pos(1, 9))), "y");
        assert_eq!(doc.text, "stage orientatie\nrule 😀 y");
        doc.apply(Some(Range::new(pos(1, 0), pos(0, 5))), "");
        assert_eq!(doc.text, "stagerule 😀 y");
        assert_eq!(doc.position(doc.text.len()), pos(0, 14));
        doc.apply(None, "new");
        assert_eq!(doc.text, "new");
    }
}
