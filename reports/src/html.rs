//! `report.html`: one self-contained page (inline CSS and SVG, no script, no network) that a
//! data steward reads on a laptop or prints.

use crate::figures::{Breakdown, Figures, Histogram, Volume};
use crate::manifest::Manifest;
use crate::{describe, esc};
use std::collections::BTreeMap;
use std::fmt::Write;

const KEPT: &str = "#3b7a57";
const EXCLUDED: &str = "#c0504d";
const LINE: &str = "#1f3b73";

fn n(v: u64) -> String {
    // Thin-space thousands separators keep long counts readable.
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "–".into()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / whole as f64)
    }
}

fn fmt_edge(v: f64) -> String {
    if v.abs() >= 100.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A histogram as an SVG bar chart, kept and excluded stacked, thresholds as dashed lines.
fn histogram_svg(title: &str, h: &Histogram, marks: &[(String, f64)], log_x: bool) -> String {
    let (w, ht, left, bottom, top) = (420.0, 190.0, 40.0, 36.0, 22.0);
    let plot_w = w - left - 10.0;
    let plot_h = ht - bottom - top;
    let bins = h.kept.len().max(1);
    let max = h
        .kept
        .iter()
        .zip(&h.excluded)
        .map(|(a, b)| a + b)
        .max()
        .unwrap_or(0)
        .max(1);
    let lo = h.edges.first().copied().unwrap_or(0.0);
    let hi = h.edges.last().copied().unwrap_or(1.0);
    let x_of = |v: f64| {
        if log_x {
            // Bins are equal-width on screen; place a value inside its bin linearly.
            let i = h
                .edges
                .windows(2)
                .position(|e| v < e[1])
                .unwrap_or(bins - 1);
            let (a, b) = (h.edges[i], h.edges[i + 1]);
            let f = if b > a {
                ((v - a) / (b - a)).clamp(0.0, 1.0)
            } else {
                0.0
            };
            left + plot_w * (i as f64 + f) / bins as f64
        } else {
            left + plot_w * ((v - lo) / (hi - lo).max(f64::MIN_POSITIVE)).clamp(0.0, 1.0)
        }
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {ht}" role="img" aria-label="{t}"><title>{t}</title><text x="{left}" y="14" class="ct">{t}</text>"#,
        t = esc(title)
    );
    let bw = plot_w / bins as f64;
    for i in 0..bins {
        let k = h.kept.get(i).copied().unwrap_or(0) as f64;
        let e = h.excluded.get(i).copied().unwrap_or(0) as f64;
        let x = left + bw * i as f64;
        let hk = plot_h * k / max as f64;
        let he = plot_h * e / max as f64;
        let base = top + plot_h;
        let range = format!(
            "{}–{}",
            fmt_edge(h.edges.get(i).copied().unwrap_or(0.0)),
            fmt_edge(h.edges.get(i + 1).copied().unwrap_or(0.0))
        );
        if hk > 0.0 {
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{hk:.1}" fill="{KEPT}"><title>{range}: {k} kept</title></rect>"#,
                base - hk,
                (bw - 1.0).max(0.5)
            );
        }
        if he > 0.0 {
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{he:.1}" fill="{EXCLUDED}"><title>{range}: {e} excluded</title></rect>"#,
                base - hk - he,
                (bw - 1.0).max(0.5)
            );
        }
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{b}" x2="{r}" y2="{b}" stroke="#555"/><text x="{left}" y="{ty}" class="ax">{lo}</text><text x="{r}" y="{ty}" class="ax" text-anchor="end">{hi}</text><text x="{lx}" y="{yt}" class="ax" text-anchor="end">{max}</text>"##,
        b = top + plot_h,
        r = left + plot_w,
        ty = top + plot_h + 14.0,
        lo = fmt_edge(lo),
        hi = fmt_edge(hi),
        lx = left - 4.0,
        yt = top + 8.0,
    );
    for (i, (label, v)) in marks.iter().enumerate() {
        if *v < lo || *v > hi {
            continue;
        }
        let x = x_of(*v);
        let _ = write!(
            s,
            r#"<line class="threshold" x1="{x:.1}" y1="{top}" x2="{x:.1}" y2="{b}" stroke="{LINE}" stroke-width="2" stroke-dasharray="4 3"><title>{l} = {v}</title></line><text x="{x:.1}" y="{ly}" class="ax th" text-anchor="middle">{l} = {vs}</text>"#,
            b = top + plot_h,
            l = esc(label),
            ly = top + plot_h + 26.0 + 9.0 * (i % 2) as f64,
            vs = fmt_edge(*v),
        );
    }
    s.push_str("</svg></figure>");
    s
}

