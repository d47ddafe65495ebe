//! Rejoining hard-wrapped lines: books, court rulings, e-mail and plain-text exports break lines
//! at a fixed width, inside sentences. Line-level rules (C4's terminal punctuation, FineWeb's
//! newlines per word, short lines) read such a line as a fragment and cut the paragraph apart, so
//! [`crate::Normalise`] joins the lines back before those rules see them.
//!
//! A break is joined only where the text itself shows that the sentence goes on: the line ends
//! without sentence punctuation and the next line starts in lower case, or the line ends in a
//! word that cannot end a Dutch sentence (`de`, `van`, `te`, ...). Blank lines (paragraphs),
//! headings, list items, tables and quotes are never joined, and neither is a line shorter than
//! the configured width, since short lines without punctuation are menus, addresses and verse
//! rather than wrapped prose.

use crate::text::char_len;
use std::borrow::Cow;

/// Words after which a Dutch sentence does not end: articles, prepositions, conjunctions and
/// auxiliaries. A line ending in one of them is broken inside its sentence.
const OPEN_WORDS: &[&str] = &[
    "de", "het", "een", "der", "den", "des", "van", "te", "ter", "ten", "in", "op", "aan", "met",
    "voor", "door", "bij", "tot", "naar", "om", "over", "uit", "onder", "tegen", "tussen", "na",
    "en", "of", "maar", "dat", "die", "dit", "deze", "als", "is", "zijn", "wordt", "worden",
    "werd", "heeft", "hebben", "had", "kan", "zal", "zou", "moet", "mag", "wil", "niet", "geen",
    "ook", "nog", "al", "zo", "zich", "hun", "haar", "zijn", "mijn", "uw", "onze", "ons", "wat",
    "wie", "waar", "waarin", "waarbij", "welke", "hetwelk", "omdat", "doordat", "indien",
    "wanneer",
];

/// Whether `line` is a Markdown heading, table row, quote or code fence: lines that stand alone.
fn is_block(line: &str) -> bool {
    line.trim_start().starts_with(['#', '|', '>', '`', '='])
}

/// Whether `line` starts a list item (a bullet or an enumeration marker): it may wrap onto the
/// next line, but no line is joined onto it.
fn is_item(line: &str) -> bool {
    let t = line.trim_start();
    (t.starts_with(['-', '*', '+', '•', '–', '—', '·', '▪'])
        && t.chars().nth(1).is_some_and(char::is_whitespace))
        || is_enumeration(t)
}

/// Whether the break between `a` and `b` must stay, whatever the text around it.
fn structural_break(a: &str, b: &str) -> bool {
    is_block(a) || is_block(b) || is_item(b)
}

/// `1.`, `12)`, `2°`, `a.`, `aa.`, `b)`, `iv.`, `(a)`, `(3)` followed by a space: the markers
/// of numbered and lettered lists, as Dutch legislation writes them.
fn is_enumeration(t: &str) -> bool {
    let (inner, rest) = match t.strip_prefix('(') {
        Some(r) => match r.find(')') {
            Some(i) => (&r[..i], &r[i + 1..]),
            None => return false,
        },
        None => {
            let end = t.find(|c: char| !c.is_alphanumeric()).unwrap_or(t.len());
            let (m, rest) = t.split_at(end);
            match rest.chars().next() {
                Some(c @ ('.' | ')' | '°')) => (m, &rest[c.len_utf8()..]),
                _ => return false,
            }
        }
    };
    let marker = !inner.is_empty()
        && inner.len() <= 4
        && (inner.chars().all(|c| c.is_ascii_digit())
            || (inner.len() <= 2 && inner.chars().all(|c| c.is_ascii_lowercase()))
            || inner.chars().all(|c| matches!(c, 'i' | 'v' | 'x')));
    marker && rest.chars().next().is_none_or(char::is_whitespace)
}

/// Whether the break between `a` and the next line `b` (both non-blank) falls inside a sentence.
fn continues(a: &str, b: &str, min_chars: usize) -> bool {
    let Some(last) = a.chars().next_back() else {
        return false;
    };
    let Some(first) = b.chars().next() else {
        return false;
    };
    if structural_break(a, b) || char_len(a) < min_chars {
        return false;
    }
    // A line ending in sentence punctuation ends its sentence, whatever follows.
    if matches!(last, '.' | '!' | '?' | ':' | ';' | '…') {
        return false;
    }
    if first.is_lowercase() {
        return last.is_alphanumeric()
            || matches!(last, ',' | '-' | '–' | ')' | '"' | '”' | '’' | '»');
    }
    if !(first.is_uppercase() || first.is_ascii_digit()) || !last.is_alphabetic() {
        return false;
    }
    let word = a.rsplit(char::is_whitespace).next().unwrap_or(a);
    OPEN_WORDS.contains(&word)
}

