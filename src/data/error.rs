//! Problems with an export's data: which file, row and column, and the line with the cell marked.

use crate::row::parse::excerpt;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};
use std::fmt;

/// A bad row or an unreadable export.
#[derive(Clone, Debug, PartialEq)]
pub struct DataError {
    pub file: String,
    /// The 1-based line the record starts on.
    pub line: Option<u64>,
    /// The column's header.
    pub column: Option<String>,
    pub message: String,
    pub help: Option<String>,
    /// The record as it stands in the file, and the byte range of the bad cell in it.
    pub record: Option<(String, Option<std::ops::Range<usize>>)>,
}

impl DataError {
    pub fn new(file: &str, message: impl Into<String>) -> DataError {
        DataError {
            file: file.to_string(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            record: None,
        }
    }

    pub fn at_line(mut self, line: u64) -> DataError {
        self.line = Some(line);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> DataError {
        self.help = Some(help.into());
        self
    }

    /// The one-line reason, as written to a rejects file: bounded, whatever the record's
    /// size (the record itself is written whole beside it).
    pub fn reason(&self) -> String {
        let message = bounded(&self.message);
        match &self.column {
            Some(c) => format!("column `{}`: {message}", excerpt(c)),
            None => message.into_owned(),
        }
    }

    /// For people: the place, the message, and the record with the cell marked.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_width(100)
            .with_links(false);
        let (source, label) = match self.snippet() {
            Some((s, l)) => (Some(s), l),
            None => (None, None),
        };
        let report = Report {
            error: self,
            source,
            label,
        };
        let mut out = String::new();
        if handler.render_report(&mut out, &report).is_err() {
            out = format!("error: {}\n", self.headline());
        }
        out
    }

    /// The record (cut short when long, keeping the cell in view) and the cell's label.
    fn snippet(&self) -> Option<(RecordSource, Option<LabeledSpan>)> {
        let (record, cell) = self.record.as_ref()?;
        let mut text: String = record.trim_end_matches(['\r', '\n']).to_string();
        let mut cell = cell.clone();
        if text.len() > SHOWN {
            let floor = |t: &str, mut i: usize| {
                i = i.min(t.len());
                while !t.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            match &cell {
                Some(c) if c.end > SHOWN => {
                    // The cell's start in view, and no more of a long cell than SHOWN bytes.
                    let start = floor(&text, c.start.saturating_sub(40));
                    let cell_end = floor(&text, c.end.min(c.start + SHOWN));
                    let end = floor(&text, cell_end + 40).max(cell_end);
                    let lead = if start > 0 { "…" } else { "" };
                    cell = Some(c.start - start + lead.len()..cell_end - start + lead.len());
                    text = format!("{lead}{}…", &text[start..end]);
                }
                _ => {
                    let cut = floor(&text, SHOWN);
                    text = format!("{}…", &text[..cut]);
                }
            }
        }
        let (text, cell) = visible_record(&text, cell);
        let name = self.file.clone();
        let label = cell.filter(|c| c.end <= text.len()).map(|c| {
            LabeledSpan::new_primary_with_span(
                Some(match &self.column {
                    Some(col) => format!("`{col}`"),
                    None => "here".to_string(),
                }),
                miette::SourceSpan::new(c.start.into(), c.end - c.start),
            )
        });
        Some((
            RecordSource {
                name,
                text,
                line: self.line.unwrap_or(1).saturating_sub(1) as usize,
            },
            label,
        ))
    }

    fn headline(&self) -> String {
        let place = match (self.line, &self.column) {
            (Some(l), Some(c)) => format!("{}:{l}, column `{}`", self.file, excerpt(c)),
            (Some(l), None) => format!("{}:{l}", self.file),
            _ => self.file.clone(),
        };
        // Cells and file names reach the terminal: escape control characters.
        crate::text::visible(&format!("{place}: {}", bounded(&self.message))).into_owned()
    }
}

/// The record with control characters escaped, and the cell's range moved to match.
fn visible_record(
    text: &str,
    cell: Option<std::ops::Range<usize>>,
) -> (String, Option<std::ops::Range<usize>>) {
    use crate::text::visible;
    match cell {
        Some(c) if c.start <= c.end && text.get(c.clone()).is_some() => {
            let before = visible(&text[..c.start]);
            let inside = visible(&text[c.clone()]);
            let after = visible(&text[c.end..]);
            let start = before.len();
            let end = start + inside.len();
            (format!("{before}{inside}{after}"), Some(start..end))
        }
        _ => (visible(text).into_owned(), None),
    }
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())
    }
}

impl std::error::Error for DataError {}

/// Records longer than this are shown cut short.
const SHOWN: usize = 300;

/// The most bytes of a message shown or written to a rejects file. Messages quote cells cut
/// short already (`cells::excerpt`); this also bounds what a parser's message quotes (serde
/// quotes a whole string that is not an object).
pub const MESSAGE_BYTES: usize = 1000;

/// A message cut to [`MESSAGE_BYTES`]: its start and end, and how much was left out.
pub fn bounded(message: &str) -> std::borrow::Cow<'_, str> {
    if message.len() <= MESSAGE_BYTES {
        return std::borrow::Cow::Borrowed(message);
    }
    let floor = |mut i: usize| {
        while !message.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let head = floor(MESSAGE_BYTES * 3 / 4);
    let tail = floor(message.len() - MESSAGE_BYTES / 4);
    std::borrow::Cow::Owned(format!(
        "{} … ({} bytes left out) … {}",
        &message[..head],
        tail - head,
        &message[tail..]
    ))
}

/// The record's text, numbered with its line in the export.
struct RecordSource {
    name: String,
    text: String,
    /// 0-based line of the record's first line.
    line: usize,
}

impl miette::SourceCode for RecordSource {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        _before: usize,
        _after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        if span.offset() + span.len() > self.text.len() {
            return Err(miette::MietteError::OutOfBounds);
        }
        let lines = self.text.lines().count().max(1);
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            (0, self.text.len()).into(),
            self.line,
            0,
            lines,
        )))
    }
}

struct Report<'a> {
    error: &'a DataError,
    source: Option<RecordSource>,
    label: Option<LabeledSpan>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.message)
    }
}
impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error.headline())
    }
}
impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("playbook::bad-data"))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error
            .help
            .as_ref()
            .map(|h| Box::new(crate::text::visible(h)) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = match (&self.source, &self.label) {
            (Some(_), Some(l)) => l.clone(),
            (Some(_), None) => LabeledSpan::new_primary_with_span(
                Some("this row".to_string()),
                miette::SourceSpan::new(0.into(), 0),
            ),
            _ => return None,
        };
        Some(Box::new(std::iter::once(label)))
    }
}
