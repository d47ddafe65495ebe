//! The Gopher quality and repetition rules (Rae et al. 2021, "Scaling Language Models", app. A),
//! as datatrove implements them (`GopherQualityFilter`, `GopherRepetitionFilter`), with the
//! Dutch thresholds of FineWeb-2 (`nld_Latn`) where that recipe tunes them.
//!
//! Every measured value becomes a signal, also when an earlier rule already excluded the
//! document, so a steward can see how far a document is from each threshold. The reason is the
//! first rule that fails, in datatrove's order.

use crate::text::{
    char_len, find_duplicates, has_letter, ratio, round4, tokenize, StrHasher, Token,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use xxhash_rust::xxh3::xxh3_64;
use zeef_core::{Document, Reason, Stage};

fn dutch_stop_words() -> Vec<String> {
    // FineWeb-2 `nld_Latn` stop words.
    "de van in het een en is op voor met door zijn werd hij uit"
        .split(' ')
        .map(str::to_string)
        .collect()
}

fn d_min_doc_words() -> usize {
    50
}
fn d_max_doc_words() -> usize {
    100_000
}
fn d_min_avg_word_length() -> f64 {
    3.0
}
fn d_max_avg_word_length() -> f64 {
    17.0
}
fn d_max_symbol_word_ratio() -> f64 {
    0.1
}
fn d_max_bullet_lines_ratio() -> f64 {
    0.9
}
fn d_max_ellipsis_lines_ratio() -> f64 {
    0.3
}
fn d_min_alpha_words_ratio() -> f64 {
    0.828
}
fn d_min_stop_words() -> usize {
    2
}

/// Configuration of the Gopher quality rules. Defaults: Gopher, with FineWeb-2 `nld_Latn` for
/// word length, alphabetic words and stop words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GopherQualityConfig {
    /// Fewest words (punctuation tokens not counted). Default 50.
    #[serde(default = "d_min_doc_words")]
    pub min_doc_words: usize,
    /// Most words. Default 100000.
    #[serde(default = "d_max_doc_words")]
    pub max_doc_words: usize,
    /// Lowest mean word length in characters. Default 3 (FineWeb-2 nld).
    #[serde(default = "d_min_avg_word_length")]
    pub min_avg_word_length: f64,
    /// Highest mean word length in characters. Default 17 (FineWeb-2 nld; Dutch compounds are
    /// long, Gopher's English value is 10).
    #[serde(default = "d_max_avg_word_length")]
    pub max_avg_word_length: f64,
    /// Most `#` per word, and most ellipses (`...`, `…`) per word. Default 0.1.
    #[serde(default = "d_max_symbol_word_ratio")]
    pub max_symbol_word_ratio: f64,
    /// Largest fraction of lines starting with a bullet (`•`, `-`). Default 0.9.
    #[serde(default = "d_max_bullet_lines_ratio")]
    pub max_bullet_lines_ratio: f64,
    /// Largest fraction of lines ending with an ellipsis. Default 0.3.
    #[serde(default = "d_max_ellipsis_lines_ratio")]
    pub max_ellipsis_lines_ratio: f64,
    /// Smallest fraction of words with at least one letter. Default 0.828 (FineWeb-2 nld).
    /// datatrove calls this `max_non_alpha_words_ratio`, but compares it as a minimum of
    /// alphabetic words; the name here says what is compared.
    #[serde(default = "d_min_alpha_words_ratio")]
    pub min_alpha_words_ratio: f64,
    /// Whether punctuation tokens count as words without a letter in that ratio, as in
    /// datatrove. Default false: punctuation makes 15–25% of the tokens of ordinary Dutch
    /// news and court text, so counted, 0.828 excludes the demo's control news articles
    /// (0.78); not counted, the rule still removes what it is for (number tables, codes).
    #[serde(default)]
    pub alpha_ratio_counts_punctuation: bool,
    /// Fewest occurrences of stop words (case-sensitive, as datatrove). Default 2.
    #[serde(default = "d_min_stop_words")]
    pub min_stop_words: usize,
    /// The stop words. Default the FineWeb-2 Dutch list: de van in het een en is op voor met
    /// door zijn werd hij uit.
    #[serde(default = "dutch_stop_words")]
    pub stop_words: Vec<String>,
}

