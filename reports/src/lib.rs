//! Reports of a run for the people who check it, counted from the shards in one streaming pass:
//!
//! - `report.html`: a self-contained page (inline SVG, no network) for the data steward;
//! - `report.json`: the same figures for machines;
//! - `manifest.json`: every input file and shard with its SHA-256, a Merkle root over the
//!   shards, the configuration and its hash, the reference date of the licence checks;
//! - `datasheet.md`: a datasheet filled from the run, with what only a person can write marked;
//! - `ai-act-summary.md` and `.json`: the EU AI Act Art. 53(1)(d) public summary;
//! - `croissant.json`: MLCommons Croissant 1.0 metadata of the output shards;
//! - `README.md`: a Hugging Face dataset card.
#![warn(missing_docs)]

mod crawl;
pub mod croissant;
pub mod docs;
pub mod figures;
mod html;
pub mod manifest;
mod mask;
pub mod publication;

pub use figures::Figures;
pub use manifest::{InputFile, Manifest, RunContext, ShardEntry, SourceInfo};
pub use mask::Masker;
pub use publication::Publication;

use std::fmt::Write;
use std::path::{Path, PathBuf};
use zeef_core::{Reason, RunSummary};

/// Errors of report writing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is not what it should be.
    #[error("{path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The personal-data masker could not be built.
    #[error("personal-data masking: {0}")]
    Mask(#[from] zeef_filters::ConfigError),
    /// The shards do not agree with `run.json`.
    #[error("the shards do not agree with run.json: {0}")]
    Mismatch(String),
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Result of report writing.
pub type Result<T> = std::result::Result<T, Error>;

/// The files [`write_all`] wrote, in the run folder.
pub const REPORT_FILES: [&str; 8] = [
    "report.html",
    "report.json",
    "manifest.json",
    "datasheet.md",
    "ai-act-summary.md",
    "ai-act-summary.json",
    "croissant.json",
    "README.md",
];

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

fn json_bytes<T: serde::Serialize>(v: &T) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).unwrap_or_default();
    b.push(b'\n');
    b
}

/// Counts the figures of a finished run from its shards and checks them against `run.json`.
pub fn figures(dir: &Path, summary: &RunSummary, run: &RunContext) -> Result<Figures> {
    let order: Vec<String> = summary.stages.iter().map(|s| s.name.clone()).collect();
    let mut f = figures::compute(dir, &order, run)?;
    let profiles = run
        .sources
        .iter()
        .filter_map(|s| Some((s.name.clone(), s.profile.clone()?)))
        .collect();
    f.words_removed = figures::words_removed(summary, &profiles);
    let t = &summary.totals;
    let checks = [
        ("documents read", f.read.documents, t.documents_read),
        ("documents kept", f.kept.documents, t.documents_kept),
        (
            "documents excluded",
            f.excluded.documents,
            t.documents_excluded,
        ),
        ("words kept", f.kept.words, t.words_kept),
        ("bytes kept", f.kept.bytes, t.bytes_kept),
    ];
    for (what, shards, json) in checks {
        if shards != json {
            return Err(Error::Mismatch(format!(
                "{what}: {shards} in the shards, {json} in run.json"
            )));
        }
    }
    Ok(f)
}

/// Writes every report file of a finished run folder (see [`REPORT_FILES`]).
pub fn write_all(dir: &Path, summary: &RunSummary, run: &RunContext) -> Result<Manifest> {
    let f = figures(dir, summary, run)?;
    let m = manifest::build(dir, summary, run)?;
    write_file(&dir.join("manifest.json"), &json_bytes(&m))?;
    write_file(&dir.join("report.json"), &json_bytes(&f))?;
    write_file(&dir.join("report.html"), html::render(&f, &m).as_bytes())?;
    write_file(
        &dir.join("datasheet.md"),
        docs::datasheet(&f, &m).as_bytes(),
    )?;
    let crawled: Vec<&str> = run
        .sources
        .iter()
        .filter(|s| s.category() == "crawled")
        .map(|s| s.name.as_str())
        .collect();
    let ai = docs::ai_act(&f, &m, crawl::period(dir, &crawled)?);
    write_file(&dir.join("ai-act-summary.json"), &json_bytes(&ai))?;
    write_file(
        &dir.join("ai-act-summary.md"),
        docs::ai_act_md(&ai).as_bytes(),
    )?;
    write_file(
        &dir.join("croissant.json"),
        &json_bytes(&croissant::croissant(dir, &f, &m)?),
    )?;
    write_file(
        &dir.join("README.md"),
        croissant::dataset_card(dir, &f, &m).as_bytes(),
    )?;
    Ok(m)
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".to_string()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

pub(crate) fn describe(code: &str) -> &'static str {
    Reason::from_code(code).map_or("(unknown reason)", Reason::description)
}

