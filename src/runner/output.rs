//! Writing decisions: CSV (one row per action; also in the dialect a Dutch Excel opens),
//! JSON, NDJSON (one object per customer), a table for terminals, and an Excel workbook
//! (the CSV's rows, made a workbook by `xlsx_out.rs`). Names are escaped once per run; only
//! the customer id is escaped per row.

use crate::eval::program::Program;
use crate::eval::Outcome;
use crate::row::Row;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    Table,
    Csv,
    Json,
    Ndjson,
    /// An Excel workbook: the CSV's columns and rows, typed (`xlsx_out.rs`).
    Xlsx,
}

/// How CSV decisions are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CsvDialect {
    /// `,` between cells, `.` in numbers, LF line ends, no byte order mark.
    #[default]
    Standard,
    /// What a Dutch Excel opens by a double click: `;` between cells, a decimal comma in
    /// numbers, CRLF line ends and a UTF-8 byte order mark.
    ExcelNl,
}

impl OutFormat {
    /// From an output file's extension.
    pub fn from_path(path: &std::path::Path) -> Option<OutFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(OutFormat::Csv),
            "json" => Some(OutFormat::Json),
            "ndjson" | "jsonl" => Some(OutFormat::Ndjson),
            "txt" => Some(OutFormat::Table),
            "xlsx" => Some(OutFormat::Xlsx),
            _ => None,
        }
    }
}