impl Default for GopherQualityConfig {
    fn default() -> Self {
        GopherQualityConfig {
            min_doc_words: d_min_doc_words(),
            max_doc_words: d_max_doc_words(),
            min_avg_word_length: d_min_avg_word_length(),
            max_avg_word_length: d_max_avg_word_length(),
            max_symbol_word_ratio: d_max_symbol_word_ratio(),
            max_bullet_lines_ratio: d_max_bullet_lines_ratio(),
            max_ellipsis_lines_ratio: d_max_ellipsis_lines_ratio(),
            min_alpha_words_ratio: d_min_alpha_words_ratio(),
            alpha_ratio_counts_punctuation: false,
            min_stop_words: d_min_stop_words(),
            stop_words: dutch_stop_words(),
        }
    }
}

const QUALITY_SIGNALS: [&str; 8] = [
    "gopher_words",
    "gopher_mean_word_length",
    "gopher_hash_ratio",
    "gopher_ellipsis_ratio",
    "gopher_bullet_lines_ratio",
    "gopher_ellipsis_lines_ratio",
    "gopher_alpha_words_ratio",
    "gopher_stop_words",
];

/// The Gopher quality rules: word count, mean word length, symbol ratios, bullet and ellipsis
/// lines, alphabetic words, stop words.
pub struct GopherQuality {
    name: String,
    config: GopherQualityConfig,
    stop_words: HashSet<String, BuildHasherDefault<StrHasher>>,
}

impl GopherQuality {
    /// The stage named `name`.
    pub fn new(name: impl Into<String>, config: GopherQualityConfig) -> Self {
        GopherQuality {
            name: name.into(),
            stop_words: config.stop_words.iter().cloned().collect(),
            config,
        }
    }
}

impl Stage for GopherQuality {
    fn name(&self) -> &str {
        &self.name
    }

    fn signals(&self) -> Vec<&'static str> {
        QUALITY_SIGNALS.to_vec()
    }

    fn process(&self, doc: &mut Document) {
        let c = &self.config;
        let text = doc.text.as_str();
        let tokens = tokenize(text);
        let n_tokens = tokens.len();
        let (mut words, mut word_chars, mut alpha, mut stops) = (0usize, 0usize, 0usize, 0usize);
        for t in &tokens {
            if !t.symbol {
                words += 1;
                word_chars += char_len(t.text);
            }
            if has_letter(t.text) {
                alpha += 1;
            }
            if self.stop_words.contains(t.text) {
                stops += 1;
            }
        }
        let mean_len = ratio(word_chars, words).unwrap_or(0.0);
        let hashes = ratio(text.matches('#').count(), n_tokens);
        let ellipses = ratio(
            text.matches("...").count() + text.matches('…').count(),
            n_tokens,
        );
        let (mut n_lines, mut bullets, mut ellipsis_lines) = (0usize, 0usize, 0usize);
        for line in text.lines() {
            n_lines += 1;
            let l = line.trim_start();
            bullets += usize::from(l.starts_with('•') || l.starts_with('-'));
            let r = line.trim_end();
            ellipsis_lines += usize::from(r.ends_with("...") || r.ends_with('…'));
        }
        let bullet_ratio = ratio(bullets, n_lines);
        let ellipsis_line_ratio = ratio(ellipsis_lines, n_lines);
        let alpha_ratio = if c.alpha_ratio_counts_punctuation {
            ratio(alpha, n_tokens)
        } else {
            ratio(alpha, words)
        };

        let values = [
            Some(words as f64),
            Some(mean_len),
            hashes,
            ellipses,
            bullet_ratio,
            ellipsis_line_ratio,
            alpha_ratio,
            Some(stops as f64),
        ];
        for (name, v) in QUALITY_SIGNALS.iter().zip(values) {
            doc.set_signal(name, round4(v.unwrap_or(0.0)));
        }

        let fail = if words < c.min_doc_words || words > c.max_doc_words {
            Some((
                Reason::GopherWordCount,
                format!(
                    "{words} words outside {}..={}",
                    c.min_doc_words, c.max_doc_words
                ),
            ))
        } else if mean_len < c.min_avg_word_length || mean_len > c.max_avg_word_length {
            Some((
                Reason::GopherMeanWordLength,
                format!(
                    "mean word length {:.2} outside {}..={}",
                    mean_len, c.min_avg_word_length, c.max_avg_word_length
                ),
            ))
        } else if hashes.is_some_and(|r| r > c.max_symbol_word_ratio) {
            Some((
                Reason::GopherSymbolRatio,
                format!(
                    "{:.4} '#' per word > {}",
                    hashes.unwrap_or(0.0),
                    c.max_symbol_word_ratio
                ),
            ))
        } else if ellipses.is_some_and(|r| r > c.max_symbol_word_ratio) {
            Some((
                Reason::GopherSymbolRatio,
                format!(
                    "{:.4} ellipses per word > {}",
                    ellipses.unwrap_or(0.0),
                    c.max_symbol_word_ratio
                ),
            ))
        } else if bullet_ratio.is_some_and(|r| r > c.max_bullet_lines_ratio) {
            Some((
                Reason::GopherBulletLines,
                format!(
                    "{bullets} of {n_lines} lines start with a bullet (> {})",
                    c.max_bullet_lines_ratio
                ),
            ))
        } else if ellipsis_line_ratio.is_some_and(|r| r > c.max_ellipsis_lines_ratio) {
            Some((
                Reason::GopherEllipsisLines,
                format!(
                    "{ellipsis_lines} of {n_lines} lines end with an ellipsis (> {})",
                    c.max_ellipsis_lines_ratio
                ),
            ))
        } else if alpha_ratio.is_some_and(|r| r < c.min_alpha_words_ratio) {
            Some((
                Reason::GopherAlphaWords,
                format!(
                    "{:.4} of words contain a letter < {}",
                    alpha_ratio.unwrap_or(0.0),
                    c.min_alpha_words_ratio
                ),
            ))
        } else if stops < c.min_stop_words {
            Some((
                Reason::GopherStopwords,
                format!("{stops} stop words < {}", c.min_stop_words),
            ))
        } else {
            None
        };
        if let Some((reason, detail)) = fail {
            doc.exclude(&self.name, reason, detail);
        }
    }
}

