//! The C4 line rules (Raffel et al. 2020), as datatrove's `C4QualityFilter`, with Dutch
//! boilerplate phrases added to the English policy list.
//!
//! C4 cleans more than it judges: lines without terminal punctuation, with too few words, with
//! "javascript" or a cookie/privacy/terms phrase are removed from the text. Only lorem ipsum, a
//! curly bracket (code) or too few remaining sentences exclude the whole document.

use crate::text::char_len;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use serde::{Deserialize, Serialize};
use zeef_core::{Document, Reason, Stage};

fn yes() -> bool {
    true
}
fn d_min_num_sentences() -> usize {
    5
}
fn d_min_words_per_line() -> usize {
    3
}
fn d_max_word_length() -> usize {
    1000
}

fn d_policy_phrases() -> Vec<String> {
    [
        // C4's English list.
        "terms of use",
        "privacy policy",
        "cookie policy",
        "uses cookies",
        "use of cookies",
        "use cookies",
        // Dutch cookie banners, privacy and terms boilerplate.
        "gebruikt cookies",
        "gebruiken cookies",
        "gebruik van cookies",
        "plaatst cookies",
        "cookies plaatsen",
        "cookies accepteren",
        "accepteer cookies",
        "accepteer alle cookies",
        "cookiebeleid",
        "cookieverklaring",
        "cookie-instellingen",
        "cookievoorkeuren",
        "privacybeleid",
        "privacyverklaring",
        "privacy statement",
        "algemene voorwaarden",
        "gebruiksvoorwaarden",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Configuration of the C4 line rules. Defaults: C4, with Dutch policy phrases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct C4Config {
    /// Remove Wikipedia citation marks (`[1]`, `[edit]`, `[citation needed]`, `[bewerken]`,
    /// `[bron?]`) from lines. Default true.
    #[serde(default = "yes")]
    pub remove_citations: bool,
    /// Remove lines that do not end in terminal punctuation (`.`, `?`, `!`, a closing quote) or
    /// that end in `...`. Default true.
    #[serde(default = "yes")]
    pub filter_no_terminal_punct: bool,
    /// Fewest sentences left after line removal; fewer excludes the document
    /// (`c4_too_few_sentences`). Default 5.
    #[serde(default = "d_min_num_sentences")]
    pub min_num_sentences: usize,
    /// Lines with fewer words are removed. Default 3.
    #[serde(default = "d_min_words_per_line")]
    pub min_words_per_line: usize,
    /// Lines with a longer word (in characters) are removed. Default 1000.
    #[serde(default = "d_max_word_length")]
    pub max_word_length: usize,
    /// Exclude documents with "lorem ipsum" in a kept line (`c4_lorem_ipsum`). Default true.
    #[serde(default = "yes")]
    pub filter_lorem_ipsum: bool,
    /// Remove lines mentioning "javascript" ("zet javascript aan"). Default true.
    #[serde(default = "yes")]
    pub filter_javascript: bool,
    /// Exclude documents with `{` in a kept line (`c4_curly_bracket`): code, templates. Default
    /// true.
    #[serde(default = "yes")]
    pub filter_curly_bracket: bool,
    /// With `filter_curly_bracket`: remove the lines with `{` or `}` instead of excluding the
    /// document, for text that quotes code or notation inside prose (a book with a transcribed
    /// score, a ruling quoting a formula). Default false (C4: the document is code).
    #[serde(default)]
    pub curly_bracket_removes_line: bool,
    /// Remove lines containing one of `policy_phrases`. Default true.
    #[serde(default = "yes")]
    pub filter_policy: bool,
    /// Phrases (any case) that mark cookie, privacy and terms boilerplate. Default C4's English
    /// list plus Dutch: gebruikt/gebruiken cookies, gebruik van cookies, plaatst cookies,
    /// cookiebeleid, cookieverklaring, privacybeleid, privacyverklaring, algemene voorwaarden,
    /// gebruiksvoorwaarden, and similar.
    #[serde(default = "d_policy_phrases")]
    pub policy_phrases: Vec<String>,
}

impl Default for C4Config {
    fn default() -> Self {
        C4Config {
            remove_citations: true,
            filter_no_terminal_punct: true,
            min_num_sentences: d_min_num_sentences(),
            min_words_per_line: d_min_words_per_line(),
            max_word_length: d_max_word_length(),
            filter_lorem_ipsum: true,
            filter_javascript: true,
            filter_curly_bracket: true,
            curly_bracket_removes_line: false,
            filter_policy: true,
            policy_phrases: d_policy_phrases(),
        }
    }
}

const SIGNALS: [&str; 3] = ["c4_lines_removed", "c4_lines_kept", "c4_sentences"];

/// The C4 rules: removes boilerplate lines; excludes lorem ipsum, code and documents with too
/// few sentences.
pub struct C4 {
    name: String,
    config: C4Config,
    citations: Regex,
    /// Pattern 0 is "lorem ipsum", 1 is "javascript", the rest are policy phrases.
    phrases: AhoCorasick,
}

impl C4 {
    /// The stage named `name`; fails when the phrase list cannot be compiled.
    pub fn new(name: impl Into<String>, config: C4Config) -> Result<Self, crate::ConfigError> {
        Self::build(name.into(), config).map_err(crate::ConfigError::wrap("c4"))
    }

    fn build(name: String, config: C4Config) -> Result<Self, String> {
        let citations = Regex::new(
            r"\[\d*\]|\[edit\]|\[citation needed\]|\[bewerken\]|\[bron\?\]|\[bron toevoegen\]",
        )
        .map_err(|e| format!("c4 citations: {e}"))?;
        let mut patterns = vec!["lorem ipsum".to_string(), "javascript".to_string()];
        patterns.extend(
            config
                .policy_phrases
                .iter()
                .filter(|p| !p.is_empty())
                .cloned(),
        );
        let phrases = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostFirst)
            .build(&patterns)
            .map_err(|e| format!("c4 policy_phrases: {e}"))?;
        Ok(C4 {
            name,
            config,
            citations,
            phrases,
        })
    }
}

/// Line ends C4 accepts as the end of a sentence. C4 lists `.`, `?`, `!`, `"` and `'`; Dutch
/// typesetting closes quotes with `”`, `’` and `»`, which are the same quotes.
fn ends_sentence(line: &str) -> bool {
    line.ends_with(['.', '?', '!', '"', '\'', '”', '’', '»'])
}

/// Sentences in a line: terminal punctuation followed by a space and a capital, digit or quote,
/// plus the line's own end. A cheap stand-in for datatrove's punkt splitter that, like punkt,
/// does not split after Dutch abbreviations followed by lower case (`o.a. de`, `art. 5`).
fn count_sentences(line: &str) -> usize {
    let mut n = 1;
    // Only a space can end a sentence: look around each one instead of walking every character.
    for (i, _) in line.match_indices(' ') {
        let mut before = line[..i].chars().rev();
        let p1 = before.next().unwrap_or(' ');
        let p2 = before.next().unwrap_or(' ');
        let ended = matches!(p1, '.' | '?' | '!')
            || (matches!(p1, '"' | '\'' | '”' | '’' | '»') && matches!(p2, '.' | '?' | '!'));
        let starts = line[i + 1..]
            .chars()
            .next()
            .is_some_and(|d| d.is_uppercase() || matches!(d, '"' | '“' | '‘' | '\'' | '('));
        n += usize::from(ended && starts);
    }
    n
}

impl Stage for C4 {
    fn name(&self) -> &str {
        &self.name
    }

    fn signals(&self) -> Vec<&'static str> {
        SIGNALS.to_vec()
    }

    fn process(&self, doc: &mut Document) {
        let c = &self.config;
        let mut kept = String::with_capacity(doc.text.len());
        let (mut removed, mut n_kept, mut sentences) = (0usize, 0usize, 0usize);
        let mut pending_break = false;
        let mut fail: Option<(Reason, String)> = None;
        for raw in doc.text.lines() {
            let line = raw.trim();
            if line.is_empty() {
                // Blank lines carry paragraph structure, which later stages (paragraph
                // duplicates, dedup) use; datatrove joins kept lines with single newlines and
                // loses it. A blank line is not counted as a removed line.
                pending_break = n_kept > 0;
                continue;
            }
            // A word has at least as many bytes as characters: count only long ones.
            if line
                .split_whitespace()
                .any(|w| w.len() > c.max_word_length && char_len(w) > c.max_word_length)
            {
                removed += 1;
                continue;
            }
            let line = if c.remove_citations && line.contains('[') {
                self.citations.replace_all(line, "")
            } else {
                std::borrow::Cow::Borrowed(line)
            };
            if c.filter_no_terminal_punct && (!ends_sentence(&line) || line.ends_with("...")) {
                removed += 1;
                continue;
            }
            if line.split_whitespace().take(c.min_words_per_line).count() < c.min_words_per_line {
                removed += 1;
                continue;
            }
            let (mut lorem, mut js, mut policy) = (false, false, false);
            for m in self.phrases.find_iter(line.as_ref()) {
                match m.pattern().as_usize() {
                    0 => lorem = true,
                    1 => js = true,
                    _ => policy = true,
                }
            }
            if c.filter_lorem_ipsum && lorem {
                fail = Some((
                    Reason::C4LoremIpsum,
                    format!("line {:?} contains lorem ipsum", snippet(&line)),
                ));
                break;
            }
            if c.filter_javascript && js {
                removed += 1;
                continue;
            }
            if c.filter_curly_bracket && c.curly_bracket_removes_line && line.contains(['{', '}']) {
                removed += 1;
                continue;
            }
            if c.filter_curly_bracket && line.contains('{') {
                fail = Some((
                    Reason::C4CurlyBracket,
                    format!("line {:?} contains a curly bracket", snippet(&line)),
                ));
                break;
            }
            if c.filter_policy && policy {
                removed += 1;
                continue;
            }
            sentences += count_sentences(&line);
            if n_kept > 0 {
                kept.push_str(if pending_break { "\n\n" } else { "\n" });
            }
            pending_break = false;
            kept.push_str(&line);
            n_kept += 1;
        }
        doc.set_signal(SIGNALS[0], removed as f64);
        doc.set_signal(SIGNALS[1], n_kept as f64);
        doc.set_signal(SIGNALS[2], sentences as f64);
        if fail.is_none() && sentences < c.min_num_sentences {
            fail = Some((
                Reason::C4TooFewSentences,
                format!(
                    "{sentences} sentences in {n_kept} kept lines ({removed} lines removed) < {}",
                    c.min_num_sentences
                ),
            ));
        }
        match fail {
            Some((reason, detail)) => doc.exclude(&self.name, reason, detail),
            None => {
                if kept != doc.text {
                    doc.text = kept;
                }
            }
        }
    }
}