/// Everything about a program that the writers print, escaped ahead of time.
pub struct Writer {
    format: OutFormat,
    journeys_json: Vec<String>,
    stages_json: Vec<Vec<String>>,
    stages_csv: Vec<Vec<String>>,
    segments_json: Vec<String>,
    rules_json: Vec<String>,
    rules_csv: Vec<String>,
    actions_json: Vec<String>,
    actions_csv: Vec<String>,
    /// Per rule, per action: argument (JSON, CSV).
    arguments: Vec<Vec<(String, String)>>,
    /// Fixed channels per rule per action (JSON, CSV); `None` when read from the row.
    channels: Vec<Vec<Option<(String, String)>>>,
    header_csv: Vec<String>,
    widths: Vec<usize>,
    /// The CSV's cell delimiter and line end.
    delimiter: u8,
    line_end: &'static [u8],
    bom: bool,
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// A CSV field, quoted when it must be.
pub fn csv_field(out: &mut Vec<u8>, s: &str) {
    csv_field_in(out, s, b',');
}

/// A CSV field between `delimiter`s, quoted when it must be.
pub fn csv_field_in(out: &mut Vec<u8>, s: &str, delimiter: u8) {
    if s.bytes()
        .any(|b| b == delimiter || matches!(b, b'"' | b'\n' | b'\r'))
        || s.starts_with(' ')
        || s.ends_with(' ')
    {
        out.push(b'"');
        for b in s.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

fn csv_string(s: &str, delimiter: u8) -> String {
    let mut v = Vec::new();
    csv_field_in(&mut v, s, delimiter);
    String::from_utf8(v).unwrap_or_default()
}

/// A number written with a decimal point (`12.50`, `-3.5`), as opposed to any other text.
pub fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    match digits.split_once('.') {
        Some((whole, part)) => {
            !whole.is_empty()
                && !part.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && part.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

impl Writer {
    pub fn new(program: &Program, format: OutFormat, dialect: CsvDialect) -> Writer {
        let nl = format == OutFormat::Csv && dialect == CsvDialect::ExcelNl;
        let delimiter = if nl { b';' } else { b',' };
        let csv_string = |s: &str| csv_string(s, delimiter);
        // A number argument with a decimal comma, as a Dutch Excel reads numbers.
        let argument_csv = |s: &str| {
            if nl && is_decimal(s) {
                csv_string(&s.replace('.', ","))
            } else {
                csv_string(s)
            }
        };
        let arguments = program
            .rules
            .iter()
            .map(|r| {
                r.actions
                    .iter()
                    .map(|a| match &a.argument {
                        Some(s) => (json_str(s), argument_csv(s)),
                        None => ("null".to_string(), String::new()),
                    })
                    .collect()
            })
            .collect();
        let channels = program
            .rules
            .iter()
            .map(|r| {
                r.actions
                    .iter()
                    .map(|a| match &a.channel {
                        crate::eval::program::Channel::None => {
                            Some(("null".to_string(), String::new()))
                        }
                        crate::eval::program::Channel::Word(w) => {
                            Some((json_str(w), csv_string(w)))
                        }
                        crate::eval::program::Channel::Slot { .. } => None,
                    })
                    .collect()
            })
            .collect();
        let mut header_csv = vec!["customer".to_string()];
        header_csv.extend(program.journeys.iter().map(|j| j.name.clone()));
        header_csv.extend(["rule", "action", "argument", "channel", "holdout"].map(String::from));
        let mut widths: Vec<usize> = header_csv.iter().map(|h| h.chars().count()).collect();
        widths[0] = widths[0].max(10);
        for (j, journey) in program.journeys.iter().enumerate() {
            let w = journey
                .stages
                .iter()
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0);
            widths[1 + j] = widths[1 + j].max(w);
        }
        let base = 1 + program.journeys.len();
        for rule in &program.rules {
            widths[base] = widths[base].max(rule.name.chars().count());
            for a in &rule.actions {
                widths[base + 1] =
                    widths[base + 1].max(program.actions[a.action as usize].chars().count());
                widths[base + 2] =
                    widths[base + 2].max(a.argument.as_deref().unwrap_or("").chars().count());
                let ch = match &a.channel {
                    crate::eval::program::Channel::Word(w) => w.chars().count(),
                    crate::eval::program::Channel::Slot { words, .. } => {
                        words.iter().map(|w| w.chars().count()).max().unwrap_or(0)
                    }
                    crate::eval::program::Channel::None => 0,
                };
                widths[base + 3] = widths[base + 3].max(ch);
            }
        }
        for w in &mut widths {
            *w = (*w).min(40);
        }
        Writer {
            format,
            journeys_json: program.journeys.iter().map(|j| json_str(&j.name)).collect(),
            stages_json: program
                .journeys
                .iter()
                .map(|j| j.stages.iter().map(|s| json_str(s)).collect())
                .collect(),
            stages_csv: program
                .journeys
                .iter()
                .map(|j| j.stages.iter().map(|s| csv_string(s)).collect())
                .collect(),
            segments_json: program.segments.iter().map(|s| json_str(&s.name)).collect(),
            rules_json: program.rules.iter().map(|r| json_str(&r.name)).collect(),
            rules_csv: program.rules.iter().map(|r| csv_string(&r.name)).collect(),
            actions_json: program.actions.iter().map(|a| json_str(a)).collect(),
            actions_csv: program.actions.iter().map(|a| csv_string(a)).collect(),
            arguments,
            channels,
            header_csv,
            widths,
            delimiter,
            line_end: if nl { b"\r\n" } else { b"\n" },
            bom: nl,
        }
    }

    /// What comes before the first decision.
    pub fn start(&self) -> Vec<u8> {
        match self.format {
            OutFormat::Csv | OutFormat::Xlsx => {
                let mut out = Vec::new();
                if self.bom {
                    out.extend_from_slice(b"\xEF\xBB\xBF");
                }
                for (i, h) in self.header_csv.iter().enumerate() {
                    if i > 0 {
                        out.push(self.delimiter);
                    }
                    csv_field_in(&mut out, h, self.delimiter);
                }
                out.extend_from_slice(self.line_end);
                out
            }
            OutFormat::Json => b"[".to_vec(),
            OutFormat::Ndjson => Vec::new(),
            OutFormat::Table => {
                let cells: Vec<&str> = self.header_csv.iter().map(String::as_str).collect();
                let mut out = self.table_line(&cells);
                let rule: Vec<String> = self.widths.iter().map(|w| "─".repeat(*w)).collect();
                out.extend_from_slice(rule.join("  ").as_bytes());
                out.push(b'\n');
                out
            }
        }
    }

    /// What comes after the last decision; `any`: whether any decision was written.
    pub fn end(&self, any: bool) -> Vec<u8> {
        match self.format {
            OutFormat::Json if any => b"\n]\n".to_vec(),
            OutFormat::Json => b"]\n".to_vec(),
            _ => Vec::new(),
        }
    }

    /// Appends one customer's decision. `first`: first in its chunk (JSON commas).
    pub fn decision(
        &self,
        out: &mut Vec<u8>,
        program: &Program,
        row: &Row<'_>,
        o: &Outcome,
        first: bool,
    ) {
        match self.format {
            OutFormat::Csv | OutFormat::Xlsx => self.csv(out, program, row, o),
            OutFormat::Ndjson => {
                self.json(out, program, row, o);
                out.push(b'\n');
            }
            OutFormat::Json => {
                if !first {
                    out.push(b',');
                }
                out.extend_from_slice(b"\n");
                self.json(out, program, row, o);
            }
            OutFormat::Table => self.table(out, program, row, o),
        }
    }

    fn json(&self, out: &mut Vec<u8>, program: &Program, row: &Row<'_>, o: &Outcome) {
        out.extend_from_slice(b"{\"customer\":");
        let _ = serde_json::to_writer(&mut *out, row.id);
        out.extend_from_slice(b",\"stages\":{");
        for (j, name) in self.journeys_json.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            out.extend_from_slice(name.as_bytes());
            out.push(b':');
            match o.stages[j] {
                Some(s) => out.extend_from_slice(self.stages_json[j][s as usize].as_bytes()),
                None => out.extend_from_slice(b"null"),
            }
        }
        out.extend_from_slice(b"},\"segments\":[");
        let mut first = true;
        for (s, holds) in o.segments.iter().enumerate() {
            if *holds {
                if !first {
                    out.push(b',');
                }
                first = false;
                out.extend_from_slice(self.segments_json[s].as_bytes());
            }
        }
        out.extend_from_slice(b"],\"actions\":[");
        for (i, f) in o.actions.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let (r, a) = (f.rule as usize, f.action as usize);
            out.extend_from_slice(b"{\"action\":");
            out.extend_from_slice(self.actions_json[program.action_of(f) as usize].as_bytes());
            out.extend_from_slice(b",\"rule\":");
            out.extend_from_slice(self.rules_json[r].as_bytes());
            out.extend_from_slice(b",\"argument\":");
            out.extend_from_slice(self.arguments[r][a].0.as_bytes());
            out.extend_from_slice(b",\"channel\":");
            match &self.channels[r][a] {
                Some((json, _)) => out.extend_from_slice(json.as_bytes()),
                None => match program.channel(f.rule, f.action, row) {
                    Some(c) => {
                        let _ = serde_json::to_writer(&mut *out, c);
                    }
                    None => out.extend_from_slice(b"null"),
                },
            }
            out.extend_from_slice(if f.holdout {
                b",\"holdout\":true}"
            } else {
                b",\"holdout\":false}"
            });
        }
        out.extend_from_slice(if o.suppressed {
            b"],\"suppressed\":true}"
        } else {
            b"],\"suppressed\":false}"
        });
    }

    fn csv(&self, out: &mut Vec<u8>, program: &Program, row: &Row<'_>, o: &Outcome) {
        let d = self.delimiter;
        for f in &o.actions {
            let (r, a) = (f.rule as usize, f.action as usize);
            csv_field_in(out, row.id, d);
            for (j, stage) in o.stages.iter().enumerate() {
                out.push(d);
                if let Some(s) = stage {
                    out.extend_from_slice(self.stages_csv[j][*s as usize].as_bytes());
                }
            }
            out.push(d);
            out.extend_from_slice(self.rules_csv[r].as_bytes());
            out.push(d);
            out.extend_from_slice(self.actions_csv[program.action_of(f) as usize].as_bytes());
            out.push(d);
            out.extend_from_slice(self.arguments[r][a].1.as_bytes());
            out.push(d);
            match &self.channels[r][a] {
                Some((_, csv)) => out.extend_from_slice(csv.as_bytes()),
                None => {
                    if let Some(c) = program.channel(f.rule, f.action, row) {
                        csv_field_in(out, c, d);
                    }
                }
            }
            out.push(d);
            out.extend_from_slice(if f.holdout { b"true" } else { b"false" });
            out.extend_from_slice(self.line_end);
        }
    }

    fn table(&self, out: &mut Vec<u8>, program: &Program, row: &Row<'_>, o: &Outcome) {
        let stages: Vec<&str> = (0..o.stages.len())
            .map(|j| program.stage_name(o, j).unwrap_or("—"))
            .collect();
        if o.actions.is_empty() {
            let mut cells = vec![row.id];
            cells.extend(&stages);
            cells.push(if o.suppressed { "(suppressed)" } else { "—" });
            out.extend(self.table_line(&cells));
        }
        for f in &o.actions {
            let rule = &program.rules[f.rule as usize];
            let action = &rule.actions[f.action as usize];
            let mut cells = vec![row.id];
            cells.extend(&stages);
            cells.push(&rule.name);
            cells.push(&program.actions[action.action as usize]);
            cells.push(action.argument.as_deref().unwrap_or(""));
            cells.push(program.channel(f.rule, f.action, row).unwrap_or(""));
            cells.push(if f.holdout { "holdout" } else { "" });
            out.extend(self.table_line(&cells));
        }
    }

    fn table_line(&self, cells: &[&str]) -> Vec<u8> {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let width = self.widths.get(i).copied().unwrap_or(10);
            // A terminal must show ids and cells, not obey them (ESC, CR).
            let cell = crate::text::visible(cell);
            let shown: String = if cell.chars().count() > width {
                let mut s: String = cell.chars().take(width.saturating_sub(1)).collect();
                s.push('…');
                s
            } else {
                cell.to_string()
            };
            if i > 0 {
                line.push_str("  ");
            }
            line.push_str(&shown);
            if i + 1 < cells.len() {
                line.push_str(&" ".repeat(width.saturating_sub(shown.chars().count())));
            }
        }
        line.push('\n');
        line.into_bytes()
    }
}