fn d_dup_line_frac() -> f64 {
    0.296
}
fn d_dup_para_frac() -> f64 {
    0.3
}
fn d_dup_char_frac() -> f64 {
    0.2
}
fn d_top_n_grams() -> Vec<(usize, f64)> {
    vec![(2, 0.213), (3, 0.182), (4, 0.158)]
}
fn d_dup_n_grams() -> Vec<(usize, f64)> {
    vec![
        (5, 0.156),
        (6, 0.146),
        (7, 0.136),
        (8, 0.126),
        (9, 0.115),
        (10, 0.104),
    ]
}

/// Configuration of the Gopher repetition rules. Defaults: FineWeb-2 `nld_Latn` for duplicate
/// lines and n-grams, Gopher for paragraphs and duplicate characters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GopherRepetitionConfig {
    /// Largest fraction of lines that repeat an earlier line. Default 0.296 (FineWeb-2 nld).
    #[serde(default = "d_dup_line_frac")]
    pub dup_line_frac: f64,
    /// Largest fraction of paragraphs (split at blank lines) that repeat an earlier one.
    /// Default 0.3.
    #[serde(default = "d_dup_para_frac")]
    pub dup_para_frac: f64,
    /// Largest fraction of the characters in repeated lines. Default 0.2.
    #[serde(default = "d_dup_char_frac")]
    pub dup_line_char_frac: f64,
    /// Largest fraction of the characters in repeated paragraphs. Default 0.2.
    #[serde(default = "d_dup_char_frac")]
    pub dup_para_char_frac: f64,
    /// `[n, max]` pairs: the most frequent word n-gram may cover at most `max` of the characters.
    /// n from 1 to 10. Default `[[2, 0.213], [3, 0.182], [4, 0.158]]` (FineWeb-2 nld).
    #[serde(default = "d_top_n_grams")]
    pub top_n_grams: Vec<(usize, f64)>,
    /// `[n, max]` pairs: repeated word n-grams may cover at most `max` of the characters.
    /// n from 1 to 10. Default 5..10 → 0.156, 0.146, 0.136, 0.126, 0.115, 0.104 (FineWeb-2 nld).
    #[serde(default = "d_dup_n_grams")]
    pub dup_n_grams: Vec<(usize, f64)>,
}

impl Default for GopherRepetitionConfig {
    fn default() -> Self {
        GopherRepetitionConfig {
            dup_line_frac: d_dup_line_frac(),
            dup_para_frac: d_dup_para_frac(),
            dup_line_char_frac: d_dup_char_frac(),
            dup_para_char_frac: d_dup_char_frac(),
            top_n_grams: d_top_n_grams(),
            dup_n_grams: d_dup_n_grams(),
        }
    }
}

