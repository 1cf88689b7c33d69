//! Excel in and out through the built binary (issue 18): `.xlsx` exports read as their CSV
//! is (every shipped example, as a workbook made here with typed cells), a workbook made by
//! hand (tests/data/excel/make_fixtures.py: formulas, an error cell, dates, a second sheet),
//! `-o beslissingen.xlsx` read back with calamine, `--csv-dialect excel-nl` read back by
//! `eval`'s own CSV reader, and hostile workbooks (each a clear error, never a panic).

use calamine::{Data, Reader};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AS_OF: &str = "2026-11-23";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn playbook(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_playbook"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the playbook binary runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("an exit code, not a signal")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A message as one line: miette wraps long ones at 100 columns (`\n  │ `), also after the `!`
/// of a cell's name (`Blad1!` `C6`).
fn unwrapped(text: &str) -> String {
    text.replace("\n  │ ", " ").replace("! ", "!")
}

/// A CSV cell as a workbook made by Excel holds it: a whole or decimal number (a decimal
/// comma in a `;` export) as a number, an ISO or `dd-mm-yyyy` date as a date, else text.
enum Typed {
    Number(f64),
    Date(u16, u8, u8),
    Text,
}

fn typed(text: &str, semicolons: bool) -> Typed {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let number = if semicolons {
        text.replace(',', ".")
    } else {
        text.to_string()
    };
    let separator = if semicolons { ',' } else { '.' };
    let is_number = match digits.split_once(separator) {
        Some((whole, part)) => all_digits(whole) && all_digits(part),
        // `0123` is a code, not a number.
        None => all_digits(digits) && !(digits.len() > 1 && digits.starts_with('0')),
    };
    if is_number && digits.len() <= 15 {
        if let Ok(n) = number.parse() {
            return Typed::Number(n);
        }
    }
    let b = text.as_bytes();
    let part = |r: std::ops::Range<usize>| text.get(r).and_then(|s| s.parse::<u16>().ok());
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (part(0..4), part(5..7), part(8..10)) {
            return Typed::Date(y, m as u8, d as u8);
        }
    }
    if b.len() == 10 && b[2] == b'-' && b[5] == b'-' {
        if let (Some(d), Some(m), Some(y)) = (part(0..2), part(3..5), part(6..10)) {
            return Typed::Date(y, m as u8, d as u8);
        }
    }
    Typed::Text
}

/// Writes `csv` (its delimiter detected) as a workbook with typed cells.
fn csv_to_xlsx(csv: &[u8], path: &Path) {
    let csv = csv.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv);
    let first_line = csv.split(|&b| b == b'\n').next().unwrap_or_default();
    let semicolons = first_line.contains(&b';');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(if semicolons { b';' } else { b',' })
        .from_reader(csv);
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd-mm-yyyy");
    for (r, record) in reader.records().enumerate() {
        let record = record.expect("a CSV record");
        for (c, text) in record.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if text.is_empty() {
                continue;
            }
            let typed = if r == 0 {
                Typed::Text
            } else {
                typed(text, semicolons)
            };
            match typed {
                Typed::Number(n) => sheet.write_number(r, c, n).map(|_| ()),
                Typed::Date(y, m, d) => {
                    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).expect("a date");
                    sheet.write_date_with_format(r, c, &day, &date).map(|_| ())
                }
                Typed::Text => sheet.write_string(r, c, text).map(|_| ()),
            }
            .expect("a cell");
        }
    }
    book.save(path).expect("the workbook is written");
}

/// Every example playbook with a sample export decides the same from the export as a
/// workbook (numbers, decimal commas and dates as typed cells) as from the CSV: the same
/// NDJSON, byte for byte.
#[test]
fn every_example_decides_the_same_from_xlsx_as_from_csv() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut compared = 0;
    for entry in std::fs::read_dir(root().join("playbooks")).expect("playbooks/") {
        let path = entry.expect("an entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("playbook") {
            continue;
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("a name");
        let csv = root().join("playbooks/data").join(format!("{stem}.csv"));
        if !csv.exists() {
            continue;
        }
        let xlsx = dir.path().join(format!("{stem}.xlsx"));
        csv_to_xlsx(&std::fs::read(&csv).expect("the export"), &xlsx);
        let run = |export: &Path| {
            let out = playbook(
                &root(),
                &[
                    "eval",
                    path.to_str().expect("a path"),
                    export.to_str().expect("a path"),
                    "--as-of",
                    AS_OF,
                    "-q",
                    "--format",
                    "ndjson",
                ],
            );
            assert_eq!(
                code(&out),
                0,
                "{stem} {}: {}",
                export.display(),
                stderr(&out)
            );
            stdout(&out)
        };
        let from_csv = run(&csv);
        assert!(from_csv.lines().count() > 5, "{stem}: {from_csv}");
        assert_eq!(
            run(&xlsx),
            from_csv,
            "{stem}: the workbook decides otherwise"
        );
        compared += 1;
    }
    assert!(compared >= 8, "only {compared} examples compared");
}