/// Joins the lines of `text` that break a sentence (see the module docs) with a space; returns
/// the text and the number of breaks joined. Only newlines change, so the words and their count
/// stay as they were.
///
/// A paragraph (lines between blank lines) in which most breaks fall inside a sentence is
/// hard-wrapped as a whole: there every break after a line of at least `min_chars` characters is
/// joined, also before a capitalised word or after a full stop, as long as neither line is a
/// heading, list item, table row or quote. Elsewhere only the breaks that fall inside a sentence
/// are joined.
pub(crate) fn rejoin_wrapped_lines(text: &str, min_chars: usize) -> (Cow<'_, str>, usize) {
    // Byte offsets of the newlines to replace.
    let mut joins = Vec::new();
    // The current paragraph: (offset of the newline after the line, the line).
    let mut para: Vec<(usize, &str)> = Vec::new();
    let mut offset = 0;
    let flush = |para: &mut Vec<(usize, &str)>, joins: &mut Vec<usize>| {
        let breaks = para.len().saturating_sub(1);
        if breaks > 0 {
            let inside: Vec<bool> = para
                .windows(2)
                .map(|w| continues(w[0].1, w[1].1, min_chars))
                .collect();
            let wrapped = 2 * inside.iter().filter(|&&c| c).count() > breaks;
            for (w, &inside) in para.windows(2).zip(&inside) {
                let (a, b) = (w[0].1, w[1].1);
                let join =
                    inside || (wrapped && char_len(a) >= min_chars && !structural_break(a, b));
                if join {
                    joins.push(w[0].0);
                }
            }
        }
        para.clear();
    };
    for line in text.split('\n') {
        let end = offset + line.len();
        if line.trim().is_empty() {
            flush(&mut para, &mut joins);
        } else {
            para.push((end, line.trim_end()));
        }
        offset = end + 1;
    }
    flush(&mut para, &mut joins);
    if joins.is_empty() {
        return (Cow::Borrowed(text), 0);
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for &i in &joins {
        out.push_str(&text[from..i]);
        out.push(' ');
        from = i + 1;
    }
    out.push_str(&text[from..]);
    (Cow::Owned(out), joins.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn join(text: &str) -> String {
        rejoin_wrapped_lines(text, 30).0.into_owned()
    }

    #[test]
    fn joins_breaks_inside_sentences() {
        // From the first ruling of the shared court rulings (CBB, 1 februari 1996).
        let ruling = "- Door middel van het inzenden van een daartoe bestemd aanvraagformulier heeft appellante een aanvraag gedaan om afgifte van een verklaring dat, onder meer, de aangemelde werkzaamheden zijn aangemerkt als speur- en ontwikkelingswerk\nwaaraan de WBSO vermindering van af te dragen loonbelasting verbindt.";
        assert!(!join(ruling).contains('\n'));
        let quote = "\"Onderzoek van structuren binnen postscriptformaten. Analyseren van\nherhaalstructuren, die daaruit gedistilleerd worden.";
        assert_eq!(
            join(quote),
            "\"Onderzoek van structuren binnen postscriptformaten. Analyseren van herhaalstructuren, die daaruit gedistilleerd worden."
        );
        // A function word at the end of the line: the sentence goes on after a capital.
        assert!(!join(
            "De besloten vennootschap is gevestigd te\nHarderwijk en verzoekt het volgende."
        )
        .contains('\n'));
    }

    #[test]
    fn keeps_paragraphs_headings_lists_and_short_lines() {
        for text in [
            // A heading, then the paragraph.
            "1. Het verloop van de procedure\nBij brief van 24 augustus 1994 heeft verweerder beslist.",
            // A sentence ends; the next starts.
            "Het beroep is ongegrond verklaard door het College.\nDe kosten worden niet vergoed.",
            // Lettered list items of a law.
            "In deze wet wordt verstaan onder de volgende begrippen\na. Onze Minister: Onze Minister van Financiën;\nb. bank: een bank.",
            "Onder de voorwaarden van het tweede lid, en\n- met inachtneming van artikel 3.",
            // Short lines: a menu, an address.
            "Home\nnieuws\ncontact",
            "Postbus 20018\nden haag",
            // Blank line between paragraphs.
            "Dit is de eerste alinea van het stuk zonder punt\n\nmaar dit is een nieuwe alinea.",
            "## Artikel 1 van de wet op de inkomstenbelasting\nde tekst",
        ] {
            assert_eq!(join(text), text, "{text}");
        }
    }

    #[test]
    fn enumerations() {
        for m in [
            "1. x", "12) x", "2° x", "a. x", "aa. x", "b) x", "iv. x", "(a) x", "(3) x",
        ] {
            assert!(is_enumeration(m), "{m}");
        }
        for m in [
            "de x",
            "art. 5",
            "januari. x",
            "Het x",
            "(hierna: x)",
            "°. x",
            "1°x",
        ] {
            assert!(!is_enumeration(m), "{m}");
        }
    }

    #[test]
    fn the_shared_book_is_rejoined() {
        // Ontboezemingen (Project Gutenberg #24675, public domain), hard-wrapped at 70 columns.
        let wrapped = "Maar 't water--hoor ik vragen--de zee zelf, is zij niet oneindig rijk\naan treffende verscheidenheden, onbeschrijflijk schoon in de majesteit\nvan haar nooit rustende onmeetlijkheid! Is zij niet schoon, wanneer\ngolven van dertig voet hoog haar met schuim gekroonde kammen doen\nsprankelen in de zon, als heuvelen van saffier: als nu eens 't hulkje\nwegtuimelt in 't warrelend golfdal--dan weêr----";
        let (text, n) = rejoin_wrapped_lines(wrapped, 30);
        assert_eq!(n, 5);
        assert_eq!(text, wrapped.replace('\n', " "));
        // A break before a capitalised word is joined too, inside a paragraph whose other
        // breaks show it is wrapped.
        let wrapped = "»botskoppen\", een vliegend vischje, een troep bruinvisschen of bonieten,\nwat albatrossen, »dominees\", »bootsluî\", »kleêrmakers\", zwaluwen,\nKaapsche duiven en boebi's[1]----nu ja, die visschen- en vogelwereld\nhad hij zich kunnen voorstellen.\n\n       *     *     *     *     *";
        let (text, n) = rejoin_wrapped_lines(wrapped, 30);
        assert_eq!(n, 3);
        assert!(text.starts_with("»botskoppen\", een vliegend vischje, een troep bruinvisschen of bonieten, wat albatrossen, »dominees\", »bootsluî\", »kleêrmakers\", zwaluwen, Kaapsche duiven"), "{text}");
        assert!(text.ends_with("voorstellen.\n\n       *     *     *     *     *"));
    }
}
