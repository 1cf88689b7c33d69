//! The generator of the differential tests: seeded and deterministic (SplitMix64), a playbook
//! and an export covering the whole language (language.md §1–§11) and every data shape.

use super::KnownOpen;
use serde_json::Value as Json;
use std::collections::BTreeMap;

pub const AS_OF: &str = "2026-11-23";

/// SplitMix64: small, seeded, the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Ty {
    Text,
    Number,
    Bool,
    Date,
    OneOf(Vec<String>),
    List,
}

impl Ty {
    pub fn name(&self) -> &'static str {
        match self {
            Ty::Text => "text",
            Ty::Number => "number",
            Ty::Bool => "bool",
            Ty::Date => "date",
            Ty::OneOf(_) => "one of",
            Ty::List => "list of text",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    pub optional: bool,
    pub key: bool,
    /// The export column (the name, or `from "…"`).
    pub column: String,
    pub format: Option<&'static str>,
    /// An optional field whose column the export leaves out.
    pub absent: bool,
}

/// How the customer id is found (§2, §11 "Keys").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    KeyField,
    KeyFieldFrom,
    IdColumn,
    CustomerIdColumn,
    IdFieldWithoutKey,
    Inferred,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::KeyField => "`key` field",
            Shape::KeyFieldFrom => "`key` field with `from \"…\"`",
            Shape::IdColumn => "no `key`: column `id`",
            Shape::CustomerIdColumn => "no `key`: column `customer_id`",
            Shape::IdFieldWithoutKey => "no `key`: a field named `id`",
            Shape::Inferred => "inferred (no `customer` block)",
        }
    }
    pub const ALL: [Shape; 6] = [
        Shape::KeyField,
        Shape::KeyFieldFrom,
        Shape::IdColumn,
        Shape::CustomerIdColumn,
        Shape::IdFieldWithoutKey,
        Shape::Inferred,
    ];
}

/// One cell: its text in CSV, its value in JSON (`None`: the key is absent).
#[derive(Clone, Debug)]
pub struct Cell {
    pub csv: String,
    pub json: Option<Json>,
}

impl Cell {
    fn same(s: &str) -> Cell {
        Cell {
            csv: s.to_string(),
            json: Some(Json::String(s.to_string())),
        }
    }
}

