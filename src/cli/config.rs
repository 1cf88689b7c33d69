//! `playbook.toml`: a project's settings beside its playbooks, as ruff's `ruff.toml` — the
//! codes `check` allows and denies, and the defaults of `--as-of`, `--delimiter` and
//! `--encoding`. The nearest file up from each playbook's folder counts (the search stops at a
//! folder holding `.git`); a flag on the command line beats the file. Every mistake in the file
//! is a usage error naming its place: nothing in it is silently ignored.

use super::choices::Encoding;
use super::inputs::InputArgs;
use crate::diagnostic::{did_you_mean, Code, Severity};
use clap::ValueEnum;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The settings file's name.
pub const FILE_NAME: &str = "playbook.toml";

/// `--config FILE` and `--no-config`, on every command that reads a playbook.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ConfigArgs {
    /// Read the settings from this file instead of the nearest `playbook.toml` above the
    /// playbook.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Read no `playbook.toml`: only the flags count.
    #[arg(long)]
    pub no_config: bool,
}

/// The settings of one `playbook.toml`, checked.
#[derive(Debug, Default, Clone)]
pub struct Config {
    pub allow: Vec<Code>,
    pub deny: Vec<Code>,
    /// `deny = ["warnings"]`.
    pub deny_warnings: bool,
    pub as_of: Option<String>,
    pub delimiter: Option<char>,
    pub encoding: Option<Encoding>,
}

/// The file as written; the spans say where each value is, for messages.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    allow: Option<Vec<toml::Spanned<String>>>,
    deny: Option<Vec<toml::Spanned<String>>>,
    as_of: Option<toml::Spanned<toml::Value>>,
    delimiter: Option<toml::Spanned<String>>,
    encoding: Option<toml::Spanned<String>>,
}

impl Config {
    /// The settings in `text`, the file at `path` (named in messages).
    pub fn parse(path: &Path, text: &str) -> Result<Config, String> {
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = crate::render::line_col(text, span.start);
            format!("{}:{line}:{column}: {message}", path.display())
        };
        let raw: Raw = toml::from_str(text).map_err(|e| {
            let message = e.message().trim_end().to_string();
            match e.span() {
                Some(span) => at(span, message),
                None => format!("{}: {message}", path.display()),
            }
        })?;
        let mut config = Config::default();
        for word in raw.deny.iter().flatten() {
            if word.get_ref() == "warnings" {
                config.deny_warnings = true;
            } else {
                let code = code_named(word.get_ref(), "deny").map_err(|m| at(word.span(), m))?;
                config.deny.push(code);
            }
        }
        for word in raw.allow.iter().flatten() {
            let code = allowable(word.get_ref(), "allow").map_err(|m| at(word.span(), m))?;
            if config.deny.contains(&code) {
                return Err(at(
                    word.span(),
                    format!("`{}` is both allowed and denied", code.name()),
                ));
            }
            config.allow.push(code);
        }
        if let Some(value) = &raw.as_of {
            config.as_of = Some(as_of(value.get_ref()).map_err(|m| at(value.span(), m))?);
        }
        if let Some(value) = &raw.delimiter {
            config.delimiter = Some(delimiter(value.get_ref()).map_err(|m| at(value.span(), m))?);
        }
        if let Some(value) = &raw.encoding {
            let encoding = Encoding::from_str(value.get_ref(), true).map_err(|_| {
                at(
                    value.span(),
                    format!(
                        "encoding `{}` is not one this tool reads: write \"utf-8\", \"windows-1252\" or \"latin-1\"",
                        value.get_ref()
                    ),
                )
            })?;
            config.encoding = Some(encoding);
        }
        Ok(config)
    }

    /// Fills the export flags that were not given from the file.
    pub fn fill(&self, input: &mut InputArgs) {
        if input.as_of.is_none() {
            input.as_of.clone_from(&self.as_of);
        }
        if input.delimiter.is_none() {
            input.delimiter = self.delimiter;
        }
        if input.encoding.is_none() {
            input.encoding = self.encoding;
        }
    }
}

/// The code a word names (`never-fires` or `playbook::never-fires`), or a message with the
/// closest code. `what` is the flag or key that named it.
pub fn code_named(word: &str, what: &str) -> Result<Code, String> {
    let name = word.strip_prefix("playbook::").unwrap_or(word);
    if let Some(code) = Code::ALL.iter().find(|c| c.name() == name) {
        return Ok(*code);
    }
    let names = Code::ALL.iter().map(|c| c.name());
    Err(match did_you_mean(name, names) {
        Some(close) => format!("{what} {word}: no such code; did you mean `{close}`?"),
        None => format!(
            "{what} {word}: no such code (the codes are listed in docs/language.md, \"Diagnostics\")"
        ),
    })
}