const TOP_SIGNALS: [&str; 10] = [
    "gopher_top_1_gram",
    "gopher_top_2_gram",
    "gopher_top_3_gram",
    "gopher_top_4_gram",
    "gopher_top_5_gram",
    "gopher_top_6_gram",
    "gopher_top_7_gram",
    "gopher_top_8_gram",
    "gopher_top_9_gram",
    "gopher_top_10_gram",
];
const DUP_SIGNALS: [&str; 10] = [
    "gopher_dup_1_gram",
    "gopher_dup_2_gram",
    "gopher_dup_3_gram",
    "gopher_dup_4_gram",
    "gopher_dup_5_gram",
    "gopher_dup_6_gram",
    "gopher_dup_7_gram",
    "gopher_dup_8_gram",
    "gopher_dup_9_gram",
    "gopher_dup_10_gram",
];
const REPETITION_SIGNALS: [&str; 4] = [
    "gopher_dup_para_frac",
    "gopher_dup_para_char_frac",
    "gopher_dup_line_frac",
    "gopher_dup_line_char_frac",
];

/// The Gopher repetition rules: duplicate paragraphs and lines, the most frequent short n-gram,
/// repeated long n-grams.
pub struct GopherRepetition {
    name: String,
    config: GopherRepetitionConfig,
}

impl GopherRepetition {
    /// The stage named `name`; fails when an n-gram size is outside 1..=10.
    pub fn new(
        name: impl Into<String>,
        config: GopherRepetitionConfig,
    ) -> Result<Self, crate::ConfigError> {
        Self::build(name.into(), config).map_err(crate::ConfigError::wrap("gopher_repetition"))
    }

    fn build(name: String, config: GopherRepetitionConfig) -> Result<Self, String> {
        for &(n, _) in config.top_n_grams.iter().chain(&config.dup_n_grams) {
            if !(1..=10).contains(&n) {
                return Err(format!(
                    "gopher_repetition: n-gram size {n} is not in 1..=10"
                ));
            }
        }
        Ok(GopherRepetition { name, config })
    }
}

/// A hasher for keys that are already hashes.
#[derive(Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type PreHashedMap<V> = HashMap<u64, V, BuildHasherDefault<PreHashed>>;

/// Word n-grams as 64-bit hashes, computed in O(1) per n-gram from prefix sums of a polynomial
/// hash over per-token xxh3 hashes, and their character lengths from prefix sums. datatrove
/// builds every n-gram as a joined string; this is what makes the rule cheap enough to run on
/// everything.
struct Ngrams {
    prefix: Vec<u64>,
    powers: Vec<u64>,
    chars: Vec<usize>,
}

const BASE: u64 = 0x100_0000_01B3; // an odd multiplier (FNV prime)