/// A playbook over tests/data/excel/klanten.xlsx (see make_fixtures.py for its cells).
const KLANTEN: &str = r#"playbook "Excel"
customer {
  id          text key
  naam        text
  orders      number
  omzet       number
  klant_sinds date?
  actief      bool
  dubbel      number
}
actions bedank, welkom
rule trouw
  when orders >= 3 and actief and klant_sinds < 2026-01-01 and dubbel = 6
  then bedank "12.5"
rule nieuw
  when klant_sinds is missing or orders = 0 or omzet < 1
  then welkom "0.3"
"#;

fn klanten_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("k.playbook"), KLANTEN).expect("the playbook");
    std::fs::copy(
        root().join("tests/data/excel/klanten.xlsx"),
        dir.path().join("klanten.xlsx"),
    )
    .expect("the fixture");
    dir
}

/// The hand-made workbook: the header on row 2 (row 1 is empty); K1's date cell is before
/// 2026 and its formula `=C3*2` cached 6; K2 has 0 orders; K3 no date (and an inline
/// string); K5's `=0.1+0.2` is read as 0.3 (< 1). K4's orders are `#N/A`: with --on-error
/// skip it is rejected naming the cell, Excel's row 6; with the default it stops the run.
#[test]
fn a_workbook_made_by_hand_is_read_cell_by_cell() {
    let dir = klanten_folder();
    let d = dir.path();
    let base = ["eval", "k.playbook", "klanten.xlsx", "--as-of", AS_OF];
    let out = playbook(
        d,
        &[&base[..], &["--format", "csv", "--on-error", "skip", "-q"]].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "customer,rule,action,argument,channel,holdout\n\
         K1,trouw,bedank,12.5,,false\n\
         K2,nieuw,welkom,0.3,,false\n\
         K3,nieuw,welkom,0.3,,false\n\
         K5,nieuw,welkom,0.3,,false\n"
    );
    assert_eq!(
        stderr(&out),
        "rejected: klanten.xlsx:6, column `orders`: the cell holds the Excel error #N/A, not a value (cell Blad1!C6)\n"
    );
    // The rejects file names Excel's row, and holds the row as CSV.
    let out = playbook(
        d,
        &[
            &base[..],
            &[
                "-o",
                "b.csv",
                "--on-error",
                "skip",
                "--rejects",
                "r.csv",
                "-q",
            ],
        ]
        .concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(d.join("r.csv")).expect("the rejects"),
        "file,line,reason,record\n\
         klanten.xlsx,6,\"column `orders`: the cell holds the Excel error #N/A, not a value (cell Blad1!C6)\",\
         \"K4,Dina,#N/A,10,2024-03-01,true,#N/A\"\n"
    );
    // check --data reads every cell as eval does.
    let out = playbook(d, &["check", "k.playbook", "--data", "klanten.xlsx"]);
    assert_eq!(code(&out), 1);
    assert!(
        unwrapped(&stderr(&out)).contains("(cell Blad1!C6)"),
        "{}",
        stderr(&out)
    );
    // A workbook saved as .csv (or with no extension) is known by its first bytes.
    std::fs::copy(d.join("klanten.xlsx"), d.join("klanten.csv")).expect("a copy");
    let out = playbook(
        d,
        &[
            "eval",
            "k.playbook",
            "klanten.csv",
            "--as-of",
            AS_OF,
            "--on-error",
            "skip",
            "-q",
            "-o",
            "c.csv",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        std::fs::read(d.join("c.csv")).expect("decisions"),
        std::fs::read(d.join("b.csv")).expect("decisions")
    );
    let out = playbook(d, &[&base[..], &["--format", "csv", "-q"]].concat());
    assert_eq!(code(&out), 1);
    let err = unwrapped(&stderr(&out));
    assert!(
        err.contains("klanten.xlsx:6, column `orders`")
            && err.contains("Blad1!C6")
            && err.contains("K4,Dina,#N/A,10,2024-03-01,true,#N/A")
            && err.contains("fix the formula in Excel"),
        "{err}"
    );
    // The schema of a workbook: dates and numbers typed from the cells.
    let out = playbook(d, &["schema", "klanten.xlsx"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let schema = stdout(&out);
    for line in [
        "id           text key",
        "orders       number?",
        "klant_sinds  date?",
        "actief       bool?",
    ] {
        assert!(schema.contains(line), "{line}:\n{schema}");
    }
}

/// --sheet reads another sheet; a sheet the workbook lacks is a usage error naming those it
/// has; --sheet on a CSV export is one too.
#[test]
fn sheets_are_chosen_by_name() {
    let dir = klanten_folder();
    let d = dir.path();
    std::fs::write(
        d.join("oud.playbook"),
        "customer {\n  id text key\n  orders number\n}\nactions a\nwhen orders > 5 then a\n",
    )
    .expect("a playbook");
    let base = [
        "eval",
        "oud.playbook",
        "klanten.xlsx",
        "--as-of",
        AS_OF,
        "-q",
    ];
    let out = playbook(
        d,
        &[&base[..], &["--sheet", "Oud", "--format", "csv"]].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "customer,rule,action,argument,channel,holdout\nOUD1,rule@6,a,,,false\n"
    );
    let out = playbook(d, &[&base[..], &["--sheet", "Nieuw"]].concat());
    assert_eq!(code(&out), 2);
    assert_eq!(
        stderr(&out),
        "error: cannot read klanten.xlsx: the workbook has no sheet `Nieuw`; its sheets: `Blad1`, `Oud`\n"
    );
    let out = playbook(d, &[&base[..], &["--sheet", "oud"]].concat());
    assert!(
        stderr(&out).contains("did you mean `Oud`?"),
        "{}",
        stderr(&out)
    );
    std::fs::write(d.join("x.csv"), "id,orders\nC1,3\n").expect("a CSV");
    let out = playbook(
        d,
        &["eval", "oud.playbook", "x.csv", "--sheet", "Oud", "-q"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--sheet is for Excel workbooks"),
        "{}",
        stderr(&out)
    );
}

/// A date written as text in a date cell's column (`23-11-2025` typed in by hand) is read as
/// a CSV's text is: rejected with the same hint, at the cell's row and column.
#[test]
fn a_date_typed_as_text_is_rejected_as_in_csv() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let d = dir.path();
    std::fs::write(
        d.join("p.playbook"),
        "customer {\n  id text key\n  sinds date\n}\nactions a\nwhen sinds < 2026-01-01 then a\n",
    )
    .expect("a playbook");
    // The second row's date typed as text by hand.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Blad1").expect("a name");
    let date = rust_xlsxwriter::Format::new().set_num_format("dd-mm-yyyy");
    sheet.write_string(0, 0, "id").expect("a cell");
    sheet.write_string(0, 1, "sinds").expect("a cell");
    sheet.write_string(1, 0, "C1").expect("a cell");
    let day = rust_xlsxwriter::ExcelDateTime::from_ymd(2025, 11, 23).expect("a date");
    sheet
        .write_date_with_format(1, 1, &day, &date)
        .expect("a cell");
    sheet.write_string(2, 0, "C2").expect("a cell");
    sheet.write_string(2, 1, "23-11-2025").expect("a cell");
    book.save(d.join("k.xlsx")).expect("the workbook");
    std::fs::write(d.join("k.csv"), "id,sinds\nC1,2025-11-23\nC2,23-11-2025\n").expect("a CSV");
    let csv_out = playbook(d, &["eval", "p.playbook", "k.csv", "--as-of", AS_OF, "-q"]);
    let out = playbook(d, &["eval", "p.playbook", "k.xlsx", "--as-of", AS_OF, "-q"]);
    assert_eq!(code(&out), 1);
    let err = unwrapped(&stderr(&out));
    // The same reason as for the CSV export's cell, at Excel's row and cell.
    let reason = "`23-11-2025` is not an ISO date (YYYY-MM-DD); for day-first dates add `format \"%d-%m-%Y\"` to the field";
    assert!(
        unwrapped(&stderr(&csv_out)).contains(reason),
        "{}",
        stderr(&csv_out)
    );
    assert!(
        err.contains(&format!(
            "k.xlsx:3, column `sinds`: {reason} (cell Blad1!B3)"
        )),
        "{err}"
    );
}

/// Hostile and mistaken workbooks: a clear error each, exit 2, never a panic (101).
#[test]
fn broken_workbooks_are_clear_errors() {
    let dir = klanten_folder();
    let d = dir.path();
    let whole = std::fs::read(d.join("klanten.xlsx")).expect("the fixture");
    std::fs::write(d.join("half.xlsx"), &whole[..whole.len() / 2]).expect("a file");
    std::fs::write(d.join("tekst.xlsx"), "id,orders\nC1,3\n").expect("a file");
    std::fs::write(d.join("oud.xls"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest").expect("a file");
    std::fs::write(d.join("leeg.xlsx"), b"").expect("a file");
    std::fs::write(d.join("bom.xlsx"), strings_bomb()).expect("a file");
    for (file, says) in [
        ("half.xlsx", "cannot read half.xlsx: this Excel workbook cannot be read"),
        ("tekst.xlsx", "it is not a zip archive"),
        ("leeg.xlsx", "it is not a zip archive"),
        ("oud.xls", "oud.xls is an old-style Excel workbook (.xls), which is not read: save it as \"Excel Workbook (.xlsx)\""),
        ("bom.xlsx", "announces 1000000000000 strings"),
    ] {
        let out = playbook(d, &["eval", "k.playbook", file, "--as-of", AS_OF, "-q"]);
        assert_eq!(code(&out), 2, "{file}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{file}: {}", stderr(&out));
        let out = playbook(d, &["schema", file]);
        assert_ne!(code(&out), 101, "{file}: {}", stderr(&out));
        assert_ne!(code(&out), 0, "{file}: {}", stderr(&out));
    }
    // Standard input is no workbook.
    let out = playbook(
        d,
        &["eval", "k.playbook", "-", "--input-format", "xlsx", "-q"],
    );
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("cannot be read from standard input"),
        "{}",
        stderr(&out)
    );
}

/// A workbook whose shared strings announce 10¹² strings in a few bytes: calamine would
/// reserve room for them all (terabytes) before reading one.
fn strings_bomb() -> Vec<u8> {
    let whole = std::fs::read(root().join("tests/data/excel/klanten.xlsx")).expect("the fixture");
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(whole)).expect("a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..source.len() {
        let mut entry = source.by_index(i).expect("an entry");
        let name = entry.name().expect("a name").to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("a part");
        if name.ends_with("sharedStrings.xml") {
            text = text.replace("uniqueCount=\"16\"", "uniqueCount=\"1000000000000\"");
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .expect("an entry");
        std::io::Write::write_all(&mut out, text.as_bytes()).expect("a part");
    }
    out.finish().expect("a zip").into_inner()
}

/// `-o beslissingen.xlsx` is a workbook: one sheet `decisions`, the CSV's header and rows
/// (the same cells, read back with calamine), the header frozen with filters on it, a date
/// argument an Excel date, a number argument a number, `holdout` a boolean, ids text.
#[test]
fn decisions_are_written_as_a_workbook() {
    let dir = klanten_folder();
    let d = dir.path();
    let base = [
        "eval",
        "k.playbook",
        "klanten.xlsx",
        "--as-of",
        AS_OF,
        "-q",
        "--on-error",
        "skip",
    ];
    std::fs::write(
        d.join("k.playbook"),
        KLANTEN.replace("bedank \"12.5\"", "bedank \"2026-12-01\""),
    )
    .expect("the playbook");
    let out = playbook(d, &[&base[..], &["-o", "beslissingen.xlsx"]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = playbook(d, &[&base[..], &["-o", "beslissingen.csv"]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let csv = std::fs::read_to_string(d.join("beslissingen.csv")).expect("the CSV");

    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook(d.join("beslissingen.xlsx")).expect("a workbook");
    assert_eq!(book.sheet_names(), ["decisions"]);
    let range = book.worksheet_range("decisions").expect("the sheet");
    assert_eq!(range.height(), csv.lines().count());
    let cells: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert!(matches!(&cells[1][0], Data::String(id) if id == "K1"));
    assert!(
        matches!(&cells[1][3], Data::DateTime(d) if d.is_datetime()),
        "{:?}",
        cells[1][3]
    );
    assert_eq!(cells[2][3], Data::Float(0.3));
    assert_eq!(cells[1][5], Data::Bool(false));
    // Read back as text, the workbook is the CSV.
    let text = |c: &Data| match c {
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::Empty => String::new(),
        other => other.to_string(),
    };
    let back: String = cells
        .iter()
        .map(|row| row.iter().map(text).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    assert_eq!(back, csv);
    // The header row frozen, with filters over the rows.
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(d.join("beslissingen.xlsx")).expect("the file"))
            .expect("a zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("the sheet")
        .read_to_string(&mut xml)
        .expect("its XML");
    assert!(
        xml.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "{xml}"
    );
    assert!(xml.contains(r#"<autoFilter ref="A1:F5"/>"#), "{xml}");
}

/// A workbook is a file: not for standard output, a device or a folder; --format xlsx with
/// any file name writes one; --csv-dialect is for CSV only.
#[test]
fn workbooks_go_to_files() {
    let dir = klanten_folder();
    let d = dir.path();
    let base = [
        "eval",
        "k.playbook",
        "klanten.xlsx",
        "--as-of",
        AS_OF,
        "-q",
        "--on-error",
        "skip",
    ];
    let out = playbook(d, &[&base[..], &["--format", "xlsx"]].concat());
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("an Excel workbook is not written to standard output"));
    assert_eq!(stdout(&out), "");
    let out = playbook(
        d,
        &[&base[..], &["--format", "xlsx", "-o", "/dev/null"]].concat(),
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("not to a device"), "{}", stderr(&out));
    let out = playbook(d, &[&base[..], &["--format", "xlsx", "-o", "uit"]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(std::fs::read(d.join("uit"))
        .expect("the file")
        .starts_with(b"PK\x03\x04"));
    let out = playbook(
        d,
        &[&base[..], &["--csv-dialect", "excel-nl", "-o", "x.json"]].concat(),
    );
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--csv-dialect is for CSV decisions"));
}

/// `--csv-dialect excel-nl`: a byte order mark, `;`, CRLF and a decimal comma in a number
/// argument; read back by `eval` itself (`;` found, --decimal-comma) it decides as the
/// plain CSV does.
#[test]
fn excel_nl_csv_reads_back_the_same() {
    let dir = klanten_folder();
    let d = dir.path();
    let base = [
        "eval",
        "k.playbook",
        "klanten.xlsx",
        "--as-of",
        AS_OF,
        "-q",
        "--on-error",
        "skip",
    ];
    let out = playbook(
        d,
        &[&base[..], &["-o", "nl.csv", "--csv-dialect", "excel-nl"]].concat(),
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let out = playbook(d, &[&base[..], &["-o", "plain.csv"]].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let nl = std::fs::read(d.join("nl.csv")).expect("the CSV");
    assert_eq!(
        String::from_utf8(nl).expect("UTF-8"),
        "\u{feff}customer;rule;action;argument;channel;holdout\r\n\
         K1;trouw;bedank;12,5;;false\r\n\
         K2;nieuw;welkom;0,3;;false\r\n\
         K3;nieuw;welkom;0,3;;false\r\n\
         K5;nieuw;welkom;0,3;;false\r\n"
    );
    // The decisions as an export of their own, read by eval's CSV reader.
    std::fs::write(
        d.join("terug.playbook"),
        "customer {\n  klant text key from \"customer\"\n  regel text from \"rule\"\n  \
         actie text from \"action\"\n  bedrag number from \"argument\"\n  \
         controle bool from \"holdout\"\n}\n\
         actions groot, klein\nwhen bedrag > 1 then groot\nwhen bedrag <= 1 and not controle then klein\n",
    )
    .expect("a playbook");
    let read = |file: &str, extra: &[&str]| {
        let out = playbook(
            d,
            &[
                &[
                    "eval",
                    "terug.playbook",
                    file,
                    "--as-of",
                    AS_OF,
                    "-q",
                    "--format",
                    "ndjson",
                ][..],
                extra,
            ]
            .concat(),
        );
        assert_eq!(code(&out), 0, "{file}: {}", stderr(&out));
        stdout(&out)
    };
    let plain = read("plain.csv", &[]);
    assert_eq!(plain.lines().count(), 4);
    assert_eq!(read("nl.csv", &["--decimal-comma"]), plain);
    assert_eq!(
        read("nl.csv", &["--decimal-comma", "--delimiter", ";"]),
        plain
    );
}
