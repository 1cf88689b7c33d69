//! Reading exports saved in Windows-1252 or Latin-1 (`--encoding`), as UTF-8.

use std::io::Read;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    #[default]
    Utf8,
    /// Windows-1252 (Excel on Windows, "ANSI").
    Windows1252,
    /// ISO-8859-1.
    Latin1,
}

/// Windows-1252's characters for bytes 0x80–0x9F (the rest of the upper half is Latin-1).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// Decodes a single-byte encoding into UTF-8 as it is read.
pub struct Decoder<R> {
    inner: R,
    encoding: Encoding,
    raw: Vec<u8>,
    pending: Vec<u8>,
    at: usize,
}

impl<R: Read> Decoder<R> {
    pub fn new(inner: R, encoding: Encoding) -> Decoder<R> {
        Decoder {
            inner,
            encoding,
            raw: vec![0; 64 * 1024],
            pending: Vec::new(),
            at: 0,
        }
    }
}

pub fn decode_byte(b: u8, encoding: Encoding) -> char {
    match (encoding, b) {
        (Encoding::Windows1252, 0x80..=0x9F) => CP1252_HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.encoding == Encoding::Utf8 {
            return self.inner.read(buf);
        }
        if self.at >= self.pending.len() {
            let n = self.inner.read(&mut self.raw)?;
            if n == 0 {
                return Ok(0);
            }
            self.pending.clear();
            self.at = 0;
            let mut tmp = [0u8; 4];
            for &b in &self.raw[..n] {
                if b < 0x80 {
                    self.pending.push(b);
                } else {
                    self.pending.extend_from_slice(
                        decode_byte(b, self.encoding)
                            .encode_utf8(&mut tmp)
                            .as_bytes(),
                    );
                }
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_becomes_utf8() {
        let mut out = String::new();
        Decoder::new(&b"caf\xe9 \x80 5"[..], Encoding::Windows1252)
            .read_to_string(&mut out)
            .expect("decodes");
        assert_eq!(out, "café € 5");
    }
}
