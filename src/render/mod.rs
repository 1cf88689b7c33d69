//! Rendering diagnostics: human (miette), JSON lines, GitHub Actions annotations, and one
//! SARIF log for a whole run (`sarif.rs`).

pub mod sarif;

use crate::diagnostic::{Diagnostic, Severity};
pub use crate::text::{hidden, visible};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SpanContents,
};
use std::fmt;

/// How diagnostics are printed (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Github,
}

/// A source file, named for messages, with its line starts indexed so that
/// placing many diagnostics in a large file stays fast.
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// The 0-based line holding a byte offset.
    fn line_index(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let mut offset = (offset as usize).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_index(offset);
        let column = self.text[self.line_starts[line]..offset].chars().count() + 1;
        (line + 1, column)
    }
}

impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset();
        let end = start + span.len();
        if end > self.text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let first = self.line_index(start).saturating_sub(context_lines_before);
        let last_line_of_span = self.line_index(if span.is_empty() { end } else { end - 1 });
        let last = (last_line_of_span + context_lines_after).min(self.line_starts.len() - 1);
        // Without context (the `file:line:column` header), the contents start at the span,
        // as miette's own sources do; with context, at the start of the first line.
        let (from, column) = if context_lines_before == 0 {
            (start, self.line_col(start as u32).1 - 1)
        } else {
            (self.line_starts[first], 0)
        };
        // Up to and including the last line's newline, so an empty last line is still shown.
        let to = self
            .line_starts
            .get(last + 1)
            .copied()
            .unwrap_or(self.text.len())
            .max(from);
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[from..to],
            (from, to - from).into(),
            first,
            column,
            last - first + 1,
        )))
    }
}

pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    SourceFile::new("", text).line_col(offset as u32)
}

/// Lines longer than this are not shown as a snippet (a 10 MB one-line file stays readable).
const MAX_SNIPPET_LINE: usize = 400;

struct Report<'a> {
    diag: &'a Diagnostic,
    file: &'a SourceFile,
    with_source: bool,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.with_source {
            f.write_str(&self.diag.message)
        } else {
            let (line, col) = self.file.line_col(self.diag.span().start);
            write!(f, "{}:{line}:{col}: {}", self.file.name, self.diag.message)
        }
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diag.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.with_source
            .then_some(self.file as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.with_source {
            return None;
        }
        let len = self.file.text.len();
        Some(Box::new(self.diag.labels.iter().enumerate().map(
            move |(i, l)| {
                let start = (l.span.start as usize).min(len);
                let end = (l.span.end as usize).clamp(start, len);
                let span = miette::SourceSpan::new(start.into(), end - start);
                if i == 0 {
                    LabeledSpan::new_primary_with_span(l.text.clone(), span)
                } else {
                    LabeledSpan::new_with_span(l.text.clone(), span)
                }
            },
        )))
    }
}