/// Renders a summary-only page from `run.json` alone, for runs whose shards are gone.
pub fn render_html(s: &RunSummary) -> String {
    let t = &s.totals;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>zeef run report</title>
<style>
body{{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}}
table{{border-collapse:collapse;margin:1rem 0;width:100%}}th,td{{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}}
td.n,th.n{{text-align:right;font-variant-numeric:tabular-nums}}.ok{{color:#176317}}.bad{{color:#a11}}
.bar{{display:inline-block;height:.8rem;background:#4a7ab7;vertical-align:middle}}
@media print{{body{{margin:0}}}}
</style></head><body>
<h1>zeef run report</h1>
<p>zeef {ver} · configuration hash <code>{hash}</code></p>
<h2>Funnel</h2>
<table><tr><th>documents read</th><th class="n">kept</th><th class="n">excluded</th><th>conservation</th></tr>
<tr><td class="n">{read}</td><td class="n">{kept} ({kp})</td><td class="n">{exc} ({ep})</td><td class="{cls}">{cons}</td></tr></table>
<p>{bytes_kept} of {bytes_read} text bytes kept; {words} words kept.</p>
"#,
        ver = esc(&s.zeef_version),
        hash = esc(&s.config_hash),
        read = t.documents_read,
        kept = t.documents_kept,
        kp = pct(t.documents_kept, t.documents_read),
        exc = t.documents_excluded,
        ep = pct(t.documents_excluded, t.documents_read),
        cls = if t.conserved() { "ok" } else { "bad" },
        cons = if t.conserved() {
            "read = kept + excluded ✓"
        } else {
            "VIOLATED"
        },
        bytes_kept = t.bytes_kept,
        bytes_read = t.bytes_read,
        words = t.words_kept,
    );
    h.push_str("<h2>Excluded, by stage and reason</h2><table><tr><th>stage</th><th>reason</th><th>meaning</th><th class=\"n\">documents</th><th></th></tr>");
    let max = s
        .stages
        .iter()
        .flat_map(|st| st.excluded_by_reason.values())
        .copied()
        .max()
        .unwrap_or(1)
        .max(1);
    for st in &s.stages {
        if st.excluded_by_reason.is_empty() {
            let _ = write!(
                h,
                "<tr><td>{}</td><td>–</td><td></td><td class=\"n\">0</td><td></td></tr>",
                esc(&st.name)
            );
        }
        for (code, n) in &st.excluded_by_reason {
            let _ = write!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td class=\"n\">{n}</td><td><span class=\"bar\" style=\"width:{:.1}rem\"></span></td></tr>",
                esc(&st.name),
                esc(code),
                esc(describe(code)),
                12.0 * *n as f64 / max as f64
            );
        }
    }
    h.push_str("</table><h2>Sources</h2><table><tr><th>source</th><th class=\"n\">read</th><th class=\"n\">kept</th><th class=\"n\">excluded</th><th class=\"n\">words kept</th><th>exclusions</th></tr>");
    for (name, c) in &s.sources {
        let reasons: Vec<String> = c
            .excluded_by_reason
            .iter()
            .map(|(r, n)| format!("{} {n}", esc(r)))
            .collect();
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(name),
            c.documents_read,
            c.documents_kept,
            c.documents_excluded,
            c.words_kept,
            reasons.join(", ")
        );
    }
    for (title, what, map) in [
        ("Rights holders", "rights holder", &s.rights_holders),
        ("Agreements", "agreement", &s.agreements),
    ] {
        let _ = write!(
            h,
            "</table><h2>{title}</h2><table><tr><th>{what}</th><th class=\"n\">read</th><th class=\"n\">kept</th><th class=\"n\">words kept</th><th class=\"n\">share of words</th></tr>"
        );
        for (name, c) in map {
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(name),
                c.documents_read,
                c.documents_kept,
                c.words_kept,
                pct(c.words_kept, t.words_kept)
            );
        }
    }
    h.push_str("</table><h2>Shards</h2><table><tr><th>folder</th><th>file</th><th class=\"n\">rows</th></tr>");
    for (folder, shards) in [
        ("output", &s.output_shards),
        ("excluded", &s.excluded_shards),
    ] {
        for sh in shards {
            let _ = write!(
                h,
                "<tr><td>{folder}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                esc(&sh.file),
                sh.rows
            );
        }
    }
    h.push_str("</table></body></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeef_core::Document;

    #[test]
    fn escapes_and_shows_counts() {
        let mut s = RunSummary::default();
        let d = Document::new("<script>", "f:1", "tekst");
        s.read(&d);
        s.settle(&d);
        let html = render_html(&s);
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
        assert!(html.contains("read = kept + excluded"));
    }
}