impl Ngrams {
    fn new(tokens: &[Token<'_>]) -> Self {
        let mut prefix = Vec::with_capacity(tokens.len() + 1);
        let mut chars = Vec::with_capacity(tokens.len() + 1);
        let mut powers = Vec::with_capacity(11);
        prefix.push(0u64);
        chars.push(0usize);
        let (mut h, mut c) = (0u64, 0usize);
        for t in tokens {
            // Mixing in 1 keeps an empty-token hash from being zero.
            h = h
                .wrapping_mul(BASE)
                .wrapping_add(xxh3_64(t.text.as_bytes()) | 1);
            c += char_len(t.text);
            prefix.push(h);
            chars.push(c);
        }
        let mut p = 1u64;
        for _ in 0..=10 {
            powers.push(p);
            p = p.wrapping_mul(BASE);
        }
        Ngrams {
            prefix,
            powers,
            chars,
        }
    }

    fn len(&self) -> usize {
        self.prefix.len() - 1
    }

    fn hash(&self, i: usize, n: usize) -> u64 {
        let h = self.prefix[i + n].wrapping_sub(self.prefix[i].wrapping_mul(self.powers[n]));
        // Finalise so that the map's buckets get well-mixed bits.
        let h = (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        h ^ (h >> 32)
    }

    /// Characters of tokens `i..i+n`.
    fn chars(&self, i: usize, n: usize) -> usize {
        self.chars[i + n] - self.chars[i]
    }

    /// datatrove's `find_top_duplicate`: characters of the most frequent n-gram (joined with
    /// spaces) times its count; ties go to the n-gram seen first. Unlike datatrove, an n-gram
    /// that occurs once is not repetition and counts 0, so a tiny document is not excluded for
    /// "repeating" its only 2-gram.
    ///
    /// Positions where `known` says no n-gram can repeat are skipped (an n-gram that occurs once
    /// cannot be the most frequent one of two or more); afterwards `known` holds the positions
    /// whose n-gram occurs at least twice.
    fn top(&self, n: usize, counts: &mut PreHashedMap<(u32, u32)>, known: &mut Known) -> usize {
        if self.len() < n {
            known.set_none(n);
            return 0;
        }
        let positions = self.len() - n + 1;
        let skip = known.applies(n);
        counts.clear();
        counts.reserve(if skip { known.count } else { positions });
        known.first.clear();
        known.first.resize(positions, u32::MAX);
        let (mut best, mut best_first) = (0u32, usize::MAX);
        let mut best_i = 0;
        for i in 0..positions {
            if skip && !known.shared[i] {
                continue;
            }
            let e = counts.entry(self.hash(i, n)).or_insert((0, i as u32));
            e.0 += 1;
            known.first[i] = e.1;
            let first = e.1 as usize;
            if e.0 > best || (e.0 == best && first < best_first) {
                best = e.0;
                best_first = first;
                best_i = first;
            }
        }
        known.update(n);
        if best < 2 {
            return 0;
        }
        (self.chars(best_i, n) + n - 1) * best as usize
    }

    /// datatrove's `find_all_duplicate`: walking left to right, an n-gram seen before adds its
    /// characters (joined without spaces) and the walk jumps past it, so overlapping repeats
    /// are not counted twice. An n-gram that `known` says occurs once is neither a repeat nor
    /// worth remembering, so it costs no hashing.
    fn repeated(&self, n: usize, seen: &mut PreHashedMap<()>, known: &Known) -> usize {
        let skip = known.applies(n);
        seen.clear();
        seen.reserve(if skip { known.count } else { self.len() });
        let mut repeated = 0;
        let mut i = 0;
        while i + n <= self.len() {
            if skip && !known.shared[i] {
                i += 1;
            } else if seen.insert(self.hash(i, n), ()).is_some() {
                repeated += self.chars(i, n);
                i += n;
            } else {
                i += 1;
            }
        }
        repeated
    }
}

/// Which positions of a document can start a repeated n-gram: where the k-gram occurs at least
/// twice. An n-gram with n >= k that occurs twice starts with a k-gram that occurs twice, so the
/// n-gram passes only need to hash those positions: in ordinary text most 3- and 4-grams occur
/// once, and most of the work of the repetition rules goes away.
#[derive(Default)]
struct Known {
    /// The k of `shared`; 0 while nothing is known.
    k: usize,
    /// Per position: its k-gram occurs at least twice.
    shared: Vec<bool>,
    /// Number of true entries of `shared`.
    count: usize,
    /// Scratch: per position, the first position of its n-gram (`u32::MAX`: skipped).
    first: Vec<u32>,
    /// Scratch: occurrences per first position.
    occurrences: Vec<u32>,
}

impl Known {
    fn applies(&self, n: usize) -> bool {
        self.k > 0 && self.k <= n
    }

    /// No n-gram can repeat (the document is shorter than n tokens).
    fn set_none(&mut self, n: usize) {
        if self.k == 0 || n < self.k {
            self.k = n;
            self.shared.clear();
            self.count = 0;
        }
    }

    /// Takes the n-gram counts that `first` describes, where they say more than what is known.
    fn update(&mut self, n: usize) {
        if self.k != 0 && n < self.k {
            return;
        }
        self.occurrences.clear();
        self.occurrences.resize(self.first.len(), 0);
        for &f in &self.first {
            if f != u32::MAX {
                self.occurrences[f as usize] += 1;
            }
        }
        self.shared.clear();
        self.shared.extend(
            self.first
                .iter()
                .map(|&f| f != u32::MAX && self.occurrences[f as usize] >= 2),
        );
        self.count = self.shared.iter().filter(|s| **s).count();
        self.k = n;
    }
}

/// Paragraphs as datatrove splits them: the stripped text cut at runs of two or more newlines.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    text.trim()
        .split("\n\n")
        .map(|p| p.trim_start_matches('\n'))
        .filter(|p| !p.is_empty())
}

impl Stage for GopherRepetition {
    fn name(&self) -> &str {
        &self.name
    }

