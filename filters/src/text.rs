//! Text helpers shared by the quality rules: a word tokenizer that works on slices, line
//! splitting and the duplicate counts of datatrove's `find_duplicates`.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// A hasher for string keys: xxh3 instead of the default SipHash, which is several times slower
/// on short keys. The keys are the document's own lines and words, so collision attacks are not
/// a concern beyond slowing one document down.
#[derive(Default)]
pub(crate) struct StrHasher(u64);

impl Hasher for StrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxh3_64_with_seed(bytes, self.0);
    }
    fn write_u8(&mut self, b: u8) {
        // `str` hashes its bytes and then 0xff; mix it in without rehashing.
        self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A `HashSet` of strings with [`StrHasher`].
pub(crate) type StrSet<'a> = HashSet<&'a str, BuildHasherDefault<StrHasher>>;

/// Whether `s` has an alphabetic character, looking at bytes until the first non-ASCII one.
pub(crate) fn has_letter(s: &str) -> bool {
    for (i, b) in s.bytes().enumerate() {
        if b >= 0x80 {
            return s[i..].chars().any(char::is_alphabetic);
        }
        if b.is_ascii_alphabetic() {
            return true;
        }
    }
    false
}

/// Whether `c` counts as punctuation for the word rules.
///
/// datatrove uses Python's `string.punctuation` plus the Unicode punctuation classes. We take the
/// ASCII set and the punctuation blocks that occur in European text (quotes, dashes, ellipsis,
/// bullets, guillemets, section sign) rather than pulling in a Unicode category table: the rules
/// only need to know whether a token is made of punctuation alone.
pub(crate) fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation()
        || matches!(c,
            '\u{00A1}' | '\u{00A7}' | '\u{00AB}' | '\u{00B6}' | '\u{00B7}' | '\u{00BB}' | '\u{00BF}'
            | '\u{2010}'..='\u{2027}'
            | '\u{2030}'..='\u{205E}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
        )
}

/// A token of [`tokenize`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// The token text, a slice of the document.
    pub text: &'a str,
    /// Made of punctuation only.
    pub symbol: bool,
}

/// Splits text into word and punctuation tokens, without allocating per token.
///
/// datatrove's quality rules run NLTK/spaCy word tokenizers, which split leading and trailing
/// punctuation off a word (`"huis."` → `huis`, `.`). The rules depend on that: punctuation tokens
/// count as words without a letter (the alphabetic-word ratio) and take part in n-grams. A full
/// tokenizer costs a hundred times more than this approximation, which splits each
/// whitespace-separated piece into leading punctuation, core and trailing punctuation.
/// Punctuation inside a word (`t.n.v`, `e-mail`) stays in the word, as it does in NLTK.
pub(crate) fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::with_capacity(text.len() / 5 + 1);
    for_each_token(text, |t| out.push(t));
    out
}

/// Number of tokens [`tokenize`] makes, without collecting them.
pub(crate) fn token_count(text: &str) -> usize {
    let mut n = 0;
    for_each_token(text, |_| n += 1);
    n
}

/// Calls `f` with each token of [`tokenize`], in order.
///
/// Works on bytes and decodes a character only at non-ASCII bytes: the text is mostly ASCII and
/// this runs on every document, several times. Splits where `str::split_whitespace` does.
pub(crate) fn for_each_token<'a>(text: &'a str, mut f: impl FnMut(Token<'a>)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Skip whitespace.
        let b = bytes[i];
        if b < 0x80 {
            if is_ascii_space(b) {
                i += 1;
                continue;
            }
        } else if let Some(c) = text[i..].chars().next().filter(|c| c.is_whitespace()) {
            i += c.len_utf8();
            continue;
        }
        // A piece: up to the next whitespace.
        let start = i;
        while i < bytes.len() {
            let b = bytes[i];
            if b < 0x80 {
                if is_ascii_space(b) {
                    break;
                }
                i += 1;
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    break;
                }
                i += c.len_utf8();
            }
        }
        piece(&text[start..i], &mut f);
    }
}

/// ASCII whitespace as `char::is_whitespace` has it (with vertical tab, unlike
/// `u8::is_ascii_whitespace`).
#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b' ')
}

/// Whether the character starting at byte `i` of `s` is punctuation, and its length.
#[inline]
fn punct_at(s: &str, i: usize) -> (bool, usize) {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        (b.is_ascii_punctuation(), 1)
    } else {
        let c = s[i..].chars().next().unwrap_or('a');
        (is_punct(c), c.len_utf8())
    }
}