pub struct Case {
    pub shape: Shape,
    pub fields: Vec<Field>,
    /// The column holding the id.
    pub key_column: String,
    /// The playbook eval runs (no `customer` block when inferred).
    pub playbook: String,
    /// The playbook the reference reads: the same, with the block the inference must find.
    pub reference_playbook: String,
    /// `--decimal-comma` on the command line (else maybe `decimal comma` in the policy).
    pub comma_flag: bool,
    pub decimal_comma: bool,
    /// Rows: column → cell, in the column order of `header`.
    pub header: Vec<String>,
    pub rows: Vec<BTreeMap<String, Cell>>,
    /// The column of the one bad cell, when the export has one.
    pub bad: Option<(usize, String, &'static str)>,
    /// CSV only: the last row's last cell opens a quote it never closes.
    pub unclosed: bool,
    /// (form, field name) of every condition leaf on a field.
    pub leaves: Vec<(&'static str, String)>,
    /// Features of the case, for the coverage table.
    pub features: Vec<String>,
}

const TEXTS: &[&str] = &[
    "Amsterdam",
    "amsterdam",
    "  Utrecht ",
    "Den Haag",
    "İstanbul",
    "ΣΊΣΥΦΟΣ",
    "straße",
    "a,b",
    "zeg \"hoi\"",
    "x;y",
    "Zwolle",
    "émile",
    "AMS-West",
];
const ITEMS: &[&str] = &["vip", "VIP", "no-upsell", "b2b", "Ünal", "straße", "x"];
const WORDSETS: &[&[&str]] = &[
    &["email", "SMS", "post"],
    &["nieuw", "actief", "slapend"],
    &["goud", "Zilver", "brons"],
];
const NUMBERS: &[f64] = &[
    0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 10.0, 12.5, -3.5, 100.0, 0.5, 1000.0, 2.5, 7.0,
];

fn case_variant(rng: &mut Rng, w: &str) -> String {
    match rng.below(4) {
        0 => w.to_uppercase(),
        1 => w.to_lowercase(),
        2 => {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase())
                .unwrap_or_default()
        }
        _ => w.to_string(),
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn number_literal(x: f64) -> String {
    format!("{x}")
}

fn date_cell(rng: &mut Rng, as_of: i64) -> i64 {
    use super::reference::days;
    match rng.below(6) {
        0 => days(2000, 2, 29),
        1 => days(1996 + rng.below(25) as i64, 2, 28 + rng.below(2) as i64),
        2 => as_of - rng.below(10) as i64,
        3 => as_of + rng.below(20) as i64,
        4 => {
            // a birthday near today's month and day
            let (_, m, d) = super::reference::civil(as_of + rng.below(16) as i64 - 3);
            days(1960 + rng.below(50) as i64, m, d)
        }
        _ => as_of - 400 + rng.below(600) as i64,
    }
}

fn render_date(z: i64, format: Option<&str>) -> String {
    let (y, m, d) = super::reference::civil(z);
    match format {
        Some("%d-%m-%Y") => format!("{d:02}-{m:02}-{y:04}"),
        Some("%d/%m/%Y") => format!("{d:02}/{m:02}/{y:04}"),
        _ => format!("{y:04}-{m:02}-{d:02}"),
    }
}

struct Gen<'a> {
    rng: Rng,
    known: &'a [KnownOpen],
    fields: Vec<Field>,
    inferred: bool,
    /// nodes: ("j", index) / ("g", index) in dependency order
    journeys: Vec<(String, Vec<String>, Option<String>)>,
    segments: Vec<String>,
    as_of: i64,
    features: Vec<String>,
    /// (form, field name) of every leaf written.
    leaves: Vec<(&'static str, String)>,
}

impl Gen<'_> {
    fn leaf(&mut self, form: &'static str, field: &str, text: String) -> String {
        self.leaves.push((form, field.to_string()));
        text
    }

    fn open(&self, k: KnownOpen) -> bool {
        self.known.contains(&k)
    }

    fn feature(&mut self, f: impl Into<String>) {
        self.features.push(f.into());
    }

    fn lit(&mut self, ty: &Ty) -> String {
        match ty {
            Ty::Number => {
                let x = self.rng.pick(NUMBERS);
                number_literal(x)
            }
            Ty::Date => {
                let d = date_cell(&mut self.rng, self.as_of);
                render_date(d, None)
            }
            Ty::Text => quote(self.rng.pick(TEXTS)),
            Ty::OneOf(words) => {
                let w = self.rng.pick(words);
                case_variant(&mut self.rng, &w)
            }
            Ty::Bool => self.rng.pick(&["true", "false"]).to_string(),
            Ty::List => quote(self.rng.pick(ITEMS)),
        }
    }

    fn field_leaf(&mut self) -> String {
        let i = self.rng.below(self.fields.len());
        let f = self.fields[i].clone();
        let (form, text) = self.leaf_of(&f);
        self.leaf(form, &f.name, text)
    }

    fn in_list(&mut self, f: &Field) -> (&'static str, String) {
        let k = self.rng.below(3);
        let items: Vec<String> = (0..k).map(|_| self.lit(&f.ty)).collect();
        let not = self.rng.chance(40);
        let form = match (k, not) {
            (0, false) => "in []",
            (0, true) => "not in []",
            (_, false) => "in [..]",
            (_, true) => "not in [..]",
        };
        let not = if not { " not" } else { "" };
        (form, format!("{}{not} in [{}]", f.name, items.join(", ")))
    }

    /// A leaf condition on a field, of a form its type allows (§4).
    fn leaf_of(&mut self, f: &Field) -> (&'static str, String) {
        let n = &f.name;
        let same_type: Vec<String> = self
            .fields
            .iter()
            .filter(|g| g.ty == f.ty && g.name != f.name)
            .map(|g| g.name.clone())
            .collect();
        if self.rng.chance(12) {
            let text = match self.rng.below(3) {
                0 => format!("{n} is missing"),
                1 => format!("{n} is present"),
                _ => format!("{n} is not missing"),
            };
            return ("is missing / is present", text);
        }
        let ops = ["=", "!=", "<", "<=", ">", ">="];
        let eq = ["=", "!="];
        let order = ["<", "<=", ">", ">="];
        let field_ok = !same_type.is_empty() && !self.inferred;
        match &f.ty {
            Ty::Number => match self.rng.below(9) {
                0 => (
                    "= / !=",
                    format!("{n} {} {}", self.rng.pick(&eq), self.lit(&f.ty)),
                ),
                1 => (
                    "< <= > >=",
                    format!("{n} {} {}", self.rng.pick(&order), self.lit(&f.ty)),
                ),
                2 => {
                    let (a, b) = (self.rng.pick(NUMBERS), self.rng.pick(NUMBERS));
                    let (a, b) = if a > b && self.open(KnownOpen::ReversedLiteralBetween) {
                        (b, a)
                    } else {
                        (a, b)
                    };
                    let form = if a > b {
                        "between (reversed bounds)"
                    } else {
                        "between"
                    };
                    (
                        form,
                        format!(
                            "{n} between {} and {}",
                            number_literal(a),
                            number_literal(b)
                        ),
                    )
                }
                3 => self.in_list(f),
                4 if field_ok => {
                    let g = self.rng.pick(&same_type);
                    match self.rng.below(3) {
                        0 => ("arithmetic (÷ field)", format!("{n} / {g} > 1")),
                        1 => ("arithmetic", format!("{n} * {g} <= 10")),
                        _ => (
                            "compare with a field",
                            format!("{n} {} {g}", self.rng.pick(&ops)),
                        ),
                    }
                }
                5 => (
                    "arithmetic",
                    format!("{n} + {} > {}", self.lit(&f.ty), self.lit(&f.ty)),
                ),
                6 => ("unary minus", format!("-{n} < {}", self.lit(&f.ty))),
                7 => (
                    "arithmetic (÷ literal)",
                    format!("{n} / {} >= 1", self.rng.pick(&["0", "2", "0.5"])),
                ),
                _ => ("arithmetic", format!("{n} - 2 >= {}", self.lit(&f.ty))),
            },
            Ty::Text => match self.rng.below(9) {
                0 => (
                    "= / !=",
                    format!("{n} {} {}", self.rng.pick(&eq), self.lit(&f.ty)),
                ),
                1 => (
                    "< <= > >=",
                    format!("{n} {} {}", self.rng.pick(&order), self.lit(&f.ty)),
                ),
                2 => (
                    "contains",
                    format!(
                        "{n} contains {}",
                        quote(self.rng.pick(&["a", "AMS", "ß", "Σ", "\""]))
                    ),
                ),
                3 => (
                    "starts with",
                    format!(
                        "{n} starts with {}",
                        quote(self.rng.pick(&["ams", "İ", "Den", "z"]))
                    ),
                ),
                4 => (
                    "ends with",
                    format!(
                        "{n} ends with {}",
                        quote(self.rng.pick(&["dam", "ς", "E", "west"]))
                    ),
                ),
                5 => self.in_list(f),
                6 => (
                    "F V",
                    format!("{n} {}", self.rng.pick(&["Zwolle", "amsterdam", "straße"])),
                ),
                7 => (
                    "F is V / F is not V",
                    format!(
                        "{n} is {}{}",
                        self.rng.pick(&["", "not "]),
                        self.rng.pick(&["Zwolle", "AMSTERDAM", "\"Den Haag\""])
                    ),
                ),
                _ if field_ok => {
                    let g = self.rng.pick(&same_type);
                    (
                        "compare with a field",
                        format!("{n} {} {g}", self.rng.pick(&ops)),
                    )
                }
                _ => ("= / !=", format!("{n} = {}", self.lit(&f.ty))),
            },
            Ty::Bool => match self.rng.below(5) {
                0 => ("F / not F", n.to_string()),
                1 => ("F / not F", format!("not {n}")),
                2 => ("F is V / F is not V", format!("{n} is {}", self.lit(&f.ty))),
                3 => (
                    "= / !=",
                    format!("{n} {} {}", self.rng.pick(&eq), self.lit(&f.ty)),
                ),
                _ => ("F V", format!("{n} {}", self.lit(&f.ty))),
            },
            Ty::Date => {
                let w = self.rng.below(40);
                match self.rng.below(12) {
                    0 => (
                        "= / !=",
                        format!("{n} {} {}", self.rng.pick(&eq), self.lit(&f.ty)),
                    ),
                    1 => (
                        "< <= > >=",
                        format!("{n} {} {}", self.rng.pick(&order), self.lit(&f.ty)),
                    ),
                    2 => {
                        let (a, b) = (
                            date_cell(&mut self.rng, self.as_of),
                            date_cell(&mut self.rng, self.as_of),
                        );
                        let (a, b) = if a > b && self.open(KnownOpen::ReversedLiteralBetween) {
                            (b, a)
                        } else {
                            (a, b)
                        };
                        let form = if a > b {
                            "between (reversed bounds)"
                        } else {
                            "between"
                        };
                        (
                            form,
                            format!(
                                "{n} between {} and {}",
                                render_date(a, None),
                                render_date(b, None)
                            ),
                        )
                    }
                    3 => (
                        "within N days/weeks",
                        format!(
                            "{n} within {w} {}",
                            self.rng.pick(&["days", "day", "weeks", "week"])
                        ),
                    ),
                    4 => (
                        "more than N days ago",
                        format!("{n} more than {w} days ago"),
                    ),
                    5 => (
                        "within next N days",
                        format!("{n} within next {w} {}", self.rng.pick(&["days", "weeks"])),
                    ),
                    6 => (
                        "anniversary of D within next",
                        format!("anniversary of {n} within next {} days", self.rng.below(10)),
                    ),
                    7 => (
                        "days_since / days_until",
                        format!("days_since({n}) > {}", self.rng.below(400)),
                    ),
                    8 => (
                        "days_since / days_until",
                        format!("days_until({n}) <= {}", self.rng.below(30)),
                    ),
                    9 => self.in_list(f),
                    10 if field_ok => {
                        let g = self.rng.pick(&same_type);
                        (
                            "compare with a field",
                            format!("{n} {} {g}", self.rng.pick(&ops)),
                        )
                    }
                    _ => (
                        "days_since / days_until",
                        format!("days_since({n}) / 7 > {}", self.rng.below(60)),
                    ),
                }
            }
            Ty::OneOf(_) => match self.rng.below(5) {
                0 => ("F V", format!("{n} {}", self.lit(&f.ty))),
                1 => ("F is V / F is not V", format!("{n} is {}", self.lit(&f.ty))),
                2 => (
                    "F is V / F is not V",
                    format!("{n} is not {}", self.lit(&f.ty)),
                ),
                3 => (
                    "= / !=",
                    format!("{n} {} {}", self.rng.pick(&eq), self.lit(&f.ty)),
                ),
                _ => self.in_list(f),
            },
            Ty::List => match self.rng.below(2) {
                0 => ("has", format!("{n} has {}", self.lit(&f.ty))),
                _ => (
                    "has",
                    format!("{n} has {}", self.rng.pick(&["vip", "b2b", "VIP"])),
                ),
            },
        }
    }

    /// A condition; `refs`: the nodes it may name (`customer in/not in/reached`).
    fn cond(&mut self, depth: usize, refs: &[(bool, usize)]) -> String {
        let r = self.rng.below(10);
        if depth > 0 && r < 3 {
            let op = if r == 0 { "or" } else { "and" };
            self.feature(format!("condition: {op}"));
            let a = self.cond(depth - 1, refs);
            let b = self.cond(depth - 1, refs);
            return format!("({a} {op} {b})");
        }
        if depth > 0 && r == 3 {
            self.feature("condition: not (…)");
            return format!("not ({})", self.cond(depth - 1, refs));
        }
        if !refs.is_empty() && r < 6 {
            let (journey, i) = self.rng.pick(refs);
            if journey {
                let stages = self.journeys[i].1.clone();
                let s = self.rng.pick(&stages);
                let (form, text) = match self.rng.below(3) {
                    0 => ("condition: customer in STAGE", format!("customer in {s}")),
                    1 => (
                        "condition: customer not in STAGE",
                        format!("customer not in {s}"),
                    ),
                    _ => (
                        "condition: customer reached STAGE",
                        format!("customer reached {s}"),
                    ),
                };
                self.feature(form);
                return text;
            }
            let g = self.segments[i].clone();
            let not = self.rng.chance(30);
            self.feature(if not {
                "condition: customer not in SEGMENT"
            } else {
                "condition: customer in SEGMENT"
            });
            return format!("customer {} {g}", if not { "not in" } else { "in" });
        }
        self.field_leaf()
    }
}

/// Generates one case. `bad`: put one bad cell into the export.
pub fn generate(seed: u64, bad: bool, known: &[KnownOpen]) -> Case {
    let as_of = super::reference::parse_date(AS_OF, "%Y-%m-%d").expect("a date");
    let mut rng = Rng::new(seed);
    let shape = rng.pick(&Shape::ALL);
    let inferred = shape == Shape::Inferred;
    let mut g = Gen {
        rng: Rng::new(seed ^ 0x5eed),
        known,
        fields: Vec::new(),
        inferred,
        journeys: Vec::new(),
        segments: Vec::new(),
        as_of,
        features: Vec::new(),
        leaves: Vec::new(),
    };
    // ── the schema (§2) ──
    let tys = [
        Ty::Text,
        Ty::Number,
        Ty::Bool,
        Ty::Date,
        Ty::OneOf(vec![]),
        Ty::List,
    ];
    let count = 3 + rng.below(6);
    let prefixes = ["naam", "bedrag", "actief", "datum", "kanaal", "labels"];
    let mut fields = Vec::new();
    for k in 0..count {
        let t = rng.below(tys.len());
        let ty = match (&tys[t], inferred) {
            (Ty::OneOf(_), false) => {
                Ty::OneOf(rng.pick(WORDSETS).iter().map(|w| w.to_string()).collect())
            }
            (Ty::OneOf(_), true) => Ty::Text,
            (t, _) => t.clone(),
        };
        let name = if k == 0 && rng.chance(20) {
            "vérrassing_é".to_string()
        } else {
            format!("{}{k}", prefixes[t])
        };
        let optional = inferred || rng.chance(55);
        let from = !inferred && rng.chance(15);
        let column = if from {
            format!("Kolom {k}")
        } else {
            name.clone()
        };
        let format = (ty == Ty::Date && !inferred && rng.chance(30))
            .then(|| rng.pick(&["%d-%m-%Y", "%d/%m/%Y"]));
        let absent = optional
            && !inferred
            && rng.chance(30)
            && !(ty == Ty::List && known.contains(&KnownOpen::EmptyOptionalList));
        fields.push(Field {
            name,
            ty,
            optional,
            key: false,
            column,
            format,
            absent,
        });
    }
    let key_column = match shape {
        Shape::KeyField => {
            fields.insert(
                0,
                Field {
                    name: "klant".into(),
                    ty: Ty::Text,
                    optional: false,
                    key: true,
                    column: "klant".into(),
                    format: None,
                    absent: false,
                },
            );
            "klant".to_string()
        }
        Shape::KeyFieldFrom => {
            fields.push(Field {
                name: "nummer".into(),
                ty: Ty::Text,
                optional: false,
                key: true,
                column: "Klant nr".into(),
                format: None,
                absent: false,
            });
            "Klant nr".to_string()
        }
        Shape::IdFieldWithoutKey => {
            fields.insert(
                1.min(fields.len()),
                Field {
                    name: "id".into(),
                    ty: Ty::Text,
                    optional: false,
                    key: false,
                    column: "id".into(),
                    format: None,
                    absent: false,
                },
            );
            "id".to_string()
        }
        Shape::CustomerIdColumn => "customer_id".to_string(),
        Shape::IdColumn | Shape::Inferred => {
            if rng.chance(50) && inferred {
                "customer_id".to_string()
            } else {
                "id".to_string()
            }
        }
    };
    g.fields = fields
        .iter()
        .filter(|f| !f.key && f.name != "id")
        .cloned()
        .collect();
    if g.fields.is_empty() {
        g.fields.push(fields[0].clone());
    }
    // ── journeys and segments (§3, §5), as a random dependency order ──
    let mut nodes: Vec<(bool, usize)> = Vec::new();
    let nj = 1 + rng.below(2);
    let ns = rng.below(4);
    let mut stage_columns = Vec::new();
    for j in 0..nj {
        let stages: Vec<String> = (0..1 + rng.below(3))
            .map(|s| format!("fase{j}_{s}"))
            .collect();
        let column = if rng.chance(30) {
            let c = if rng.chance(50) {
                format!("Fase{j}")
            } else {
                format!("Fase {j}")
            };
            stage_columns.push(c.clone());
            Some(c)
        } else {
            None
        };
        g.journeys.push((format!("reis{j}"), stages, column));
        nodes.push((true, j));
    }
    for s in 0..ns {
        g.segments.push(format!("groep{s}"));
        nodes.push((false, s));
    }
    g.rng.shuffle(&mut nodes);
    let mut items: Vec<String> = Vec::new();
    for (at, &(journey, i)) in nodes.iter().enumerate() {
        let refs: Vec<(bool, usize)> = nodes[..at].to_vec();
        if journey {
            let (name, stages, column) = g.journeys[i].clone();
            let text = match &column {
                Some(c) => {
                    let c = if c.contains(' ') { quote(c) } else { c.clone() };
                    let list: Vec<String> = stages.iter().map(|s| format!("stage {s}")).collect();
                    format!("journey {name} from column {c} {{ {} }}", list.join("  "))
                }
                None => {
                    let mut list = Vec::new();
                    for s in &stages {
                        let c = g.cond(1, &refs);
                        list.push(format!("  stage {s} when {c}"));
                    }
                    format!("journey {name} {{\n{}\n}}", list.join("\n"))
                }
            };
            items.push(text);
        } else {
            let c = g.cond(2, &refs);
            items.push(format!("segment {} = {c}", g.segments[i]));
        }
    }
    // In an inferred schema a list is a list only where `has` uses it.
    if inferred {
        for f in g.fields.clone() {
            if f.ty == Ty::List {
                items.push(format!("segment heeft_{} = {} has \"vip\"", f.name, f.name));
                g.segments.push(format!("heeft_{}", f.name));
            }
        }
    }
    let all_refs: Vec<(bool, usize)> = (0..g.journeys.len())
        .map(|j| (true, j))
        .chain((0..g.segments.len()).map(|s| (false, s)))
        .collect();
    // ── actions (§5), policy (§7), rules (§6) ──
    let vocab: Vec<String> = [
        "welkom",
        "verras",
        "terugwin",
        "upsell",
        "verjaardag",
        "tip",
    ]
    .iter()
    .take(2 + rng.below(5))
    .map(|s| s.to_string())
    .collect();
    if rng.chance(60) {
        items.push(format!("actions {}", vocab.join(", ")));
    }
    let title = rng
        .chance(70)
        .then(|| rng.pick(&["Loyaliteit", "Relatie fase model", "Q4 ☃"]));
    let mut policy = Vec::new();
    if rng.chance(45) {
        let c = g.cond(1, &all_refs);
        policy.push(format!("suppress when {c}"));
    }
    if rng.chance(40) {
        let a = rng.pick(&vocab);
        let c = g.cond(1, &all_refs);
        if rng.chance(50) && vocab.len() > 1 {
            policy.push(format!("suppress {a}, {} when {c}", vocab[0]));
        } else {
            policy.push(format!("suppress {a} when {c}"));
        }
    }
    if rng.chance(50) {
        let n = 1 + rng.below(3);
        policy.push(format!(
            "max {n} {} per customer",
            if n == 1 && rng.chance(50) {
                "action"
            } else {
                "actions"
            }
        ));
    }
    if rng.chance(25) {
        let p = rng.pick(&["10", "50", "7", "12.5", "33.33", "99", "0.01"]);
        if title.is_none() || rng.chance(40) {
            policy.push(format!("holdout {p}% salt \"beleid-{}\"", rng.below(9)));
        } else {
            policy.push(format!("holdout {p}%"));
        }
        g.feature("policy holdout");
    }
    let comma_flag = rng.chance(10);
    let decimal_comma = comma_flag || rng.chance(20);
    if decimal_comma && !comma_flag {
        policy.push("decimal comma".to_string());
    }
    if !policy.is_empty() || rng.chance(10) {
        items.push(format!("policy {{\n  {}\n}}", policy.join("\n  ")));
    }
    let one_of_fields: Vec<String> = g
        .fields
        .iter()
        .filter(|f| matches!(f.ty, Ty::OneOf(_)))
        .map(|f| f.name.clone())
        .collect();
    let mut rules = Vec::new();
    for r in 0..1 + rng.below(6) {
        let named = rng.chance(70);
        let name = if rng.chance(30) {
            format!("\"regel {r} ✓\"")
        } else {
            format!("regel{r}")
        };
        let mut text = if named {
            format!("rule {name} ")
        } else {
            String::new()
        };
        text += &format!("when {}", g.cond(2, &all_refs));
        if rng.chance(30) {
            text += &format!(" unless {}", g.cond(1, &all_refs));
        }
        let mut acts = Vec::new();
        for _ in 0..1 + rng.below(2) {
            let mut a = rng.pick(&vocab);
            if rng.chance(30) {
                a += &format!(
                    " {}",
                    quote(rng.pick(&["hallo", "we-missen-je", "10% korting"]))
                );
            }
            match rng.below(4) {
                0 => a += &format!(" via {}", rng.pick(&["email", "sms"])),
                1 if !one_of_fields.is_empty() => {
                    a += &format!(" via {}", rng.pick(&one_of_fields))
                }
                _ => {}
            }
            acts.push(a);
        }
        text += &format!(" then {}", acts.join(", "));
        let mut options = Vec::new();
        if rng.chance(60) {
            options.push(format!(
                "priority {}",
                rng.pick(&["0", "1", "2", "5", "-1", "2"])
            ));
        }
        if rng.chance(25) {
            let p = rng.pick(&["10", "50", "7", "12.5", "90", "33.33"]);
            if !named || rng.chance(40) {
                options.push(format!("holdout {p}% salt \"s{}\"", rng.below(5)));
            } else {
                options.push(format!("holdout {p}%"));
            }
        }
        rng.shuffle(&mut options);
        for o in options {
            text += &format!(" {o}");
        }
        rules.push(text);
    }
    items.extend(rules);
    rng.shuffle(&mut items);
    // ── the playbook text ──
    let block = |fields: &[Field], all_optional: bool| {
        let mut s = String::from("customer {\n");
        for f in fields {
            let ty = match &f.ty {
                Ty::OneOf(w) => format!("one of {}", w.join(", ")),
                t => t.name().to_string(),
            };
            let mut line = format!("  {} {ty}", f.name);
            if f.optional || (all_optional && !f.key && f.name != "id") {
                line += "?";
            }
            if f.key {
                line += " key";
            }
            if f.column != f.name {
                line += &format!(" from {}", quote(&f.column));
            }
            if let Some(p) = f.format {
                line += &format!(" format {}", quote(p));
            }
            s += &line;
            s += "\n";
        }
        s + "}\n"
    };
    let head = match title {
        Some(t) => format!("# generated, seed {seed}\nplaybook {}\n", quote(t)),
        None => format!("# generated, seed {seed}\n"),
    };
    let body = items.join("\n") + "\n";
    let reference_playbook = if inferred {
        // The reference reads with the block the inference has to find: every column optional.
        let mut f2 = fields.clone();
        if !f2.iter().any(|f| f.name == key_column) {
            f2.insert(
                0,
                Field {
                    name: key_column.clone(),
                    ty: Ty::Text,
                    optional: false,
                    key: false,
                    column: key_column.clone(),
                    format: None,
                    absent: false,
                },
            );
        }
        // At the end, so unnamed rules keep their `rule@LINE`.
        format!("{head}{body}{}", block(&f2, true))
    } else {
        format!("{head}{}{body}", block(&fields, false))
    };
    let playbook = if inferred {
        format!("{head}{body}")
    } else {
        reference_playbook.clone()
    };
    // ── the customers ──
    let n_rows = 1 + rng.below(12);
    let mut rows = Vec::new();
    for r in 0..n_rows {
        let id = match rng.below(5) {
            0 => format!("  C{r:04} "),
            1 => format!("Ünal-{r}"),
            _ => format!("C{r:04}"),
        };
        let mut row = BTreeMap::new();
        row.insert(key_column.clone(), Cell::same(&id));
        for f in &fields {
            if f.key || f.name == "id" {
                continue;
            }
            let cell = value_cell(&mut rng, f, decimal_comma, inferred, as_of, known);
            row.insert(f.column.clone(), cell);
        }
        for (j, (_, stages, column)) in g.journeys.iter().enumerate() {
            if let Some(c) = column {
                let cell = match rng.below(6) {
                    0 => Cell::same(""),
                    1 if !(r == 0
                        && known.contains(&KnownOpen::ExplainJsonFirstLacksStageColumn)) =>
                    {
                        Cell {
                            csv: String::new(),
                            json: None,
                        }
                    }
                    _ => {
                        let s = rng.pick(stages);
                        Cell::same(&case_variant(&mut rng, &s))
                    }
                };
                let _ = j;
                row.insert(c.clone(), cell);
            }
        }
        rows.push(row);
    }
    if inferred {
        // The inference needs a value to see a column (JSON has no header) and its type.
        for f in &fields {
            {
                let mut f2 = f.clone();
                // (a list stays optional: an empty cell of an optional list is missing)
                f2.optional = f.ty == Ty::List;
                let cell = value_cell(&mut rng, &f2, decimal_comma, inferred, as_of, known);
                let r = rng.below(rows.len());
                rows[r].insert(f.column.clone(), cell);
            }
        }
    }
    let mut header: Vec<String> = vec![key_column.clone()];
    for f in &fields {
        if !f.key && f.name != "id" && !f.absent {
            header.push(f.column.clone());
        }
        if f.absent {
            for row in &mut rows {
                row.remove(&f.column);
            }
        }
    }
    header.extend(stage_columns.iter().cloned());
    if rng.chance(20) {
        header.push("extra kolom".into());
        for row in &mut rows {
            row.insert("extra kolom".into(), Cell::same("genegeerd"));
        }
    }
    rng.shuffle(&mut header);
    // ── one bad cell (§10: eval must reject it) ──
    let mut bad_cell = None;
    if bad && !inferred && (known.contains(&KnownOpen::UnclosedQuote) || rng.chance(90)) {
        let r = rng.below(rows.len());
        let candidates: Vec<&Field> = fields
            .iter()
            .filter(|f| !f.absent && !f.key && f.name != "id")
            .collect();
        let (column, cell, what) = if candidates.is_empty() || rng.chance(10) {
            (key_column.clone(), Cell::same(" "), "empty id")
        } else if !stage_columns.is_empty() && rng.chance(15) {
            (
                rng.pick(&stage_columns),
                Cell::same("onbekend"),
                "not a stage",
            )
        } else {
            let f = rng.pick(&candidates).clone();
            let (cell, what) = bad_cell_for(&mut rng, &f, decimal_comma, known);
            (f.column.clone(), cell, what)
        };
        rows[r].insert(column.clone(), cell);
        bad_cell = Some((r, column, what));
    }
    let unclosed =
        bad && bad_cell.is_none() && !known.contains(&KnownOpen::UnclosedQuote) && !inferred;
    let mut features = g.features;
    features.push(format!("schema: {}", shape.name()));
    if decimal_comma {
        features.push(
            if comma_flag {
                "--decimal-comma"
            } else {
                "policy: decimal comma"
            }
            .into(),
        );
    }
    Case {
        shape,
        fields,
        key_column,
        playbook,
        reference_playbook,
        comma_flag,
        decimal_comma,
        header,
        rows,
        bad: bad_cell,
        unclosed,
        features,
        leaves: g.leaves,
    }
}

/// A valid cell for the field (§2, §11), in one of its spellings.
fn value_cell(
    rng: &mut Rng,
    f: &Field,
    comma: bool,
    inferred: bool,
    as_of: i64,
    known: &[KnownOpen],
) -> Cell {
    let list_missing_open = f.ty == Ty::List && known.contains(&KnownOpen::EmptyOptionalList);
    if f.optional && !list_missing_open && rng.chance(30) {
        return match rng.below(5) {
            0 => Cell::same(""),
            1 => Cell::same("   "),
            2 => Cell {
                csv: String::new(),
                json: Some(Json::Null),
            },
            // Without a `customer` block a field exists only where the export has its key,
            // so an inferred field is never left out of a JSON record (it is `null` instead).
            3 => Cell {
                csv: String::new(),
                json: if inferred { Some(Json::Null) } else { None },
            },
            _ => Cell::same(" \t"),
        };
    }
    let pad = |rng: &mut Rng, s: String| if rng.chance(10) { format!(" {s} ") } else { s };
    match &f.ty {
        Ty::Text => Cell::same(rng.pick(TEXTS)),
        Ty::Number => {
            let x = rng.pick(NUMBERS);
            let mut s = match rng.below(6) {
                0 if x >= 0.0 => format!("+{x}"),
                1 if x == 0.5 => ".5".to_string(),
                2 if x == 1000.0 => "1e3".to_string(),
                3 if x == 2.5
                    && !comma
                    && !known.contains(&KnownOpen::DutchThousandsInSemicolonCsv) =>
                {
                    "2.500".to_string()
                }
                4 if x == 12.5 => "12.50".to_string(),
                _ => format!("{x}"),
            };
            if comma {
                s = s.replace('.', ",");
            }
            let s = pad(rng, s);
            let json = if rng.chance(50) {
                Json::from(x)
            } else {
                Json::String(s.clone())
            };
            Cell {
                csv: s,
                json: Some(json),
            }
        }
        Ty::Bool => {
            let b = rng.chance(50);
            let words: &[&str] = if inferred {
                if b {
                    &["true", "yes", "ja"]
                } else {
                    &["false", "no", "nee"]
                }
            } else if b {
                &["true", "yes", "ja", "1"]
            } else {
                &["false", "no", "nee", "0"]
            };
            let w = rng.pick(words);
            let w = case_variant(rng, w);
            let json = match rng.below(3) {
                0 => Json::Bool(b),
                1 if !inferred => Json::from(b as u8),
                _ => Json::String(w.clone()),
            };
            Cell {
                csv: pad(rng, w),
                json: Some(json),
            }
        }
        Ty::Date => {
            let d = date_cell(rng, as_of);
            let s = pad(rng, render_date(d, f.format));
            Cell::same(&s)
        }
        Ty::OneOf(words) => {
            let w = rng.pick(words);
            let w = case_variant(rng, &w);
            Cell::same(&pad(rng, w))
        }
        Ty::List => {
            let k = rng.below(4);
            let items: Vec<String> = (0..k).map(|_| rng.pick(ITEMS).to_string()).collect();
            let csv = if k == 0 {
                if f.optional || rng.chance(50) {
                    ";".to_string()
                } else {
                    String::new()
                }
            } else {
                items
                    .iter()
                    .map(|i| {
                        if rng.chance(20) {
                            format!(" {i} ")
                        } else {
                            i.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(if rng.chance(20) { ";;" } else { ";" })
            };
            Cell {
                csv,
                json: Some(Json::Array(items.into_iter().map(Json::String).collect())),
            }
        }
    }
}

/// A cell the field cannot read (§2, §10, §11).
fn bad_cell_for(
    rng: &mut Rng,
    f: &Field,
    comma: bool,
    known: &[KnownOpen],
) -> (Cell, &'static str) {
    if !f.optional && f.ty != Ty::List && rng.chance(25) {
        return (Cell::same(""), "a required cell is empty");
    }
    if !f.optional
        && f.ty == Ty::List
        && !known.contains(&KnownOpen::RequiredListJsonNull)
        && rng.chance(25)
    {
        return (
            Cell {
                csv: "x;y".into(),
                json: Some(Json::Null),
            },
            "required list: JSON null",
        );
    }
    match &f.ty {
        Ty::Number => {
            let opts: Vec<(&str, &'static str)> = if comma {
                vec![
                    ("1.250,50", "a thousands `.` with a decimal comma"),
                    ("twaalf", "not a number"),
                    ("inf", "inf"),
                ]
            } else {
                vec![
                    ("12,5", "a decimal comma without `decimal comma`"),
                    ("nan", "nan"),
                    ("1 000", "a space inside"),
                ]
            };
            let (s, what) = rng.pick(&opts);
            (Cell::same(s), what)
        }
        Ty::Bool => (
            Cell::same(rng.pick(&["misschien", "2", "y"])),
            "not a bool word",
        ),
        Ty::Date => {
            let s = match f.format {
                Some(_) => rng.pick(&["2026-11-23", "30-02-2026", "31/04/2026"]),
                None => rng.pick(&["2026-02-30", "23-11-2026", "gisteren", "2026-13-01"]),
            };
            (Cell::same(s), "not a date")
        }
        Ty::OneOf(_) => (Cell::same("platina"), "not one of the words"),
        Ty::Text | Ty::List => (
            Cell {
                csv: "x".into(),
                json: Some(serde_json::json!({"a": 1})),
            },
            "a JSON object",
        ),
    }
}
