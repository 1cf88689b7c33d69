//! The layers of docs/architecture.md, held against the code: the files of each module may
//! name (`crate::…`) only the modules below it. A lower layer reaching up fails here, with
//! the file and line. Unit tests (files named `tests.rs`, and everything after a file's
//! `#[cfg(test)]`) may reach anywhere.

use std::path::{Path, PathBuf};

/// Each module of `src/`, lowest first, with the modules it may import. The same table is
/// drawn in docs/architecture.md (`the_map_names_every_module` holds the two together).
const LAYERS: &[(&str, &[&str])] = &[
    // The ground: no imports of the crate.
    ("ast", &[]),
    ("dates", &[]),
    ("text", &[]),
    ("diagnostic", &["ast"]),
    ("row", &["dates"]),
    // The language.
    ("syntax", &["ast", "diagnostic", "text"]),
    (
        "check",
        &["syntax", "ast", "diagnostic", "dates", "row", "text"],
    ),
    ("fmt", &["syntax", "ast", "diagnostic"]),
    // Deciding, and reading exports: side by side, neither knows the other.
    ("eval", &["check", "ast", "diagnostic", "dates", "row"]),
    ("data", &["row", "dates", "text"]),
    // Putting them together.
    ("render", &["diagnostic", "ast", "text"]),
    (
        "schema",
        &["data", "check", "syntax", "fmt", "ast", "dates", "row"],
    ),
    (
        "runner",
        &[
            "eval",
            "data",
            "check",
            "diagnostic",
            "ast",
            "dates",
            "row",
            "text",
        ],
    ),
    (
        "sql",
        &["eval", "check", "ast", "diagnostic", "dates", "row"],
    ),
    ("diff", &["runner", "eval", "check", "dates"]),
    // Pilot results from decisions and outcomes; the HTML report of a run.
    (
        "measure",
        &["data", "row", "check", "eval", "dates", "text"],
    ),
    (
        "report",
        &[
            "runner", "measure", "diff", "data", "check", "eval", "dates", "row", "text",
        ],
    ),
    // The library's face, and the crate root that re-exports it.
    (
        "engine",
        &[
            "check",
            "data",
            "diagnostic",
            "eval",
            "row",
            "runner",
            "syntax",
            "dates",
        ],
    ),
    ("lib", &["engine", "diagnostic", "eval"]),
    // The front ends stand on everything: the command line, and the language server (which
    // shares `check --data`, `eval --coverage` and `explain` with the command line).
    ("cli", &["*"]),
    ("lsp", &["*"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The files of a module: `src/NAME.rs`, or every file under `src/NAME/`.
fn files(module: &str) -> Vec<PathBuf> {
    let single = src().join(format!("{module}.rs"));
    if single.is_file() {
        return vec![single];
    }
    let mut out = Vec::new();
    let mut stack = vec![src().join(module)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "tests.rs")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Every `crate::NAME` a file's code (not its unit tests) names, with its line.
fn imports(path: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).expect("a source file");
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        for (at, _) in code.match_indices("crate::") {
            let name: String = code[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((n + 1, name));
        }
    }
    out
}

#[test]
fn no_layer_imports_a_higher_one() {
    let mut wrong = Vec::new();
    for (module, allowed) in LAYERS {
        let paths = if *module == "lib" {
            vec![src().join("lib.rs")]
        } else {
            files(module)
        };
        assert!(!paths.is_empty(), "src/{module} has no files");
        for path in paths {
            for (line, name) in imports(&path) {
                if name != *module && !allowed.contains(&"*") && !allowed.contains(&name.as_str()) {
                    wrong.push(format!(
                        "{}:{line}: `{module}` imports `crate::{name}`",
                        path.strip_prefix(src()).unwrap_or(&path).display()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers of docs/architecture.md:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_module_has_a_layer() {
    let text = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    for line in text.lines() {
        let Some(rest) = line
            .trim()
            .strip_prefix("pub mod ")
            .or(line.trim().strip_prefix("mod "))
        else {
            continue;
        };
        let name = rest.trim_end_matches(';');
        assert!(
            LAYERS.iter().any(|(m, _)| *m == name),
            "the module `{name}` has no layer in tests/architecture.rs (and docs/architecture.md)"
        );
    }
}

#[test]
fn the_map_names_every_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let map = std::fs::read_to_string(root.join("docs/architecture.md")).expect("the map");
    for (module, _) in LAYERS.iter().filter(|(m, _)| *m != "lib") {
        assert!(
            map.contains(&format!("`{module}`")),
            "docs/architecture.md does not describe `{module}`"
        );
    }
}

/// The test can fail: a lower layer that names a higher one is found.
#[test]
fn a_reach_upwards_is_found() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("x.rs");
    std::fs::write(
        &file,
        "use crate::eval::Program;\n// crate::cli in a comment\n#[cfg(test)]\nuse crate::runner;\n",
    )
    .expect("written");
    let found: Vec<String> = imports(&file).into_iter().map(|(_, n)| n).collect();
    assert_eq!(found, ["eval"]);
}