/// Splits one whitespace-free piece into leading punctuation, core and trailing punctuation.
#[inline]
fn piece<'a>(piece: &'a str, f: &mut impl FnMut(Token<'a>)) {
    let mut start = 0;
    loop {
        if start == piece.len() {
            f(Token {
                text: piece,
                symbol: true,
            });
            return;
        }
        let b = piece.as_bytes()[start];
        if b < 0x80 {
            if !b.is_ascii_punctuation() {
                break;
            }
            start += 1;
        } else {
            let (p, len) = punct_at(piece, start);
            if !p {
                break;
            }
            start += len;
        }
    }
    let mut end = piece.len();
    loop {
        let b = piece.as_bytes()[end - 1];
        if b < 0x80 {
            if !b.is_ascii_punctuation() {
                break;
            }
            end -= 1;
            continue;
        }
        // The start of the last character before `end`.
        let mut j = end - 1;
        while !piece.is_char_boundary(j) {
            j -= 1;
        }
        if !punct_at(piece, j).0 {
            break;
        }
        end = j;
    }
    if start > 0 {
        f(Token {
            text: &piece[..start],
            symbol: true,
        });
    }
    f(Token {
        text: &piece[start..end],
        symbol: false,
    });
    if end < piece.len() {
        f(Token {
            text: &piece[end..],
            symbol: true,
        });
    }
}

/// Number of characters (Unicode scalar values), as Python's `len` counts them.
pub(crate) fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// `(duplicate elements, characters in duplicate elements)`: every element equal to an earlier
/// one counts, the first occurrence does not (datatrove's `find_duplicates`).
pub(crate) fn find_duplicates<'a>(items: impl IntoIterator<Item = &'a str>) -> (usize, usize) {
    let mut seen = StrSet::default();
    let (mut elements, mut chars) = (0, 0);
    for item in items {
        if !seen.insert(item) {
            elements += 1;
            chars += char_len(item);
        }
    }
    (elements, chars)
}

/// `a / b`, or `None` when `b` is zero. datatrove divides unguarded and raises on an empty
/// document; here a rule with nothing to measure does not fire.
pub(crate) fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Rounds for details and signals so that they read well and stay stable across platforms.
pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<(&str, bool)> {
        tokenize(s)
            .into_iter()
            .map(|t| (t.text, t.symbol))
            .collect()
    }

    #[test]
    fn splits_punctuation_off_words() {
        assert_eq!(
            texts("\"Het huis.\" zei hij ... (t.n.v. Jan)"),
            vec![
                ("\"", true),
                ("Het", false),
                ("huis", false),
                (".\"", true),
                ("zei", false),
                ("hij", false),
                ("...", true),
                ("(", true),
                ("t.n.v", false),
                (".", true),
                ("Jan", false),
                (")", true),
            ]
        );
        assert!(tokenize("").is_empty());
        assert_eq!(
            texts("‘één’"),
            vec![("‘", true), ("één", false), ("’", true)]
        );
    }

    /// The tokenizer as first written, on `char_indices` and `split_whitespace`.
    fn plain_tokenize(text: &str) -> Vec<Token<'_>> {
        let mut out = Vec::new();
        for piece in text.split_whitespace() {
            let Some(start) = piece
                .char_indices()
                .find(|&(_, c)| !is_punct(c))
                .map(|(i, _)| i)
            else {
                out.push(Token {
                    text: piece,
                    symbol: true,
                });
                continue;
            };
            let end = piece
                .char_indices()
                .rev()
                .find(|&(_, c)| !is_punct(c))
                .map(|(i, c)| i + c.len_utf8())
                .unwrap_or(piece.len());
            if start > 0 {
                out.push(Token {
                    text: &piece[..start],
                    symbol: true,
                });
            }
            out.push(Token {
                text: &piece[start..end],
                symbol: false,
            });
            if end < piece.len() {
                out.push(Token {
                    text: &piece[end..],
                    symbol: true,
                });
            }
        }
        out
    }

    #[test]
    fn byte_tokenizer_matches_plain_one() {
        let odd = "\u{a0}«Één»\u{2003}—\u{85}x\u{b}y\u{c}z…\u{3000}。「a」 ¿qué? \u{200b}€5,- ‘’ ";
        assert_eq!(tokenize(odd), plain_tokenize(odd));
        assert_eq!(token_count(odd), plain_tokenize(odd).len());
        for d in crate::contract::demo_docs() {
            assert_eq!(tokenize(&d.text), plain_tokenize(&d.text), "{}", d.locator);
        }
    }

    #[test]
    fn has_letter_as_chars_any() {
        for s in ["", "123", "1a", "€5", "5€a", "één", "—", "..", "ß", "١٢"] {
            assert_eq!(has_letter(s), s.chars().any(char::is_alphabetic), "{s}");
        }
    }

    #[test]
    fn duplicates_count_repeats_only() {
        assert_eq!(find_duplicates(["a", "bb", "a", "bb", "a"]), (3, 4));
        assert_eq!(find_duplicates(["één", "één"]), (1, 3));
        assert_eq!(ratio(1, 0), None);
    }
}
