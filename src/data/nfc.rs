//! Unicode normal form C for text read from exports and playbooks, so that `café` written
//! with a composed `é` (U+00E9) and with `e` and a combining accent (U+0301) are one name and
//! one value. ASCII, and text already in NFC (nearly all text), costs a scan and no copy.

use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// `text` in NFC.
#[inline]
pub fn nfc(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
    }
}

/// `text` in NFC, owned.
pub fn nfc_string(text: String) -> String {
    match nfc(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(normal) => normal,
    }
}

/// `text` lower-cased (`str::to_lowercase`) and in NFC: the form text is compared in.
pub fn lower(text: &str) -> String {
    nfc_string(text.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composed_and_decomposed_text_are_one() {
        assert_eq!(nfc("cafe\u{301}"), "caf\u{e9}");
        assert!(matches!(nfc("caf\u{e9}"), Cow::Borrowed(_)));
        assert!(matches!(nfc("plain"), Cow::Borrowed(_)));
        assert_eq!(lower("CAFE\u{301}"), "caf\u{e9}");
        assert_eq!(lower("\u{130}"), "i\u{307}");
        assert_eq!(nfc_string("A\u{30a}".to_string()), "\u{c5}");
    }
}
