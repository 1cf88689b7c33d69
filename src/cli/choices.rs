//! The command line's value choices (`--format json`, `--on-error skip`, …): clap's types
//! stay in `cli/`; each choice turns into the library's own enum.

use clap::ValueEnum;

/// One clap enum per library enum, variant for variant, with its `From`.
macro_rules! choice {
    ($(#[$m:meta])* $name:ident => $lib:ty { $($(#[$vm:meta])* $v:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
        pub enum $name {
            $($(#[$vm])* $v),*
        }

        impl From<$name> for $lib {
            fn from(choice: $name) -> $lib {
                match choice {
                    $($name::$v => <$lib>::$v),*
                }
            }
        }
    };
}

choice!(
    /// How diagnostics are printed.
    DiagnosticsFormat => crate::render::Format { Human, Json, Github }
);

/// How `check` prints diagnostics: the formats every command has, and `sarif`, one SARIF
/// 2.1.0 log for the whole run (it needs every file's problems before it can be written).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Github,
    Sarif,
}

impl CheckFormat {
    /// The format of one diagnostic at a time; `None` for SARIF.
    pub fn each(self) -> Option<crate::render::Format> {
        match self {
            CheckFormat::Human => Some(crate::render::Format::Human),
            CheckFormat::Json => Some(crate::render::Format::Json),
            CheckFormat::Github => Some(crate::render::Format::Github),
            CheckFormat::Sarif => None,
        }
    }
}

choice!(
    /// The format of the decisions `eval` writes.
    DecisionsFormat => crate::runner::output::OutFormat { Table, Csv, Json, Ndjson, Xlsx }
);

choice!(
    /// How CSV decisions are written.
    CsvDialect => crate::runner::output::CsvDialect {
        /// `,` between cells, `.` in numbers, LF line ends.
        Standard,
        /// `;` between cells, decimal commas, CRLF and a byte order mark: a Dutch Excel opens it.
        #[value(name = "excel-nl")]
        ExcelNl,
    }
);

choice!(
    /// The format of an export.
    ExportFormat => crate::data::input::InputFormat { Csv, Json, Ndjson, Xlsx }
);

choice!(
    /// What a bad row does.
    OnError => crate::runner::OnError {
        /// The first bad row stops the run (exit 1).
        Stop,
        /// Bad rows are written to the rejects file and the run goes on.
        Skip,
    }
);

choice!(
    /// An export's text encoding.
    Encoding => crate::data::encoding::Encoding {
        #[value(name = "utf-8", alias = "utf8")]
        Utf8,
        /// Windows-1252 (Excel on Windows, "ANSI").
        #[value(name = "windows-1252", alias = "cp1252")]
        Windows1252,
        /// ISO-8859-1.
        #[value(name = "latin-1", alias = "iso-8859-1")]
        Latin1,
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_choice_turns_into_the_library_enum_of_its_name() {
        for c in DiagnosticsFormat::value_variants() {
            let name = c.to_possible_value().map(|v| v.get_name().to_string());
            let lib = crate::render::Format::from(*c);
            assert_eq!(name, Some(format!("{lib:?}").to_lowercase()));
        }
        for c in CheckFormat::value_variants() {
            let name = c.to_possible_value().map(|v| v.get_name().to_string());
            let lib = c.each().map(|f| format!("{f:?}").to_lowercase());
            assert_eq!(lib.or(Some("sarif".to_string())), name);
        }
        for c in ExportFormat::value_variants() {
            let name = c.to_possible_value().map(|v| v.get_name().to_string());
            let lib = crate::data::input::InputFormat::from(*c);
            assert_eq!(name, Some(format!("{lib:?}").to_lowercase()));
        }
    }
}