/// A code that may be allowed: a warning's.
pub fn allowable(word: &str, what: &str) -> Result<Code, String> {
    let code = code_named(word, what)?;
    if code.severity() == Severity::Error {
        return Err(format!(
            "{what} {word}: `{}` is an error, and errors cannot be allowed (a playbook with an error does not run)",
            code.name()
        ));
    }
    Ok(code)
}

/// `as-of = 2026-11-23` (a TOML date) or `as-of = "2026-11-23"`, as `--as-of` takes it.
fn as_of(value: &toml::Value) -> Result<String, String> {
    let text = match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
        _ => return Err("as-of must be a date, written 2026-11-23".to_string()),
    };
    match crate::dates::parse_iso(&text) {
        Some(_) => Ok(text),
        None => Err(format!(
            "as-of `{text}` is not a date: write YYYY-MM-DD, e.g. as-of = 2026-11-23"
        )),
    }
}

/// One ASCII character, as `--delimiter` takes it (`"\t"` for a tab).
fn delimiter(text: &str) -> Result<char, String> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(d), None) if d.is_ascii() && !matches!(d, '"' | '\n' | '\r') => Ok(d),
        _ => Err(format!(
            "delimiter {text:?} cannot be used: write one ASCII character such as \",\", \";\", \"|\" or \"\\t\""
        )),
    }
}

/// Finds and reads the settings for each playbook of a run, once per file.
pub struct Settings {
    args: ConfigArgs,
    /// Each `playbook.toml` read so far, by path.
    read: HashMap<PathBuf, Config>,
    /// Where the search starts when a playbook comes from standard input.
    here: PathBuf,
}

impl Settings {
    pub fn new(args: &ConfigArgs) -> Settings {
        Settings {
            args: args.clone(),
            read: HashMap::new(),
            here: std::env::current_dir().unwrap_or_default(),
        }
    }

    /// The settings for the playbook at `playbook` (`-`: standard input, from the current
    /// folder): those of `--config`, else of the nearest `playbook.toml`, else none.
    pub fn for_playbook(&mut self, playbook: &Path) -> Result<Config, String> {
        if self.args.no_config {
            return Ok(Config::default());
        }
        let file = match &self.args.config {
            Some(file) => Some(file.clone()),
            None => self.nearest(playbook),
        };
        let Some(file) = file else {
            return Ok(Config::default());
        };
        if let Some(config) = self.read.get(&file) {
            return Ok(config.clone());
        }
        let text = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read the settings {}: {e}", file.display()))?;
        let config = Config::parse(&file, &text)?;
        self.read.insert(file, config.clone());
        Ok(config)
    }

    /// The nearest `playbook.toml` in the playbook's folder or above it, up to the folder that
    /// holds `.git` (the repository's root) or the filesystem's root. Named as found: relative
    /// when the playbook's path is.
    fn nearest(&self, playbook: &Path) -> Option<PathBuf> {
        let start = if playbook.as_os_str() == "-" {
            self.here.clone()
        } else {
            let folder = playbook.parent().unwrap_or(Path::new(""));
            if folder.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                folder.to_path_buf()
            }
        };
        // Resolved, so that `..` in the path is the folder above, not a name.
        let absolute = std::fs::canonicalize(&start).ok()?;
        let mut shown = start;
        for folder in absolute.ancestors() {
            let candidate = folder.join(FILE_NAME);
            if candidate.is_file() {
                return Some(if shown.is_absolute() {
                    candidate
                } else {
                    clean(&shown.join(FILE_NAME))
                });
            }
            if folder.join(".git").exists() {
                return None;
            }
            shown = up(&shown);
        }
        None
    }
}

/// The folder above `folder`, written as short as it can be: `a/b` → `a`, `a` → `.`,
/// `.` → `./..`.
fn up(folder: &Path) -> PathBuf {
    match folder.components().next_back() {
        Some(std::path::Component::Normal(_)) => match folder.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        },
        _ => folder.join(".."),
    }
}