/// The start of a line, for details.
fn snippet(line: &str) -> String {
    line.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sentence count as first written, walking every character.
    fn plain_count_sentences(line: &str) -> usize {
        let mut n = 1;
        let (mut p2, mut p1) = (' ', ' ');
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ' ' {
                let ended = matches!(p1, '.' | '?' | '!')
                    || (matches!(p1, '"' | '\'' | '”' | '’' | '»')
                        && matches!(p2, '.' | '?' | '!'));
                let starts = chars.peek().is_some_and(|&d| {
                    d.is_uppercase() || matches!(d, '"' | '“' | '‘' | '\'' | '(')
                });
                n += usize::from(ended && starts);
            }
            p2 = p1;
            p1 = c;
        }
        n
    }

    #[test]
    fn sentence_count_matches_plain_walk() {
        for line in [
            "",
            " ",
            "Ja. Nee! Wat? \"Zo.\" Dan.  Twee spaties. o.a. de rest, art. 5 en ‘Één’. (Nu) klaar.",
            "Hij zei: “Kom.” En ging. ’s Avonds. É. 1. 2.",
        ] {
            assert_eq!(count_sentences(line), plain_count_sentences(line), "{line}");
        }
        for d in crate::contract::demo_docs() {
            for line in d.text.lines() {
                let line = line.trim();
                assert_eq!(count_sentences(line), plain_count_sentences(line), "{line}");
            }
        }
    }
    use crate::contract::{check_stage, demo_doc, demo_docs};

    fn c4() -> C4 {
        C4::new("c4", C4Config::default()).expect("defaults build")
    }

    fn run(text: &str) -> Document {
        let mut d = Document::new("s", "f:1", text);
        c4().process(&mut d);
        d
    }

    #[test]
    fn removes_boilerplate_lines_from_dutch_text() {
        let article = demo_doc("arch-0010");
        let text = format!(
            "Menu\nZoeken\n{}\nDeze website maakt gebruik van cookies. Lees ons cookiebeleid.\n\
             Zet JavaScript aan om deze site goed te bekijken.\nLees onze Algemene Voorwaarden.",
            article.text
        );
        let d = run(&text);
        assert!(d.is_kept(), "{:?}", d.exclusion());
        assert!(!d.text.contains("cookies") && !d.text.contains("JavaScript"));
        assert!(!d.text.contains("Menu\n"));
        assert!(d.signal("c4_lines_removed").unwrap_or(0.0) >= 5.0);
        // The paragraphs of the article stay paragraphs.
        assert_eq!(
            d.text.matches("\n\n").count(),
            article.text.matches("\n\n").count()
        );
    }

    #[test]
    fn excludes_lorem_ipsum_code_and_banners() {
        let lorem = run(&demo_doc("arch-0017").text);
        assert_eq!(
            lorem.exclusion().map(|e| e.reason),
            Some(Reason::C4LoremIpsum)
        );
        let base = demo_doc("arch-0015").text;
        let code = run(&format!(
            "{base}\nfunction toon() {{ return de waarde van het veld; }}."
        ));
        assert_eq!(
            code.exclusion().map(|e| e.reason),
            Some(Reason::C4CurlyBracket)
        );
        // arch-0022: a cookie/privacy banner leaves nothing.
        let banner = run(&demo_doc("arch-0022").text);
        assert_eq!(
            banner.exclusion().map(|e| e.reason),
            Some(Reason::C4TooFewSentences)
        );
        // arch-0018: a navigation menu of short lines.
        let menu = run(&demo_doc("arch-0018").text);
        assert_eq!(
            menu.exclusion().map(|e| e.reason),
            Some(Reason::C4TooFewSentences)
        );
        let cite = run(&format!(
            "{base}\nDe wet trad in 1994 in werking.[1][bewerken] Hij geldt nog."
        ));
        assert!(
            cite.text.contains("in werking. Hij geldt nog."),
            "{}",
            cite.text
        );
    }

    #[test]
    fn sentences_are_not_split_after_abbreviations() {
        assert_eq!(count_sentences("Hij kwam. Zij ging. Wij bleven."), 3);
        assert_eq!(
            count_sentences("Zie o.a. de wet en art. 5 van het besluit."),
            1
        );
        assert_eq!(count_sentences("Hij zei: \"Ja.\" Daarna ging hij."), 2);
    }

    #[test]
    fn keeps_the_contract() {
        check_stage(&|| Box::new(c4()), demo_docs().to_vec());
    }
}
