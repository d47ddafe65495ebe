//! The one-screen summary printed after a run.

use std::fmt::Write;
use std::path::Path;
use zeef_core::RunSummary;

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    format!("{:.1}%", 100.0 * part as f64 / whole as f64)
}

/// Sources whose kept documents lost more than `max` of their words to stages (line rules,
/// replacements): a sign that a rule cuts good text and the source's profile needs a look.
pub fn cut_warnings(s: &RunSummary, max: f64) -> Vec<String> {
    let mut out = Vec::new();
    for (name, c) in &s.sources {
        let before = c.words_kept + c.words_removed();
        if before == 0 || (c.words_removed() as f64) <= max * before as f64 {
            continue;
        }
        let worst = c
            .words_removed_by_stage
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(st, n)| format!(", most by {st} ({})", pct(*n, before)))
            .unwrap_or_default();
        out.push(format!(
            "source {name}: stages removed {} of the words of its kept documents{worst}, more than run.max_words_removed_share ({:.1}%); check its profile",
            pct(c.words_removed(), before),
            100.0 * max
        ));
    }
    out
}

/// Renders the summary a user sees at the end of `zeef run` and `zeef demo`; `max_cut` is the
/// run's `max_words_removed_share`.
pub fn render(dir: &Path, s: &RunSummary, max_cut: f64) -> String {
    let t = &s.totals;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{} documents read: {} kept, {} excluded (read = kept + excluded ✓)\n",
        t.documents_read, t.documents_kept, t.documents_excluded
    );
    let _ = writeln!(
        out,
        "  {:<16} {:>7} {:>7} {:>9} {:>7} {:>8}  exclusions",
        "source", "read", "kept", "excluded", "words", "cut"
    );
    for (name, c) in &s.sources {
        let reasons: Vec<String> = c
            .excluded_by_reason
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "  {:<16} {:>7} {:>7} {:>9} {:>7} {:>8}  {}",
            name,
            c.documents_read,
            c.documents_kept,
            c.documents_excluded,
            pct(c.words_kept, c.words_read),
            pct(c.words_removed(), c.words_kept + c.words_removed()),
            reasons.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "  (words: share of the words read that are kept; cut: share of the words of kept documents that stages removed)"
    );
    let _ = writeln!(
        out,
        "\n  {:<16} {:>7} {:>13}",
        "stage", "excluded", "words removed"
    );
    for st in &s.stages {
        let n: u64 = st.excluded_by_reason.values().sum();
        let _ = writeln!(out, "  {:<16} {:>7} {:>13}", st.name, n, st.words_removed);
    }
    for w in cut_warnings(s, max_cut) {
        let _ = writeln!(out, "\n  warning: {w}");
    }
    let _ = writeln!(
        out,
        "\n  output:   {}\n  excluded: {}\n  summary:  {}\n  report:   {}",
        dir.join("output").display(),
        dir.join("excluded").display(),
        dir.join("run.json").display(),
        dir.join("report.html").display()
    );
    out
}