/// A path without the `./` at the front (the name printed in messages).
fn clean(path: &Path) -> PathBuf {
    path.strip_prefix(".")
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Fills the export flags that were not given from the settings of the playbook at `playbook`
/// (`eval`, `explain`, `diff`, `report`).
pub fn fill_input(args: &ConfigArgs, playbook: &Path, input: &mut InputArgs) -> Result<(), String> {
    Settings::new(args).for_playbook(playbook)?.fill(input);
    Ok(())
}

/// The codes `check` allows and denies for one playbook: the file's, then the flags', a flag
/// beating the file where they disagree.
#[derive(Debug, Default)]
pub struct Codes {
    pub deny_warnings: bool,
    pub deny: Vec<Code>,
    pub allow: Vec<Code>,
}

impl Codes {
    /// The flags' codes (`--deny warnings|CODE`, `--allow CODE`).
    pub fn from_flags(deny: &[String], allow: &[String]) -> Result<Codes, String> {
        let mut codes = Codes::default();
        for word in deny {
            if word == "warnings" {
                codes.deny_warnings = true;
            } else {
                codes.deny.push(code_named(word, "--deny")?);
            }
        }
        for word in allow {
            let code = allowable(word, "--allow")?;
            if codes.deny.contains(&code) {
                return Err(format!("`{}` is both allowed and denied", code.name()));
            }
            codes.allow.push(code);
        }
        Ok(codes)
    }

    /// The file's codes under these flags.
    pub fn under(&self, file: &Config) -> Codes {
        let mut allow: Vec<Code> = file
            .allow
            .iter()
            .copied()
            .filter(|c| !self.deny.contains(c))
            .collect();
        allow.extend(&self.allow);
        let mut deny: Vec<Code> = file
            .deny
            .iter()
            .copied()
            .filter(|c| !self.allow.contains(c))
            .collect();
        deny.extend(&self.deny);
        Codes {
            deny_warnings: self.deny_warnings || file.deny_warnings,
            deny,
            allow,
        }
    }

    /// Drops the allowed warnings; turns the denied ones into errors.
    pub fn apply(&self, diagnostics: &mut Vec<crate::diagnostic::Diagnostic>) {
        diagnostics.retain(|d| d.is_error() || !self.allow.contains(&d.code));
        for d in diagnostics.iter_mut() {
            if self.deny.contains(&d.code) {
                d.severity = Severity::Error;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(Path::new("playbook.toml"), text)
    }

    #[test]
    fn every_key_is_read() {
        let config = parse(
            "allow = [\"unused-segment\"]\ndeny = [\"warnings\", \"playbook::never-fires\"]\n\
             as-of = 2026-11-23\ndelimiter = \";\"\nencoding = \"windows-1252\"\n",
        )
        .expect("a good file");
        assert_eq!(config.allow, [Code::UnusedSegment]);
        assert_eq!(config.deny, [Code::NeverFires]);
        assert!(config.deny_warnings);
        assert_eq!(config.as_of.as_deref(), Some("2026-11-23"));
        assert_eq!(config.delimiter, Some(';'));
        assert_eq!(config.encoding, Some(Encoding::Windows1252));
        assert_eq!(
            parse("as-of = \"2026-02-28\"\ndelimiter = \"\\t\"").map(|c| (c.as_of, c.delimiter)),
            Ok((Some("2026-02-28".to_string()), Some('\t')))
        );
    }

    #[test]
    fn every_mistake_names_its_place() {
        for (text, want) in [
            ("\n\ndelimter = \";\"", "playbook.toml:3:1: unknown field `delimter`"),
            ("allow = [\"unused-segmnt\"]", "playbook.toml:1:10: allow unused-segmnt: no such code; did you mean `unused-segment`?"),
            ("allow = [\"unknown-field\"]", "errors cannot be allowed"),
            ("deny = [\"max-zero\"]\nallow = [\"max-zero\"]", "playbook.toml:2:10: `max-zero` is both allowed and denied"),
            // TOML reads the date itself, and knows February.
            ("as-of = 2026-02-30", "playbook.toml:1:9: invalid date"),
            ("as-of = \"2026-02-30\"", "playbook.toml:1:9: as-of `2026-02-30` is not a date"),
            ("as-of = \"23-11-2026\"", "playbook.toml:1:9: as-of `23-11-2026` is not a date"),
            ("as-of = 20261123", "playbook.toml:1:9: as-of must be a date"),
            ("delimiter = \";;\"", "playbook.toml:1:13: delimiter \";;\" cannot be used"),
            ("encoding = \"utf-16\"", "playbook.toml:1:12: encoding `utf-16` is not one"),
            ("allow = \"max-zero\"", "playbook.toml:1:9: invalid type: string"),
            ("allow = [", "playbook.toml:1:"),
        ] {
            match parse(text) {
                Ok(c) => panic!("{text:?} was accepted: {c:?}"),
                Err(e) => assert!(e.contains(want), "{text:?}: {e}"),
            }
        }
    }

    #[test]
    fn the_file_is_named_as_short_as_it_can_be() {
        let named = |folder: &str| clean(&up(Path::new(folder)).join(FILE_NAME));
        assert_eq!(named("a/b"), Path::new("a/playbook.toml"));
        assert_eq!(named("a"), Path::new("playbook.toml"));
        assert_eq!(named("."), Path::new("../playbook.toml"));
        assert_eq!(named(".."), Path::new("../../playbook.toml"));
    }

    #[test]
    fn a_flag_beats_the_file() {
        let file = Config {
            allow: vec![Code::UnusedSegment],
            deny: vec![Code::NeverFires],
            ..Config::default()
        };
        let flags = Codes::from_flags(&["unused-segment".into()], &["never-fires".into()])
            .expect("good flags");
        let codes = flags.under(&file);
        assert_eq!(codes.allow, [Code::NeverFires]);
        assert_eq!(codes.deny, [Code::UnusedSegment]);
        let none = Codes::default().under(&file);
        assert_eq!((none.allow, none.deny), (file.allow, file.deny));
    }
}
