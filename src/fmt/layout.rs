//! Lines of output, and where the comments of the source go among them.
//!
//! Every printed line knows the source range it stands for. Before a line, the comments
//! that come before that range in the source are printed on lines of their own; a
//! comment inside the range (a condition written over several lines and joined) goes
//! there too; a comment after the range on the same source line stays behind the line.
//! Comments are taken strictly in source order, so none is lost or reordered.

use super::comments::Comment;
use super::expr::Piece;
use super::WIDTH;
use std::collections::HashMap;

/// What may stand before a line: a blank line kept from the source, or one always.
#[derive(Clone, Copy, Debug)]
pub struct Gap {
    /// A blank line in the source before it is kept (at most one).
    pub keep: bool,
    /// A blank line always comes before it (and before its comments).
    pub force: bool,
}

impl Gap {
    pub const NONE: Gap = Gap {
        keep: false,
        force: false,
    };
    pub const KEEP: Gap = Gap {
        keep: true,
        force: false,
    };
}

enum Line {
    Blank,
    Comment {
        indent: usize,
        text: String,
    },
    Code {
        indent: usize,
        text: String,
        comment: Option<String>,
        /// Trailing comments of one group are aligned.
        group: usize,
        /// Ends with `{`: no blank line follows it.
        opens: bool,
    },
}

pub struct Layout<'s> {
    src: &'s str,
    comments: Vec<Comment>,
    /// The first comment not printed yet.
    next: usize,
    lines: Vec<Line>,
    /// The end of the source printed so far, to tell where blank lines were.
    last_end: usize,
    group: usize,
}