/// Horizontal bars, one per label, for counts.
/// Loss curves (training and validation loss against step) as one SVG line chart.
fn loss_svg(train: &[(u64, f64)], val: &[(u64, f64)]) -> String {
    let (w, ht, left, bottom, top) = (640.0, 220.0, 48.0, 36.0, 22.0);
    let plot_w = w - left - 12.0;
    let plot_h = ht - bottom - top;
    let all = train.iter().chain(val);
    let max_step = all.clone().map(|p| p.0).max().unwrap_or(1).max(1) as f64;
    let lo = all
        .clone()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = all
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > lo {
        (lo, hi)
    } else {
        (0.0, 1.0)
    };
    let x = |s: u64| left + plot_w * s as f64 / max_step;
    let y = |v: f64| top + plot_h * (1.0 - ((v - lo) / (hi - lo)).clamp(0.0, 1.0));
    let path = |pts: &[(u64, f64)]| {
        pts.iter()
            .filter(|p| p.1.is_finite())
            .map(|&(s, v)| format!("{:.1},{:.1}", x(s), y(v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<figure class="chart wide"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {ht}" role="img" aria-label="Loss curves"><title>Loss curves</title><text x="0" y="14" class="ct">Loss (nats per token) against step</text><line x1="{left}" y1="{b:.1}" x2="{r:.1}" y2="{b:.1}" stroke="gray"/><line x1="{left}" y1="{top}" x2="{left}" y2="{b:.1}" stroke="gray"/><text x="{lx:.1}" y="{ty:.1}" class="ax" text-anchor="end">{hi:.2}</text><text x="{lx:.1}" y="{b:.1}" class="ax" text-anchor="end">{lo:.2}</text><text x="{r:.1}" y="{sy:.1}" class="ax" text-anchor="end">step {ms}</text>"#,
        b = top + plot_h,
        r = left + plot_w,
        lx = left - 4.0,
        ty = top + 8.0,
        sy = top + plot_h + 16.0,
        ms = max_step as u64,
    );
    if !train.is_empty() {
        let _ = write!(
            s,
            r#"<polyline class="loss-train" fill="none" stroke="{KEPT}" stroke-width="1.5" points="{}"/>"#,
            path(train)
        );
    }
    if !val.is_empty() {
        let _ = write!(
            s,
            r#"<polyline class="loss-val" fill="none" stroke="{EXCLUDED}" stroke-width="2" points="{}"/>"#,
            path(val)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{a:.1}" y="14" class="ax" fill="{KEPT}">training</text><text x="{c:.1}" y="14" class="ax" fill="{EXCLUDED}">validation</text></svg></figure>"#,
        a = w - 150.0,
        c = w - 80.0,
    );
    s
}

/// The training section: what the model was, how fast it trained, where its losses ended.
fn training_html(t: &crate::figures::Training) -> String {
    let mut h = String::new();
    h.push_str(r#"<table><tbody>"#);
    for (key, label) in [
        ("parameters", "parameters"),
        ("steps", "steps"),
        ("tokens_seen", "training tokens seen"),
        ("tokens_per_s", "tokens per second"),
        ("model_flops_per_s", "model FLOP/s"),
        ("final_train_loss", "final training loss"),
        ("final_val_loss", "final validation loss"),
        ("final_val_perplexity", "validation perplexity"),
        ("device", "device"),
        ("dtype", "type"),
    ] {
        let Some(v) = t.metrics.get(key) else {
            continue;
        };
        let shown = match v {
            serde_json::Value::Number(x) if x.is_f64() => {
                format!("{:.3}", x.as_f64().unwrap_or(f64::NAN))
            }
            serde_json::Value::String(x) => x.clone(),
            other => other.to_string(),
        };
        let _ = write!(
            h,
            r#"<tr><th>{}</th><td class="n">{}</td></tr>"#,
            esc(label),
            esc(&shown)
        );
    }
    h.push_str("</tbody></table>");
    if !t.train_loss.is_empty() || !t.val_loss.is_empty() {
        h.push_str(&loss_svg(&t.train_loss, &t.val_loss));
    }
    h
}

fn bars_svg(title: &str, rows: &[(String, u64, u64)]) -> String {
    let row_h = 18.0;
    let (w, left) = (640.0, 200.0);
    let ht = 26.0 + row_h * rows.len() as f64;
    let max = rows.iter().map(|r| r.1 + r.2).max().unwrap_or(0).max(1);
    let plot_w = w - left - 80.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<figure class="chart wide"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {ht}" role="img" aria-label="{t}"><title>{t}</title><text x="0" y="14" class="ct">{t}</text>"#,
        t = esc(title)
    );
    for (i, (label, kept, excluded)) in rows.iter().enumerate() {
        let y = 22.0 + row_h * i as f64;
        let wk = plot_w * *kept as f64 / max as f64;
        let we = plot_w * *excluded as f64 / max as f64;
        let short: String = label.chars().take(32).collect();
        let _ = write!(
            s,
            r#"<text x="{lx}" y="{ty:.1}" class="ax" text-anchor="end">{l}</text><rect x="{left}" y="{y:.1}" width="{wk:.1}" height="{bh}" fill="{KEPT}"><title>{l}: {kept} kept</title></rect><rect x="{xe:.1}" y="{y:.1}" width="{we:.1}" height="{bh}" fill="{EXCLUDED}"><title>{l}: {excluded} excluded</title></rect><text x="{xt:.1}" y="{ty:.1}" class="ax">{kept} / {excluded}</text>"#,
            lx = left - 6.0,
            ty = y + 11.0,
            l = esc(&short),
            bh = row_h - 4.0,
            xe = left + wk,
            xt = left + wk + we + 4.0,
        );
    }
    s.push_str("</svg></figure>");
    s
}

fn volume_cells(v: &Volume) -> String {
    format!(
        r#"<td class="n">{}</td><td class="n">{}</td><td class="n">{}</td>"#,
        n(v.documents),
        n(v.words),
        n(v.bytes)
    )
}

fn breakdown_table(
    what: &str,
    rows: &[Breakdown],
    total_words: u64,
    extra: Option<&std::collections::BTreeMap<String, u64>>,
) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<table><thead><tr><th>{what}</th><th class="n">kept docs</th><th class="n">kept words</th><th class="n">kept bytes</th><th class="n">share of words</th><th class="n">excluded docs</th>{}</tr></thead><tbody>"#,
        if extra.is_some() {
            r#"<th class="n">tokens</th>"#
        } else {
            ""
        }
    );
    for r in rows {
        let _ = write!(
            s,
            r#"<tr><td>{}</td>{}<td class="n">{}</td><td class="n">{}</td>"#,
            esc(&r.key),
            volume_cells(&r.kept),
            pct(r.kept.words, total_words),
            n(r.excluded.documents)
        );
        if let Some(t) = extra {
            let _ = write!(
                s,
                r#"<td class="n">{}</td>"#,
                t.get(&r.key).map_or("–".into(), |v| n(*v))
            );
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

const STYLE: &str = r#"
:root{--fg:#1d1d1d;--muted:#666;--rule:#ddd}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);max-width:72rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin:2rem 0 .4rem;border-bottom:2px solid var(--rule);padding-bottom:.2rem}
.meta{color:var(--muted)}code{font-size:.9em;word-break:break-all}
table{border-collapse:collapse;margin:.6rem 0;width:100%}th,td{border-bottom:1px solid var(--rule);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600;background:#f6f6f6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ok{color:#176317;font-weight:600}.bad{color:#a11;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:.8rem}
figure.chart{margin:0;border:1px solid var(--rule);padding:.3rem;break-inside:avoid}figure.wide{grid-column:1/-1}
svg{width:100%;height:auto}.ct{font:600 12px system-ui,sans-serif}.ax{font:10px system-ui,sans-serif;fill:#333}.th{fill:#1f3b73}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
.sample{font-size:.9em;color:#333}pre{white-space:pre-wrap;font-size:.8em;background:#f6f6f6;padding:.5rem;max-height:30rem;overflow:auto}
.todo{color:var(--muted);font-style:italic}
@media print{body{max-width:none;margin:0;font-size:11px}h2{break-after:avoid}table,figure{break-inside:avoid}pre{max-height:none}}
"#;

/// Renders `report.html`.
pub fn render(f: &Figures, m: &Manifest) -> String {
    let mut h = String::new();
    let conserved = f.read.documents == f.kept.documents + f.excluded.documents;
    let _ = write!(
        h,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>zeef run report</title><style>{STYLE}</style></head><body>
<h1>zeef run report</h1>
<p class="meta">zeef {ver} · configuration hash <code>{hash}</code> · licences and agreements checked on {date} · Merkle root of the shards <code>{root}</code></p>
<p class="legend">Colours: <span style="background:{KEPT}"></span>kept <span style="background:{EXCLUDED}"></span>excluded <span style="background:{LINE};height:.2rem"></span>configured threshold</p>
<h2 id="funnel">Funnel</h2>
<table><thead><tr><th></th><th class="n">documents</th><th class="n">words</th><th class="n">bytes</th><th class="n">share of documents</th></tr></thead><tbody>
<tr><td>read</td>{read}<td class="n">100%</td></tr>"#,
        ver = esc(&m.zeef_version),
        hash = esc(&m.config_hash),
        date = esc(m.reference_date.as_deref().unwrap_or("(no consent stage)")),
        root = esc(&m.merkle_root),
        read = volume_cells(&f.read),
    );
    let mut remaining = f.read.documents;
    for step in &f.funnel {
        remaining = remaining.saturating_sub(step.volume.documents);
        let _ = write!(
            h,
            r#"<tr><td>− {} <code>{}</code> <span class="meta">{}</span></td>{}<td class="n">{}</td></tr>"#,
            esc(&step.stage),
            esc(&step.reason),
            esc(describe(&step.reason)),
            volume_cells(&step.volume),
            pct(step.volume.documents, f.read.documents)
        );
    }
    let _ = write!(
        h,
        r#"<tr><th>kept</th>{}<td class="n">{}</td></tr></tbody></table><p class="{}">{}</p>"#,
        volume_cells(&f.kept),
        pct(f.kept.documents, f.read.documents),
        if conserved && remaining == f.kept.documents {
            "ok"
        } else {
            "bad"
        },
        if conserved {
            format!(
                "read {} = kept {} + excluded {} ✓",
                n(f.read.documents),
                n(f.kept.documents),
                n(f.excluded.documents)
            )
        } else {
            "documents are not conserved".to_string()
        }
    );
    let funnel_rows: Vec<(String, u64, u64)> = f
        .funnel
        .iter()
        .map(|s| (format!("{} · {}", s.stage, s.reason), 0, s.volume.documents))
        .collect();
    if !funnel_rows.is_empty() {
        h.push_str(&bars_svg(
            "Documents excluded per stage and reason",
            &funnel_rows,
        ));
    }

    h.push_str(&words_removed_html(f, m));
    h.push_str(&profiles_html(m));

    for (id, title, what, rows, tokens) in [
        ("sources", "Sources", "source", &f.sources, None),
        ("licences", "Licences", "licence", &f.licences, None),
        (
            "rights-holders",
            "Rights holders",
            "rights holder",
            &f.rights_holders,
            f.tokens.as_ref(),
        ),
        ("agreements", "Agreements", "agreement", &f.agreements, None),
    ] {
        let _ = write!(h, r#"<h2 id="{id}">{title}</h2>"#);
        h.push_str(&breakdown_table(what, rows, f.kept.words, tokens));
        if id == "rights-holders" && tokens.is_none() {
            h.push_str(r#"<p class="meta">Token counts per rights holder appear here once the run is tokenized (<code>tokens/manifest.jsonl</code>).</p>"#);
        }
    }
    let src_rows: Vec<(String, u64, u64)> = f
        .sources
        .iter()
        .map(|b| (b.key.clone(), b.kept.documents, b.excluded.documents))
        .collect();
    h.push_str(&bars_svg(
        "Documents per source (kept / excluded)",
        &src_rows,
    ));

    h.push_str(r#"<h2 id="language">Language and length</h2>"#);
    h.push_str(&breakdown_table(
        "language",
        &f.languages,
        f.kept.words,
        None,
    ));
    h.push_str(r#"<div class="charts">"#);
    h.push_str(&histogram_svg(
        "Words per document (bins of powers of two)",
        &f.length_words,
        &[],
        true,
    ));
    h.push_str("</div>");

    h.push_str(r#"<h2 id="signals">Quality signals</h2><p class="meta">Every document that reached a stage has its signals; the dashed lines are the thresholds of this run's configuration.</p><div class="charts">"#);
    for s in &f.signals {
        let marks: Vec<(String, f64)> = s
            .thresholds
            .iter()
            .map(|t| {
                let key = t.setting.split('.').next_back().unwrap_or(&t.setting);
                (key.to_string(), t.value)
            })
            .collect();
        h.push_str(&histogram_svg(
            &format!("{} ({} documents)", s.name, s.documents),
            &s.histogram,
            &marks,
            false,
        ));
    }
    h.push_str("</div>");

    h.push_str(r#"<h2 id="pii">Personal data</h2><p class="meta">Found in kept documents and replaced by placeholders or fakes; counts only.</p><table><thead><tr><th>kind</th><th class="n">documents</th><th class="n">occurrences</th></tr></thead><tbody>"#);
    for (kind, (docs, matches)) in &f.pii {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            esc(kind),
            n(*docs),
            n(*matches)
        );
    }
    if f.pii.is_empty() {
        h.push_str(r#"<tr><td colspan="3" class="meta">no personal-data stage ran</td></tr>"#);
    }
    h.push_str("</tbody></table>");

    let _ = write!(
        h,
        r#"<h2 id="duplicates">Duplicates</h2><p>{} exact duplicates and {} near-duplicates removed.</p><table><thead><tr><th>near-duplicate cluster size</th><th class="n">clusters</th></tr></thead><tbody>"#,
        n(f.exact_duplicates),
        n(f.near_duplicates)
    );
    for (size, count) in &f.duplicate_clusters {
        let _ = write!(
            h,
            r#"<tr><td>{size}</td><td class="n">{}</td></tr>"#,
            n(*count)
        );
    }
    h.push_str("</tbody></table>");
    if !f.duplicate_clusters.is_empty() {
        let rows: Vec<(String, u64, u64)> = f
            .duplicate_clusters
            .iter()
            .map(|(s, c)| (format!("{s} documents"), *c, 0))
            .collect();
        h.push_str(&bars_svg("Near-duplicate clusters by size", &rows));
    }

    if !f.crawled_domains.is_empty() {
        h.push_str(r#"<h2 id="domains">Crawled domains</h2><table><thead><tr><th>domain</th><th class="n">kept documents</th><th class="n">kept bytes</th></tr></thead><tbody>"#);
        for d in f.crawled_domains.iter().take(50) {
            let _ = write!(
                h,
                r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
                esc(&d.domain),
                n(d.documents),
                n(d.bytes)
            );
        }
        h.push_str("</tbody></table>");
    }

    h.push_str(r#"<h2 id="samples">Excluded documents to review</h2><p class="meta">The first documents of each reason, personal data masked, cut after 300 characters.</p><table><thead><tr><th>reason</th><th>document</th><th>verdict and text</th></tr></thead><tbody>"#);
    for s in &f.samples {
        let _ = write!(
            h,
            r#"<tr><td><code>{}</code><br><span class="meta">{}</span></td><td><code>{}</code><br>{}</td><td>{}<div class="sample">{}</div></td></tr>"#,
            esc(&s.reason),
            esc(&s.stage),
            esc(&s.id),
            esc(&s.source),
            esc(&s.detail),
            esc(&s.excerpt)
        );
    }
    h.push_str("</tbody></table>");

    h.push_str(r#"<h2 id="training">Training</h2>"#);
    match &f.training {
        None => h.push_str(r#"<p class="meta">No training run is recorded in this run folder yet (<code>zeef tokenize</code>, then <code>zeef train</code>, then <code>zeef report</code>).</p>"#),
        Some(t) => h.push_str(&training_html(t)),
    }

    h.push_str(r#"<h2 id="config">Configuration</h2><p class="meta">Resolved, every default filled in.</p>"#);
    let config = serde_json::to_string_pretty(&m.run.config).unwrap_or_default();
    let _ = write!(h, "<pre>{}</pre>", esc(&config));
    h.push_str(r#"<h2 id="shards">Shards</h2><table><thead><tr><th>shard</th><th class="n">rows</th><th class="n">bytes</th><th>SHA-256</th></tr></thead><tbody>"#);
    for s in &m.shards {
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td class="n">{}</td><td class="n">{}</td><td><code>{}</code></td></tr>"#,
            esc(&s.path),
            n(s.rows),
            n(s.bytes),
            esc(&s.sha256)
        );
    }
    h.push_str("</tbody></table></body></html>\n");
    h
}

/// The words stages removed from documents they kept: text lost although its document stayed,
/// per source and stage, with a warning where a source lost more than the run allows.
fn words_removed_html(f: &Figures, m: &Manifest) -> String {
    let max = m.run.config["run"]["max_words_removed_share"]
        .as_f64()
        .unwrap_or(0.05);
    let mut h = String::from(
        r#"<h2 id="words-removed">Words removed from kept documents</h2><p class="meta">Line rules and replacements change the text of documents they keep; the share is of the words those documents had.</p>"#,
    );
    if f.words_removed.is_empty() {
        h.push_str(r#"<p class="ok">No stage removed words from a kept document.</p>"#);
        return h;
    }
    h.push_str(r#"<table><thead><tr><th>source</th><th>profile</th><th>stage</th><th class="n">words</th><th class="n">share</th></tr></thead><tbody>"#);
    let mut per_source: BTreeMap<&str, f64> = BTreeMap::new();
    for w in &f.words_removed {
        *per_source.entry(&w.source).or_default() += w.share;
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{:.2}%</td></tr>"#,
            esc(&w.source),
            esc(w.profile.as_deref().unwrap_or("–")),
            esc(&w.stage),
            n(w.words),
            100.0 * w.share
        );
    }
    h.push_str("</tbody></table>");
    for (source, share) in per_source.iter().filter(|(_, s)| **s > max) {
        let _ = write!(
            h,
            r#"<p class="bad">{}: stages removed {:.1}% of the words of its kept documents, more than <code>run.max_words_removed_share</code> ({:.1}%). Check its profile.</p>"#,
            esc(source),
            100.0 * share,
            100.0 * max
        );
    }
    h
}

/// Each source's profile: the stages it skips and the settings it changes, against the
/// configured stage list.
fn profiles_html(m: &Manifest) -> String {
    let configured = m.run.config["stage"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut h = String::from(
        r#"<h2 id="profiles">Source profiles</h2><p class="meta">Settings that differ from the configured stages; <code>manifest.json</code> has every setting of every stage per source.</p><table><thead><tr><th>source</th><th>profile</th><th>skipped</th><th>changed settings</th></tr></thead><tbody>"#,
    );
    for s in &m.run.sources {
        let mut skipped = Vec::new();
        let mut changed = Vec::new();
        for (eff, conf) in s.stages.iter().zip(&configured) {
            let kind = eff["type"].as_str().unwrap_or("?");
            if eff["skipped"].as_bool() == Some(true) {
                skipped.push(kind.to_string());
                continue;
            }
            if let (Some(e), Some(c)) = (eff.as_object(), conf.as_object()) {
                for (k, v) in e {
                    if c.get(k) != Some(v) {
                        changed.push(format!("{kind}.{k} = {v}"));
                    }
                }
            }
        }
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>"#,
            esc(&s.name),
            esc(s.profile.as_deref().unwrap_or("web")),
            esc(&skipped.join(", ")),
            esc(&changed.join("; "))
        );
    }
    h.push_str("</tbody></table>");
    h
}
