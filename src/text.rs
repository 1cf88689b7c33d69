//! Text from a playbook or an export made safe to print on a terminal.

/// Whether a character must not reach a terminal as it is: control characters (ESC starts
/// colour and cursor sequences, CR rewrites the line) and bidirectional overrides (they
/// reorder what is shown).
pub fn hidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text from an export or a playbook made safe to print: characters that [`hidden`] names
/// are shown escaped (`\u{1b}`, `\r`).
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}