    fn signals(&self) -> Vec<&'static str> {
        let mut s = REPETITION_SIGNALS.to_vec();
        s.extend(
            self.config
                .top_n_grams
                .iter()
                .map(|&(n, _)| TOP_SIGNALS[n - 1]),
        );
        s.extend(
            self.config
                .dup_n_grams
                .iter()
                .map(|&(n, _)| DUP_SIGNALS[n - 1]),
        );
        s
    }

    fn process(&self, doc: &mut Document) {
        let c = &self.config;
        // Taken out (not copied) so that signals can be set while the tokens borrow it.
        let owned = std::mem::take(&mut doc.text);
        let text = owned.as_str();
        let total = char_len(text);
        let n_paras = paragraphs(text).count().max(1);
        let (para_dups, para_chars) = find_duplicates(paragraphs(text));
        // Empty lines are left out: datatrove splits at `\n+`, which only yields empty pieces
        // at the ends of the text.
        let n_lines = text.split('\n').filter(|l| !l.is_empty()).count();
        let (line_dups, line_chars) = find_duplicates(text.split('\n').filter(|l| !l.is_empty()));
        let frac = |a, b| ratio(a, b).unwrap_or(0.0);
        let measured = [
            frac(para_dups, n_paras),
            frac(para_chars, total),
            frac(line_dups, n_lines),
            frac(line_chars, total),
        ];
        for (name, v) in REPETITION_SIGNALS.iter().zip(measured) {
            doc.set_signal(name, round4(v));
        }
        let limits = [
            (
                c.dup_para_frac,
                Reason::GopherDupParaFraction,
                "paragraphs repeated",
            ),
            (
                c.dup_para_char_frac,
                Reason::GopherDupParaChars,
                "characters in repeated paragraphs",
            ),
            (
                c.dup_line_frac,
                Reason::GopherDupLineFraction,
                "lines repeated",
            ),
            (
                c.dup_line_char_frac,
                Reason::GopherDupLineChars,
                "characters in repeated lines",
            ),
        ];
        let mut fail: Option<(Reason, String)> = None;
        for (v, (max, reason, what)) in measured.iter().zip(limits) {
            if fail.is_none() && *v > max {
                fail = Some((reason, format!("{v:.4} of {what} > {max}")));
            }
        }

        let tokens = tokenize(text);
        let grams = Ngrams::new(&tokens);
        // One allocation per document for all n.
        let mut counts = PreHashedMap::default();
        let mut seen = PreHashedMap::default();
        let mut known = Known::default();
        for &(n, max) in &c.top_n_grams {
            let v = frac(grams.top(n, &mut counts, &mut known), total);
            doc.set_signal(TOP_SIGNALS[n - 1], round4(v));
            if fail.is_none() && v > max {
                fail = Some((
                    Reason::GopherTopNgram,
                    format!("most frequent {n}-gram covers {v:.4} of the characters > {max}"),
                ));
            }
        }
        for &(n, max) in &c.dup_n_grams {
            let v = frac(grams.repeated(n, &mut seen, &known), total);
            doc.set_signal(DUP_SIGNALS[n - 1], round4(v));
            if fail.is_none() && v > max {
                fail = Some((
                    Reason::GopherDupNgram,
                    format!("repeated {n}-grams cover {v:.4} of the characters > {max}"),
                ));
            }
        }
        drop(tokens);
        doc.text = owned;
        if let Some((reason, detail)) = fail {
            doc.exclude(&self.name, reason, detail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{check_stage, demo_doc, demo_docs, real_docs};

    fn quality() -> GopherQuality {
        GopherQuality::new("gopher_quality", GopherQualityConfig::default())
    }

    fn repetition() -> GopherRepetition {
        GopherRepetition::new("gopher_repetition", GopherRepetitionConfig::default())
            .expect("defaults are valid")
    }

    fn reason(stage: &dyn Stage, text: &str) -> Option<Reason> {
        let mut d = Document::new("s", "f:1", text);
        stage.process(&mut d);
        d.exclusion().map(|e| e.reason)
    }

    /// A real Dutch paragraph (alpino newspaper text) of about 100 words.
    fn prose() -> String {
        let d = demo_doc("WR-P-P-H-0000000048");
        d.text
            .split_whitespace()
            .take(120)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn quality_rules_on_dutch_examples() {
        let q = quality();
        assert_eq!(reason(&q, &prose()), None);
        // arch-0020: a two-word page.
        assert_eq!(
            reason(&q, &demo_doc("arch-0020").text),
            Some(Reason::GopherWordCount)
        );
        // arch-0001: only numbers and symbols.
        let r = reason(&q, &demo_doc("arch-0001").text);
        assert!(
            matches!(
                r,
                Some(
                    Reason::GopherAlphaWords
                        | Reason::GopherMeanWordLength
                        | Reason::GopherWordCount
                )
            ),
            "{r:?}"
        );
        // All-caps shouting has no (lower-case) stop words; arch-0026 adds "!!!" tokens too,
        // which trip the alphabetic-word rule first.
        assert_eq!(
            reason(&q, &prose().to_uppercase()),
            Some(Reason::GopherStopwords)
        );
        assert!(reason(&q, &demo_doc("arch-0026").text).is_some());
        // Hash tags and ellipses.
        let tagged = prose()
            .split(' ')
            .map(|w| format!("#{w}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(reason(&q, &tagged), Some(Reason::GopherSymbolRatio));
        let trailing = prose()
            .split(' ')
            .collect::<Vec<_>>()
            .chunks(5)
            .map(|c| format!("{}...", c.join(" ")))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(reason(&q, &trailing), Some(Reason::GopherSymbolRatio));
        // Bullet lines: a list of real Dutch sentence fragments.
        let bullets: String = prose()
            .split(' ')
            .collect::<Vec<_>>()
            .chunks(6)
            .map(|c| format!("- {}\n", c.join(" ")))
            .collect();
        assert_eq!(reason(&q, &bullets), Some(Reason::GopherBulletLines));
        let ellipsis_lines: String = prose()
            .split(' ')
            .collect::<Vec<_>>()
            .chunks(30)
            .map(|c| format!("{} …\n", c.join(" ")))
            .collect();
        assert_eq!(
            reason(&q, &ellipsis_lines),
            Some(Reason::GopherEllipsisLines)
        );
        // Long "words": text with the spaces removed between pairs of words.
        let glued = prose().replacen(' ', "", 200);
        assert_eq!(reason(&q, &glued), Some(Reason::GopherWordCount));
        let compounds: String = prose()
            .split(' ')
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.concat())
            .collect::<Vec<_>>()
            .join(" ");
        let long = format!("{compounds} {compounds} {compounds}");
        assert_eq!(reason(&q, &long), Some(Reason::GopherMeanWordLength));
    }

    #[test]
    fn repetition_rules_on_dutch_examples() {
        let r = repetition();
        assert_eq!(reason(&r, &demo_doc("WR-P-P-H-0000000048").text), None);
        // arch-0013: one line repeated 30 times.
        assert_eq!(
            reason(&r, &demo_doc("arch-0013").text),
            Some(Reason::GopherDupLineFraction)
        );
        let paras = format!("{}\n\n", prose()).repeat(3);
        assert_eq!(reason(&r, &paras), Some(Reason::GopherDupParaFraction));
        let line = "De gemeente heeft het plan voor de nieuwe brug goedgekeurd.";
        let lines = format!("{}\nEen andere regel over iets anders.\n", line).repeat(4);
        assert_eq!(reason(&r, &lines), Some(Reason::GopherDupLineFraction));
        let base = prose();
        // One long line repeated once among many short unique ones: few duplicate lines, but
        // many duplicate characters.
        let words: Vec<&str> = base.split(' ').collect();
        let big = words[..60].join(" ");
        let shorts: String = (1..=10).map(|i| format!("regel {i}\n")).collect();
        let one_dup_line = format!("{base}\n{shorts}{big}\n{big}");
        assert_eq!(reason(&r, &one_dup_line), Some(Reason::GopherDupLineChars));
        let unique: Vec<String> = words.chunks(30).map(|c| c.join(" ")).collect();
        let para = format!("{}\n\n{big}\n\n{big}", unique.join("\n\n"));
        assert_eq!(reason(&r, &para), Some(Reason::GopherDupParaChars));
        let stuffed = format!("{base} {}", "de gemeente ".repeat(40));
        assert_eq!(reason(&r, &stuffed), Some(Reason::GopherTopNgram));
        let repeated = format!(
            "{base} {}",
            base.split(' ').take(60).collect::<Vec<_>>().join(" ")
        );
        assert_eq!(reason(&r, &repeated), Some(Reason::GopherDupNgram));
    }

    #[test]
    fn ngram_counts_match_datatrove() {
        let text = "a b a b a b c";
        let tokens = tokenize(text);
        let g = Ngrams::new(&tokens);
        // "a b" occurs 3 times: (3 chars) * 3.
        let (mut c, mut s) = (PreHashedMap::default(), PreHashedMap::default());
        let none = Known::default();
        assert_eq!(g.top(2, &mut c, &mut Known::default()), 9);
        // 2-grams: ab(new) ba(new) ab(dup, +2, jump 2) ab(dup at 4, +2, jump) then "c" left.
        assert_eq!(g.repeated(2, &mut s, &none), 4);
        assert_eq!(g.top(7, &mut c, &mut Known::default()), 0);
        assert_eq!(g.repeated(8, &mut s, &none), 0);
        let short = tokenize("één twee");
        assert_eq!(Ngrams::new(&short).top(1, &mut c, &mut Known::default()), 0);
    }

    /// Skipping the positions whose shorter n-gram occurs once changes no count: every n-gram
    /// signal with the skipping equals the one computed from scratch, on the demo corpus and on
    /// repetitive text.
    #[test]
    fn skipping_unrepeated_positions_changes_nothing() {
        let mut texts: Vec<String> = demo_docs().iter().map(|d| d.text.clone()).collect();
        let base = prose();
        texts.push(format!("{base} {}", "de gemeente ".repeat(40)));
        texts.push(format!("{base} {base}"));
        texts.push("a b a b a b c".into());
        texts.push("één".into());
        let (mut c, mut s) = (PreHashedMap::default(), PreHashedMap::default());
        for text in &texts {
            let tokens = tokenize(text);
            let g = Ngrams::new(&tokens);
            let mut known = Known::default();
            for n in 2..=4 {
                let fast = g.top(n, &mut c, &mut known);
                assert_eq!(fast, g.top(n, &mut c, &mut Known::default()), "top {n}");
            }
            assert!(known.k == 4 || tokens.len() < 4);
            for n in 5..=10 {
                let fast = g.repeated(n, &mut s, &known);
                assert_eq!(fast, g.repeated(n, &mut s, &Known::default()), "dup {n}");
            }
        }
    }

    /// What the FineWeb-2 Dutch defaults do to the real demo sources, printed for the steward.
    /// Ordinary news text (the archive's control articles) passes. The recipe was tuned on web
    /// text: 1869 prose, court rulings full of numbers and the UD-tokenised corpora (the
    /// alphabetic-word ratio counts punctuation and number tokens) and formulaic laws (repeated
    /// 5-grams) do not all pass; the counts are printed for calibration.
    #[test]
    fn real_dutch_sources() {
        let (q, r) = (quality(), repetition());
        let mut by: std::collections::BTreeMap<(String, String), usize> = Default::default();
        let mut total: std::collections::BTreeMap<String, usize> = Default::default();
        let controls = ["arch-0010", "arch-0015"].map(demo_doc);
        for doc in real_docs().cloned().chain(controls) {
            *total.entry(doc.source.clone()).or_default() += 1;
            for stage in [&q as &dyn Stage, &r] {
                let mut d = doc.clone();
                stage.process(&mut d);
                if let Some(e) = d.exclusion() {
                    *by.entry((d.source.clone(), e.reason.code().to_string()))
                        .or_default() += 1;
                    assert!(
                        d.source != "archive",
                        "{} {}: {}",
                        d.locator,
                        e.reason,
                        e.detail
                    );
                }
            }
        }
        println!("documents per source: {total:?}");
        for ((source, reason), n) in &by {
            println!("{source:<12} {reason:<28} {n}");
        }
    }

    #[test]
    fn keeps_the_contract() {
        check_stage(&|| Box::new(quality()), demo_docs().to_vec());
        check_stage(&|| Box::new(repetition()), demo_docs().to_vec());
        assert!(GopherRepetition::new(
            "r",
            GopherRepetitionConfig {
                top_n_grams: vec![(11, 0.1)],
                ..GopherRepetitionConfig::default()
            }
        )
        .is_err());
    }
}