/// Whether every labelled line is short enough to show.
fn snippet_fits(diag: &Diagnostic, file: &SourceFile) -> bool {
    diag.labels.iter().all(|l| {
        let start = (l.span.start as usize).min(file.text.len());
        let line_start = file.text[..floor(&file.text, start)]
            .rfind('\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        let line_end = file.text[floor(&file.text, start)..]
            .find('\n')
            .map(|i| i + start)
            .unwrap_or(file.text.len());
        line_end - line_start <= MAX_SNIPPET_LINE && l.span.len() <= 4 * MAX_SNIPPET_LINE
    })
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Renders one diagnostic for people. `color`: ANSI colours (only on a terminal).
pub fn human(diag: &Diagnostic, file: &SourceFile, color: bool) -> String {
    match escaped_source(diag, file) {
        Some((diag, file)) => human_as_is(&diag, &file, color),
        None => human_as_is(diag, file, color),
    }
}

fn human_as_is(diag: &Diagnostic, file: &SourceFile, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let report = Report {
        diag,
        file,
        with_source: snippet_fits(diag, file),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &report).is_err() {
        out = format!("{}: {}\n", diag.code, diag.message);
    }
    out
}

/// The stable JSON shape of a diagnostic (documented in docs/language.md).
#[derive(serde::Serialize)]
pub struct JsonDiagnostic<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub severity: Severity,
    pub code: String,
    pub message: &'a str,
    pub help: Option<&'a str>,
    /// The code's section in the language reference (`docs/language.md#playbook…`).
    pub docs: String,
}

pub fn json(diag: &Diagnostic, file: &SourceFile) -> String {
    let span = diag.span();
    let (line, column) = file.line_col(span.start);
    let (end_line, end_column) = file.line_col(span.end);
    let value = JsonDiagnostic {
        file: &file.name,
        line,
        column,
        end_line,
        end_column,
        severity: diag.severity,
        code: diag.code.to_string(),
        message: &diag.message,
        help: diag.help.as_deref(),
        docs: diag.code.docs_link(),
    };
    serde_json::to_string(&value).unwrap_or_default()
}

/// A GitHub Actions workflow command: `::error file=…,line=…::message`.
pub fn github(diag: &Diagnostic, file: &SourceFile) -> String {
    let span = diag.span();
    let (line, col) = file.line_col(span.start);
    let (end_line, end_col) = file.line_col(span.end);
    let level = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut message = diag.message.clone();
    if let Some(help) = &diag.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{level} file={},line={line},col={col},endLine={end_line},endColumn={end_col},title={}::{}",
        escape_property(&file.name),
        escape_property(&diag.code.to_string()),
        escape_data(&message)
    )
}

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(diag: &Diagnostic, file: &SourceFile, format: Format, color: bool) -> String {
    match format {
        Format::Human => human(diag, file, color),
        Format::Json => json(diag, file) + "\n",
        Format::Github => github(diag, file) + "\n",
    }
}

/// Colour on a terminal only, and never when NO_COLOR is set.
pub fn use_color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A control character in a playbook's line breaks, not a character to escape.
fn line_break(text: &str, i: usize, c: char) -> bool {
    c == '\n' || c == '\t' || (c == '\r' && text[i + 1..].starts_with('\n'))
}

/// The diagnostic and its file with control characters and bidirectional overrides shown
/// escaped, spans moved to match: a hostile playbook's ESC must not reach the terminal
/// through a snippet. `None` when there is nothing to escape.
fn escaped_source(diag: &Diagnostic, file: &SourceFile) -> Option<(Diagnostic, SourceFile)> {
    let text = &file.text;
    let texts = std::iter::once(diag.message.as_str())
        .chain(diag.help.as_deref())
        .chain(diag.labels.iter().filter_map(|l| l.text.as_deref()));
    let in_text = text
        .char_indices()
        .any(|(i, c)| hidden(c) && !line_break(text, i, c));
    if !in_text && !texts.into_iter().any(|t| t.chars().any(hidden)) {
        return None;
    }
    // Where each escaped character was, and how many bytes were added before it.
    let mut shifts: Vec<(usize, usize)> = Vec::new();
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        if hidden(c) && !line_break(text, i, c) {
            let before = out.len();
            out.extend(c.escape_default());
            let added = out.len() - before - c.len_utf8();
            let total = shifts.last().map_or(0, |s| s.1) + added;
            shifts.push((i, total));
        } else {
            out.push(c);
        }
    }
    let moved = |offset: u32| -> u32 {
        let o = offset as usize;
        let k = shifts.partition_point(|(at, _)| *at < o);
        let extra = if k == 0 { 0 } else { shifts[k - 1].1 };
        u32::try_from(o + extra).unwrap_or(u32::MAX)
    };
    let mut diag = diag.clone();
    diag.message = visible(&diag.message).into_owned();
    diag.help = diag.help.map(|h| visible(&h).into_owned());
    for label in &mut diag.labels {
        label.span.start = moved(label.span.start);
        label.span.end = moved(label.span.end);
        label.text = label.text.take().map(|t| visible(&t).into_owned());
    }
    Some((diag, SourceFile::new(file.name.clone(), out)))
}
