//! The `customer { … }` block: the field table, its modifiers and its key.

use super::model::*;
use super::problems::Problem;
use super::{Checker, SchemaSource};
use crate::ast::{self, FieldType, Playbook, Span};
use crate::dates::DateFormat;
use crate::diagnostic::{Code, Diagnostic};

impl Checker<'_> {
    /// Builds the field table; returns the key field.
    pub(super) fn schema(
        &mut self,
        playbook: &Playbook,
        source: SchemaSource<'_>,
    ) -> Option<usize> {
        let schemas: Vec<&ast::Schema> = playbook.schemas().collect();
        for extra in schemas.iter().skip(1) {
            self.error(
                Diagnostic::new(
                    Code::DuplicateItem,
                    extra.span,
                    "this playbook has two `customer` blocks",
                )
                .also(schemas[0].span, "first block")
                .help("put all fields in one `customer { … }` block"),
            );
        }
        let Some(schema) = schemas.first() else {
            match source {
                SchemaSource::Inferred(fields) => {
                    for f in fields {
                        self.field_index.insert(f.name.clone(), self.fields.len());
                        self.fields.push(f.clone());
                    }
                }
                SchemaSource::File => self.open_schema = true,
                SchemaSource::FromTests => {
                    self.open_schema = true;
                    for field in fields_from_tests(playbook) {
                        self.field_index
                            .insert(field.name.clone(), self.fields.len());
                        self.fields.push(field);
                    }
                }
            }
            return None;
        };
        let mut key: Option<(usize, Span)> = None;
        for field in &schema.fields {
            let index = self.fields.len();
            if let Some(&first) = self.field_index.get(&field.name.text) {
                let first_span = self.fields[first].span;
                self.error(
                    Problem::FieldTwice {
                        name: field.name.text.clone(),
                        span: field.name.span,
                        first: first_span,
                    }
                    .diagnostic(),
                );
                continue;
            }
            let ty = self.field_type(&field.ty);
            self.field_modifiers(field, index, &mut key);
            let format = self.field_format(field, &ty);
            let column = field
                .column
                .first()
                .map(|(c, _)| c.clone())
                .unwrap_or_else(|| field.name.text.clone());
            self.field_index.insert(field.name.text.clone(), index);
            if field.name.quoted {
                self.quoted_fields.insert(field.name.text.clone(), index);
            }
            self.fields.push(FieldDef {
                name: field.name.text.clone(),
                ty,
                optional: !field.optional.is_empty(),
                column,
                format,
                span: field.name.span,
            });
        }
        key.map(|(i, _)| i)
    }

    /// A field's type; the words of a `one of` each listed once.
    fn field_type(&mut self, ty: &FieldType) -> Type {
        match ty {
            FieldType::Text => Type::Text,
            FieldType::Number => Type::Number,
            FieldType::Bool => Type::Bool,
            FieldType::Date => Type::Date,
            FieldType::ListOfText => Type::ListOfText,
            FieldType::OneOf(words) => {
                let mut seen: Vec<String> = Vec::new();
                for w in words {
                    let lower = w.text.to_lowercase();
                    if seen.contains(&lower) {
                        self.error(
                            Diagnostic::new(
                                Code::DuplicateName,
                                w.span,
                                format!("the word `{}` is listed twice", w.text),
                            )
                            .help("words match without regard to case; list each once"),
                        );
                    }
                    seen.push(lower);
                }
                Type::OneOf(words.iter().map(|w| w.text.clone()).collect())
            }
        }
    }

    /// Modifiers written twice, an optional key, a second key (`key` keeps the first).
    fn field_modifiers(
        &mut self,
        field: &ast::Field,
        index: usize,
        key: &mut Option<(usize, Span)>,
    ) {
        for (what, spans) in [("`?`", &field.optional), ("`key`", &field.key)] {
            if let Some(extra) = spans.get(1) {
                self.error(
                    Diagnostic::new(
                        Code::InvalidModifier,
                        *extra,
                        format!("{what} is written twice"),
                    )
                    .help("write it once"),
                );
            }
        }
        for (what, list) in [("`from`", &field.column), ("`format`", &field.format)] {
            if let Some((_, extra)) = list.get(1) {
                self.error(
                    Diagnostic::new(
                        Code::InvalidModifier,
                        *extra,
                        format!("{what} is written twice"),
                    )
                    .help("a field has one column and one format"),
                );
            }
        }
        // An empty id is a data error (§11 "Keys"), so an optional key promises what the
        // reader refuses. A warning: the playbook itself is valid.
        if let (Some(&key_span), Some(&optional)) = (field.key.first(), field.optional.first()) {
            self.diags.push(
                Diagnostic::new(
                    Code::OptionalKey,
                    optional,
                    format!("the key `{}` cannot be optional", field.name.text),
                )
                .label("every customer needs an id")
                .also(key_span, "marked `key` here")
                .help("remove the `?`: a row whose id is empty is a data error"),
            );
        }
        if let Some(&span) = field.key.first() {
            match *key {
                Some((_, first)) => self.error(
                    Diagnostic::new(Code::DuplicateKey, span, "a second field is marked `key`")
                        .label("second key")
                        .also(first, "first key")
                        .help("only one field can identify the customer: remove one `key`"),
                ),
                None => *key = Some((index, span)),
            }
        }
    }

    /// A date field's `format`; `format` on another type is an error.
    fn field_format(&mut self, field: &ast::Field, ty: &Type) -> Option<DateFormat> {
        match field.format.first() {
            Some((pattern, span)) if *ty == Type::Date => {
                match DateFormat::parse(pattern) {
                    Ok(f) => Some(f),
                    Err(why) => {
                        self.error(
                    Diagnostic::new(Code::InvalidFormat, *span, format!("this date format is not understood: {why}"))
                        .help("use `%d` (day), `%m` (month), `%Y` (year), e.g. `format \"%d-%m-%Y\"`"),
                );
                        None
                    }
                }
            }
            Some((_, span)) => {
                self.error(
                    Diagnostic::new(
                        Code::InvalidModifier,
                        *span,
                        format!(
                            "`format` only applies to dates, and `{}` is a {} field",
                            field.name.text,
                            ty.describe()
                        ),
                    )
                    .help("remove the `format`, or make the field a `date`"),
                );
                None
            }
            None => None,
        }
    }
}

/// Fields for the keys the tests give, typed by their values (text where tests disagree).
fn fields_from_tests(playbook: &Playbook) -> Vec<FieldDef> {
    use ast::GivenValue as G;
    let mut fields: Vec<FieldDef> = Vec::new();
    // A key that names a `from column` journey's column gives that journey's stage (§8).
    let stage_columns: Vec<&str> = playbook
        .journeys()
        .filter_map(|j| j.column.as_ref().map(|c| c.text.as_str()))
        .collect();
    for test in playbook.tests() {
        for entry in &test.given {
            if stage_columns.contains(&entry.key.text.as_str()) {
                continue;
            }
            let ty = match &entry.value {
                G::Number(_) => Type::Number,
                G::Date(_) => Type::Date,
                G::Bool(_) => Type::Bool,
                G::List(_) => Type::ListOfText,
                G::Text(_) | G::Word(_) => Type::Text,
                G::Null => continue,
            };
            match fields.iter_mut().find(|f| f.name == entry.key.text) {
                Some(f) if f.ty != ty => f.ty = Type::Text,
                Some(_) => {}
                None => fields.push(FieldDef {
                    name: entry.key.text.clone(),
                    ty,
                    optional: true,
                    column: entry.key.text.clone(),
                    format: None,
                    span: entry.key.span,
                }),
            }
        }
    }
    fields
}