impl<'s> Layout<'s> {
    pub fn new(src: &'s str, comments: Vec<Comment>) -> Layout<'s> {
        Layout {
            src,
            comments,
            next: 0,
            lines: Vec::new(),
            last_end: 0,
            group: 0,
        }
    }

    /// Starts a new group of aligned trailing comments.
    pub fn new_group(&mut self) {
        self.group += 1;
    }

    /// A line that starts a statement: its comments first, then the line.
    pub fn statement(&mut self, indent: usize, text: String, start: usize, end: usize, gap: Gap) {
        self.comments_before(start, indent, gap);
        let blank = gap.keep && self.blank_in(self.last_end, start);
        self.code(indent, text, end, blank, false);
    }

    /// A line that opens a block (`customer {`).
    pub fn opener(&mut self, indent: usize, text: String, start: usize, end: usize, gap: Gap) {
        self.comments_before(start, indent, gap);
        let blank = gap.keep && self.blank_in(self.last_end, start);
        self.code(indent, text, end, blank, true);
        self.new_group();
    }

    /// The `}` at `at` that closes a block whose lines are indented by `inner`.
    pub fn close(&mut self, inner: usize, at: usize) {
        self.comments_before(at, inner, Gap::KEEP);
        // Nothing inside: the block closes on the line that opened it, `journey j {}`.
        if let Some(Line::Code {
            opens: true,
            comment: opener_comment,
            ..
        }) = self.lines.last()
        {
            // A comment after the `}` stays, unless one is there already.
            let after = match opener_comment {
                Some(_) => None,
                None => self.trailing(at + 1),
            };
            if let Some(Line::Code {
                text,
                comment,
                opens,
                ..
            }) = self.lines.last_mut()
            {
                text.push('}');
                *opens = false;
                if after.is_some() {
                    *comment = after;
                }
            }
            self.last_end = self.last_end.max(at + 1);
            return;
        }
        self.new_group();
        self.code(
            inner.saturating_sub(2),
            "}".to_string(),
            at + 1,
            false,
            false,
        );
    }

    /// Pieces filled into lines of at most `WIDTH` columns: the first line is `prefix`
    /// and as many pieces as fit, the next ones start at column `cont`. A comment
    /// between two pieces in the source ends the line there, so it stays in place.
    pub fn fill(
        &mut self,
        indent: usize,
        prefix: &str,
        start: usize,
        pieces: &[Piece],
        cont: usize,
        gap: Gap,
    ) {
        let mut lines: Vec<(usize, String, usize, usize)> = Vec::new();
        let mut current = (indent, prefix.to_string(), start, start);
        for (i, piece) in pieces.iter().enumerate() {
            let width = current.0 + width(&current.1) + 1 + width(&piece.text);
            let comment = i > 0 && self.comment_between(pieces[i - 1].end, piece.start);
            if i > 0 && (comment || width > WIDTH) {
                lines.push(current);
                current = (cont, piece.text.clone(), piece.start, piece.end);
            } else {
                if !current.1.is_empty() {
                    current.1.push(' ');
                }
                current.1.push_str(&piece.text);
                current.3 = piece.end;
            }
        }
        lines.push(current);
        for (n, (indent, text, start, end)) in lines.into_iter().enumerate() {
            let gap = if n == 0 { gap } else { Gap::NONE };
            self.statement(indent, text, start, end, gap);
        }
    }

    /// Prints the comments left at the end of the file and joins the lines.
    pub fn finish(mut self, newline: &str) -> String {
        self.comments_before(usize::MAX, 0, Gap::KEEP);
        while matches!(self.lines.last(), Some(Line::Blank)) {
            self.lines.pop();
        }
        let mut widths: HashMap<usize, Vec<usize>> = HashMap::new();
        for line in &self.lines {
            if let Line::Code {
                indent,
                text,
                comment: Some(_),
                group,
                ..
            } = line
            {
                widths.entry(*group).or_default().push(indent + width(text));
            }
        }
        let columns: HashMap<usize, usize> = widths
            .into_iter()
            .map(|(group, widths)| (group, comment_column(widths)))
            .collect();
        let mut out = String::new();
        for line in &self.lines {
            match line {
                Line::Blank => {}
                Line::Comment { indent, text } => {
                    push_indent(&mut out, *indent);
                    out.push_str(text);
                }
                Line::Code {
                    indent,
                    text,
                    comment,
                    group,
                    ..
                } => {
                    push_indent(&mut out, *indent);
                    out.push_str(text);
                    if let Some(comment) = comment {
                        let column = columns.get(group).copied().unwrap_or(0);
                        let used = indent + width(text);
                        push_indent(&mut out, column.saturating_sub(used).max(2));
                        out.push_str(comment);
                    }
                }
            }
            out.push_str(newline);
        }
        out
    }

    /// Whether a comment starts in `from..to`.
    pub fn comment_between(&self, from: usize, to: usize) -> bool {
        self.comments[self.next..]
            .iter()
            .take_while(|c| c.start < to)
            .any(|c| c.start >= from)
    }

    /// Whether `src[from..to]` holds an empty line.
    pub fn blank_in(&self, from: usize, to: usize) -> bool {
        let Some(text) = self.src.get(from..to) else {
            return false;
        };
        // The pieces between two line ends are whole lines.
        let mut lines = text.split('\n').skip(1).peekable();
        while let Some(line) = lines.next() {
            if lines.peek().is_some() && is_space(line) {
                return true;
            }
        }
        false
    }

    fn comments_before(&mut self, pos: usize, indent: usize, gap: Gap) {
        let mut force = gap.force;
        while let Some(c) = self.comments.get(self.next) {
            if c.start >= pos {
                break;
            }
            if force || (gap.keep && self.blank_in(self.last_end, c.start)) {
                self.blank();
            }
            force = false;
            self.own_line(indent);
        }
        if force {
            self.blank();
        }
    }

    fn code(&mut self, indent: usize, text: String, end: usize, blank: bool, opens: bool) {
        if blank {
            self.blank();
        }
        // Comments inside the range: the line joins what was written over several.
        while self.comments.get(self.next).is_some_and(|c| c.start < end) {
            self.own_line(indent);
        }
        let comment = self.trailing(end);
        self.lines.push(Line::Code {
            indent,
            text,
            comment,
            group: self.group,
            opens,
        });
        self.last_end = self.last_end.max(end);
    }

    /// The comment after `end` on the same source line, with only brackets and commas
    /// between: it stays at the end of the printed line.
    fn trailing(&mut self, end: usize) -> Option<String> {
        let c = self.comments.get(self.next)?;
        let between = self.src.get(end..c.start)?;
        if !between.chars().all(|ch| {
            matches!(
                ch,
                ' ' | '\t' | '\u{FEFF}' | '{' | '}' | '(' | ')' | '[' | ']' | ','
            )
        }) {
            return None;
        }
        self.next += 1;
        self.last_end = c.end;
        Some(c.text.clone())
    }

    fn own_line(&mut self, indent: usize) {
        let c = &self.comments[self.next];
        self.next += 1;
        self.last_end = self.last_end.max(c.end);
        self.lines.push(Line::Comment {
            indent,
            text: c.text.clone(),
        });
        self.new_group();
    }

    fn blank(&mut self) {
        let after_text = match self.lines.last() {
            None | Some(Line::Blank) => false,
            Some(Line::Code { opens, .. }) => !opens,
            Some(Line::Comment { .. }) => true,
        };
        if after_text {
            self.lines.push(Line::Blank);
        }
        self.new_group();
    }
}

/// The column where a group's trailing comments start: two spaces after its widest line,
/// leaving out lines much wider than the rest (those get their two spaces alone), so one
/// long line does not push every comment of a block to the right.
fn comment_column(mut widths: Vec<usize>) -> usize {
    const OUTLIER: usize = 20;
    widths.sort_unstable();
    while let [.., second, widest] = widths[..] {
        if widest - second <= OUTLIER {
            break;
        }
        widths.pop();
    }
    widths.last().map_or(0, |w| w + 2)
}

/// Columns taken by text (one per character).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

fn is_space(line: &str) -> bool {
    line.chars().all(|c| c.is_whitespace() || c == '\u{FEFF}')
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}
