//! The steward's and the auditor's view of a run, end to end on the bundled Dutch demo corpus:
//! the report in a real browser, its figures against an independent recount, the audit, trace
//! and lookup commands, and that no personal data leaks into what people read.

use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use zeef_core::{read_all, Document, RunSummary, ShardLimits, ShardReader, ShardWriter};

mod common;
use common::{ok, zeef};

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo")
}

/// One demo run shared by the tests that only read it; tests that change it work on a copy.
fn demo_run() -> &'static Path {
    static RUN: OnceLock<(tempfile::TempDir, PathBuf, String)> = OnceLock::new();
    let (_, path, _) = RUN.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = dir.path().join("run");
        let out = ok(zeef()
            .args(["demo", "--out"])
            .arg(&run)
            .output()
            .expect("run zeef"));
        (dir, run, text(&out))
    });
    path
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

fn json(path: &Path) -> serde_json::Value {
    let t = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&t).expect("json")
}

fn summary(dir: &Path) -> RunSummary {
    serde_json::from_value(json(&dir.join("run.json"))).expect("run.json")
}

fn find_chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        if let Ok(out) = Command::new("which").arg(name).output() {
            let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && !p.is_empty() {
                return Some(PathBuf::from(p));
            }
        }
    }
    None
}

/// Loads a page in headless Chromium; returns (DOM after load, browser log).
fn chromium(browser: &Path, page: &Path, screenshot: Option<&Path>) -> (String, String) {
    let profile = tempfile::tempdir().expect("tempdir");
    let url = format!("file://{}", page.display());
    let base = |c: &mut Command| {
        c.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--log-level=0",
            "--window-size=1280,4000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()));
    };
    let mut c = Command::new(browser);
    base(&mut c);
    let out = c.arg("--dump-dom").arg(&url).output().expect("chromium");
    let dom = String::from_utf8_lossy(&out.stdout).to_string();
    let mut log = String::from_utf8_lossy(&out.stderr).to_string();
    if let Some(shot) = screenshot {
        let mut c = Command::new(browser);
        base(&mut c);
        let out = c
            .arg(format!("--screenshot={}", shot.display()))
            .arg(&url)
            .output()
            .expect("chromium");
        log.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    (dom, log)
}

/// Console messages of a page: Chromium logs them as `INFO:CONSOLE` lines with
/// `--enable-logging --log-level=0`.
fn console_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

#[test]
fn report_renders_in_headless_chromium_with_charts_and_tables() {
    let Some(browser) = find_chromium() else {
        assert!(
            std::env::var_os("ZEEF_REQUIRE_CHROMIUM").is_none(),
            "chromium is required (ZEEF_REQUIRE_CHROMIUM is set) but not installed"
        );
        eprintln!("skipped: chromium not found (apt-get install chromium)");
        return;
    };
    let run = demo_run();
    let report = run.join("report.html");
    let html = std::fs::read_to_string(&report).expect("report.html");
    // Self-contained: nothing is fetched.
    for needle in ["<script", "<link", "src=", "href=", "url(", "@import"] {
        assert!(
            !html.contains(needle),
            "report.html refers to something outside itself: {needle}"
        );
    }

    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("zeef-report");
    std::fs::create_dir_all(&shots).expect("mkdir");
    let shot = shots.join("report.png");
    let _ = std::fs::remove_file(&shot);
    let (dom, log) = chromium(&browser, &report, Some(&shot));
    println!("report screenshot: {}", shot.display());
    eprintln!("report screenshot: {}", shot.display());

    let errors = console_errors(&log);
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "screenshot is not a real page"
    );

    // The browser built the charts and tables (the DOM after parsing, not our string).
    let count = |s: &str| dom.matches(s).count();
    assert!(count("<svg") >= 10, "{} charts", count("<svg"));
    assert!(count("<rect") >= 50, "{} bars", count("<rect"));
    assert!(count("class=\"threshold\"") >= 5, "thresholds drawn");
    assert!(count("<table") >= 9, "{} tables", count("<table"));
    for section in [
        "Funnel",
        "Sources",
        "Licences",
        "Rights holders",
        "Agreements",
        "Language and length",
        "Quality signals",
        "Personal data",
        "Duplicates",
        "Excluded documents to review",
        "Configuration",
    ] {
        assert!(
            dom.contains(&format!(">{section}</h2>")),
            "section {section}"
        );
    }

    // The console check catches a broken page: a control that logs an error.
    let bad = shots.join("broken.html");
    std::fs::write(
        &bad,
        "<!doctype html><title>x</title><script>console.error(\"boom\")</script>",
    )
    .expect("write");
    let (_, log) = chromium(&browser, &bad, None);
    assert!(
        !console_errors(&log).is_empty(),
        "a console error must be seen:\n{log}"
    );
}

#[test]
fn report_figures_equal_a_polars_recount_of_the_shards() {
    let run = demo_run();
    let report = json(&run.join("report.json"));
    let s = summary(run);

    let scan = |folder: &str| {
        let pattern = run.join(folder).join("*.parquet");
        LazyFrame::scan_parquet(
            PlRefPath::new(pattern.to_string_lossy().as_ref()),
            ScanArgsParquet::default(),
        )
        .expect("scan")
    };
    let counts = |lf: LazyFrame, by: &[&str]| -> BTreeMap<Vec<String>, u64> {
        let df = lf
            .group_by(by.iter().map(|c| col(*c)).collect::<Vec<_>>())
            .agg([len().alias("n")])
            .collect()
            .expect("group_by");
        let n = df
            .column("n")
            .expect("n")
            .cast(&DataType::UInt64)
            .expect("cast");
        let n = n.u64().expect("u64");
        let mut out = BTreeMap::new();
        for i in 0..df.height() {
            let key = by
                .iter()
                .map(|c| {
                    df.column(c)
                        .expect("col")
                        .str()
                        .expect("str")
                        .get(i)
                        .unwrap_or("(none)")
                        .to_string()
                })
                .collect();
            out.insert(key, n.get(i).expect("n"));
        }
        out
    };

    // Funnel: per stage and reason.
    let excluded = counts(scan("excluded"), &["verdict_stage", "verdict_reason"]);
    let mut reported = BTreeMap::new();
    for f in report["funnel"].as_array().expect("funnel") {
        reported.insert(
            vec![
                f["stage"].as_str().expect("stage").to_string(),
                f["reason"].as_str().expect("reason").to_string(),
            ],
            f["documents"].as_u64().expect("documents"),
        );
    }
    assert_eq!(reported, excluded);
    assert!(excluded.len() >= 8, "the demo excludes for many reasons");

    // Per source, kept and excluded.
    let kept_src = counts(scan("output"), &["source"]);
    let exc_src = counts(scan("excluded"), &["source"]);
    for b in report["sources"].as_array().expect("sources") {
        let key = vec![b["key"].as_str().expect("key").to_string()];
        assert_eq!(
            b["kept"]["documents"].as_u64(),
            Some(kept_src.get(&key).copied().unwrap_or(0)),
            "{key:?}"
        );
        assert_eq!(
            b["excluded"]["documents"].as_u64(),
            Some(exc_src.get(&key).copied().unwrap_or(0)),
            "{key:?}"
        );
    }
    // Per agreement (kept), against polars and run.json.
    let kept_agr = counts(scan("output"), &["agreement_id"]);
    for b in report["agreements"].as_array().expect("agreements") {
        let key = b["key"].as_str().expect("key").to_string();
        let k = b["kept"]["documents"].as_u64().expect("kept");
        assert_eq!(
            k,
            kept_agr.get(&vec![key.clone()]).copied().unwrap_or(0),
            "{key}"
        );
        assert_eq!(
            Some(k),
            s.agreements.get(&key).map(|c| c.documents_kept),
            "{key}"
        );
    }

    // Words and bytes of the kept text, recounted from the documents themselves.
    let kept = read_all(&run.join("output")).expect("output");
    let words: u64 = kept
        .iter()
        .map(|d| d.text.split_whitespace().count() as u64)
        .sum();
    let bytes: u64 = kept.iter().map(|d| d.text.len() as u64).sum();
    assert_eq!(report["kept"]["words"].as_u64(), Some(words));
    assert_eq!(report["kept"]["bytes"].as_u64(), Some(bytes));
    assert_eq!(
        report["kept"]["documents"].as_u64(),
        Some(kept.len() as u64)
    );
    assert_eq!(s.totals.words_kept, words);

    // Personal data per kind, summed with polars over the kept shards.
    let df = scan("output")
        .select([col("signal_pii_email").sum(), col("signal_pii_phone").sum()])
        .collect()
        .expect("pii");
    let sum = |c: &str| -> u64 {
        df.column(c)
            .expect(c)
            .f64()
            .expect("f64")
            .get(0)
            .unwrap_or(0.0) as u64
    };
    assert_eq!(
        report["pii"]["email"][1].as_u64(),
        Some(sum("signal_pii_email"))
    );
    assert_eq!(
        report["pii"]["phone"][1].as_u64(),
        Some(sum("signal_pii_phone"))
    );
    assert!(
        sum("signal_pii_email") > 0,
        "the demo plants e-mail addresses"
    );

    // Near-duplicate clusters: members over all shards / size.
    let n_near = report["near_duplicates"].as_u64().expect("near");
    let members: u64 = report["duplicate_clusters"]
        .as_object()
        .expect("clusters")
        .iter()
        .map(|(size, n)| size.parse::<u64>().expect("size") * n.as_u64().expect("n"))
        .sum();
    let clusters: u64 = report["duplicate_clusters"]
        .as_object()
        .expect("clusters")
        .values()
        .map(|n| n.as_u64().expect("n"))
        .sum();
    assert!(n_near > 0);
    assert_eq!(members - clusters, n_near, "each cluster keeps one member");
}

fn audit(run: &Path, extra: &[&str]) -> Output {
    zeef()
        .arg("audit")
        .arg(run)
        .args(extra)
        .output()
        .expect("zeef audit")
}

#[test]
fn audit_passes_on_a_fresh_run_and_names_what_was_tampered_with() {
    let fresh = demo_run();
    let out = audit(fresh, &[]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("passed: no findings"), "{}", text(&out));

    let tmp = tempfile::tempdir().expect("tempdir");
    let shard = "output/part-00000.parquet";

    // One byte of one shard changed.
    let run = tmp.path().join("byte");
    copy_dir(fresh, &run);
    let p = run.join(shard);
    let mut bytes = std::fs::read(&p).expect("read");
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&p, bytes).expect("write");
    let out = audit(&run, &[]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains(&format!("{shard}: content changed")), "{t}");

    // One row removed, the shard otherwise well-formed.
    let run = tmp.path().join("row");
    copy_dir(fresh, &run);
    let p = run.join(shard);
    let reader = ShardReader::open(&p, 100_000).expect("open");
    let schema = reader.schema();
    let mut docs: Vec<Document> = Vec::new();
    for b in reader {
        docs.extend(b.expect("batch"));
    }
    let n = docs.len();
    docs.remove(n / 2);
    let rewrite = tmp.path().join("rewrite");
    let mut w = ShardWriter::new(&rewrite, "part", schema, ShardLimits::default()).expect("w");
    w.write(&docs).expect("write");
    w.finish().expect("finish");
    std::fs::copy(rewrite.join("part-00000.parquet"), &p).expect("copy");
    let out = audit(&run, &[]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(
        t.contains(&format!("{shard}: {} rows, manifest says {n}", n - 1)),
        "{t}"
    );

    // An agreement withdrawn in the ledger after the run: the documents under it are named.
    let ledger = tmp.path().join("consent.csv");
    let csv = std::fs::read_to_string(demo_dir().join("consent.csv")).expect("ledger");
    let withdrawn: String = csv
        .lines()
        .map(|l| {
            if l.starts_with("AGR-2024-ARCHIEF,") {
                let mut f: Vec<&str> = l.split(',').collect();
                f[5] = "2026-01-15";
                f.join(",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&ledger, withdrawn + "\n").expect("write");
    let out = audit(fresh, &["--ledger", ledger.to_str().expect("utf-8")]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(
        t.contains(&format!("{shard}: "))
            && t.contains("agreement_withdrawn: agreement AGR-2024-ARCHIEF was withdrawn"),
        "{t}"
    );
    // Before the withdrawal date the same ledger passes.
    let out = audit(
        fresh,
        &[
            "--ledger",
            ledger.to_str().expect("utf-8"),
            "--date",
            "2026-01-01",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn manifest_hashes_every_input_and_shard() {
    let run = demo_run();
    let m = json(&run.join("manifest.json"));
    let sha = |p: &Path| -> String {
        let out = Command::new("sha256sum")
            .arg(p)
            .output()
            .expect("sha256sum");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_string()
    };
    let shards = m["shards"].as_array().expect("shards");
    let s = summary(run);
    assert_eq!(
        shards.len(),
        s.output_shards.len() + s.excluded_shards.len()
    );
    for sh in shards {
        let p = run.join(sh["path"].as_str().expect("path"));
        assert_eq!(
            sh["sha256"].as_str(),
            Some(sha(&p).as_str()),
            "{}",
            p.display()
        );
    }
    let inputs = m["run"]["inputs"].as_array().expect("inputs");
    let data: Vec<&serde_json::Value> = inputs.iter().filter(|i| i["role"] == "data").collect();
    assert_eq!(data.len(), 8, "one data file per demo source");
    for i in &data {
        let p = demo_dir().join(i["path"].as_str().expect("path"));
        assert_eq!(
            i["sha256"].as_str(),
            Some(sha(&p).as_str()),
            "{}",
            p.display()
        );
        assert_eq!(
            i["bytes"].as_u64(),
            std::fs::metadata(&p).ok().map(|m| m.len())
        );
    }
    assert!(inputs.iter().any(|i| i["role"] == "ledger"));
    assert_eq!(m["reference_date"], "2026-11-01");
    assert_eq!(m["config_hash"].as_str(), Some(s.config_hash.as_str()));
    assert_eq!(m["merkle_root"].as_str().map(str::len), Some(64));

    // The datasheet and the public summary are filled from the run and mark what is not.
    let ds = std::fs::read_to_string(run.join("datasheet.md")).expect("datasheet");
    for h in [
        "## Motivation",
        "## Composition",
        "## Collection",
        "## Preprocessing",
        "## Uses",
        "## Distribution",
        "## Maintenance",
    ] {
        assert!(ds.contains(h), "{h}");
    }
    assert!(ds.contains("to be written by the dataset's steward"));
    assert!(ds.contains(&s.totals.documents_kept.to_string()));
    let ai = json(&run.join("ai-act-summary.json"));
    let sections = ai["sections"].as_array().expect("sections");
    let numbers: Vec<&str> = sections
        .iter()
        .map(|x| x["number"].as_str().expect("number"))
        .collect();
    assert_eq!(
        numbers,
        [
            "1.1", "1.2", "1.3", "2.1", "2.2", "2.2.1", "2.2.2", "2.3", "2.4", "2.5", "2.6", "3.1",
            "3.2", "3.3"
        ]
    );
    let sec = |n: &str| {
        sections
            .iter()
            .find(|x| x["number"] == n)
            .unwrap_or_else(|| panic!("no section {n}"))
    };
    // Every section is filled from the run or says what the provider must add.
    for x in sections {
        assert!(
            !x["from_the_run"].as_object().expect("object").is_empty()
                || !x["to_be_completed_by_provider"]
                    .as_array()
                    .expect("list")
                    .is_empty(),
            "section {} is empty",
            x["number"]
        );
    }
    // The archive is licensed from its rights holder under an agreement: 2.2.1, with its
    // kept share; the public datasets' shares and 2.2.1's add up to the whole training data.
    let licensed = &sec("2.2.1")["from_the_run"]["datasets"];
    assert!(licensed["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .any(|s| s == "archive"));
    let run_sources = summary(run).sources;
    let (mut read, mut kept) = (0, 0);
    for name in licensed["sources"].as_array().expect("sources") {
        let c = &run_sources[name.as_str().expect("name")];
        read += c.documents_read;
        kept += c.documents_kept;
    }
    assert_eq!(licensed["documents_read"].as_u64(), Some(read));
    assert_eq!(licensed["documents_kept"].as_u64(), Some(kept));
    let kept_share = licensed["kept_share_of_read"].as_f64().expect("share");
    let expected = kept as f64 / read as f64;
    assert!(
        (kept_share - expected).abs() < 1e-4,
        "{kept_share} vs {expected}"
    );
    let total: f64 = ["2.1", "2.2.1", "2.2.2", "2.3"]
        .iter()
        .filter_map(|n| sec(n)["from_the_run"]["datasets"]["share_of_training_data"].as_f64())
        .sum();
    assert!((total - 1.0).abs() < 1e-3, "shares add up to {total}");
    assert_eq!(sec("2.3")["from_the_run"]["used"], false);
    assert!(
        sec("3.1")["from_the_run"]["documents_excluded_for_licence_or_consent"]
            ["agreement_withdrawn"]
            .as_u64()
            .is_some_and(|n| n > 0)
    );
    assert!(sec("3.2")["from_the_run"]["personal_data_occurrences_masked"].is_u64());
    assert!(!sec("1.1")["to_be_completed_by_provider"]
        .as_array()
        .expect("list")
        .is_empty());
    let md = std::fs::read_to_string(run.join("ai-act-summary.md")).expect("md");
    for h in [
        "## 1. General information",
        "### 1.1 Provider identification",
        "### 1.3 Modalities",
        "## 2. List of data sources",
        "### 2.1 Publicly available datasets",
        "#### 2.2.1 Datasets commercially licensed by rightsholders",
        "#### 2.2.2 Private datasets obtained from other third parties",
        "### 2.3 Data crawled and scraped",
        "### 2.4 User data",
        "### 2.5 Synthetic AI-generated data",
        "### 2.6 Other sources of data",
        "## 3. Data processing aspects",
        "### 3.1 Respect of reservation of rights",
        "### 3.2 Removal of illegal content",
        "### 3.3 Other information",
    ] {
        assert!(md.contains(h), "{h} not in\n{md}");
    }
    assert!(md.contains("to be written by the dataset's steward"));

    // `zeef report` writes the same files again from the run folder.
    let copy = tempfile::tempdir().expect("tempdir");
    copy_dir(run, copy.path());
    ok(zeef()
        .arg("report")
        .arg(copy.path())
        .output()
        .expect("report"));
    for f in [
        "report.html",
        "report.json",
        "manifest.json",
        "datasheet.md",
        "ai-act-summary.json",
        "ai-act-summary.md",
        "croissant.json",
        "README.md",
    ] {
        assert_eq!(
            std::fs::read(run.join(f)).expect("a"),
            std::fs::read(copy.path().join(f)).expect("b"),
            "{f} differs when written again"
        );
    }
}

fn excluded_with(run: &Path, reason: &str) -> Vec<Document> {
    read_all(&run.join("excluded"))
        .expect("excluded")
        .into_iter()
        .filter(|d| d.exclusion().is_some_and(|e| e.reason.code() == reason))
        .collect()
}

#[test]
fn trace_tells_the_life_of_a_duplicate_and_of_the_copy_that_was_kept() {
    let run = demo_run();
    let dup = excluded_with(run, "near_duplicate");
    let d = dup.first().expect("the demo has near-duplicates");
    let out = ok(zeef()
        .args(["trace", &d.id, "--run"])
        .arg(run)
        .output()
        .expect("trace"));
    let t = text(&out);
    let detail = &d.exclusion().expect("excluded").detail;
    let kept_id = detail
        .strip_prefix("near-duplicate of ")
        .and_then(|r| r.split_whitespace().next())
        .expect("kept id in the detail");
    for needle in [
        d.source.as_str(),
        d.locator.as_str(),
        "excluded by near_dedup: near_duplicate",
        detail.as_str(),
        "near-duplicate cluster of",
        "excluded/part-",
        "policy today  allowed",
        "signal",
    ] {
        assert!(t.contains(needle), "missing {needle:?} in\n{t}");
    }
    assert!(
        !t.contains(&d.text[..d.text.len().min(80)]),
        "trace shows no text"
    );

    let out = ok(zeef()
        .args(["trace", kept_id, "--run"])
        .arg(run)
        .output()
        .expect("trace"));
    let t = text(&out);
    assert!(t.contains("kept: passed every stage"), "{t}");
    assert!(t.contains("output/part-"), "{t}");
    assert!(
        t.contains(&format!("{} was excluded as its near_duplicate", d.id)),
        "{t}"
    );

    let out = zeef()
        .args(["trace", "nope:123", "--run"])
        .arg(run)
        .output()
        .expect("trace");
    assert!(!out.status.success());
    assert!(text(&out).contains("no document nope:123"));
}

#[test]
fn lookup_finds_exact_and_near_copies_under_their_agreement_and_nothing_else() {
    let run = demo_run();
    let kept = read_all(&run.join("output")).expect("output");
    let doc = kept
        .iter()
        .filter(|d| d.agreement_id.as_deref() == Some("AGR-2024-ARCHIEF"))
        .max_by_key(|d| d.text.len())
        .expect("an archive document is kept");
    // A near copy: a few words changed.
    let mut words: Vec<&str> = doc.text.split_whitespace().collect();
    for i in (7..words.len()).step_by(41) {
        words[i] = "anders";
    }
    let near = words.join(" ");
    let other = kept
        .iter()
        .find(|d| d.source == "laws")
        .expect("a law is kept");

    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("texts.jsonl");
    let unrelated = "Dit is een korte tekst die nergens in de dataset voorkomt, over de kleur van \
                     fietsen in Groningen en de prijs van koffie op zondagmiddag in december.";
    let lines = [&doc.text, &near, &unrelated.to_string()]
        .iter()
        .map(|t| serde_json::json!({"text": t}).to_string())
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, lines).expect("write");

    let out = ok(zeef()
        .args(["lookup", "--run"])
        .arg(run)
        .arg("--file")
        .arg(&file)
        .arg("--json")
        .output()
        .expect("lookup"));
    let answers: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let a = answers.as_array().expect("answers");
    assert_eq!(a.len(), 3);
    let first = &a[0]["matches"][0];
    assert_eq!(first["kind"], "exact");
    assert_eq!(first["id"], doc.id.as_str());
    assert_eq!(first["agreement"], "AGR-2024-ARCHIEF");
    let near_match = a[1]["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .find(|m| m["id"] == doc.id.as_str())
        .expect("the near copy is found");
    assert_eq!(near_match["kind"], "near");
    assert!(near_match["similarity"].as_f64().expect("sim") > 0.5);
    assert!(a[2]["matches"].as_array().expect("matches").is_empty());

    // Human output, from --text; never any text of the dataset.
    let out = ok(zeef()
        .args(["lookup", "--run"])
        .arg(run)
        .args(["--text", &other.text])
        .output()
        .expect("lookup"));
    let t = text(&out);
    assert!(t.contains("IN THE DATASET"), "{t}");
    assert!(t.contains(&other.id), "{t}");
    assert!(t.contains("1 of 1 text(s) found"), "{t}");
    for d in &kept {
        let probe: String = d.text.chars().take(60).collect();
        assert!(!t.contains(&probe), "lookup showed dataset text");
    }
}

/// Personal data planted in the input, in documents that are kept (masked by the pii stage) and
/// in documents excluded before it (quoted in the report's samples).
#[test]
fn no_planted_personal_data_in_reports_or_logs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("project");
    copy_dir(&demo_dir(), &project);
    let planted = [
        "marieke.vandenberg@planted-example.nl",
        "06-98765432",
        "NL02ABNA0123456789",
        "111222333",
    ];
    let dutch = "De gemeenteraad heeft gisteravond na een lang debat besloten om het oude \
                 stadhuis aan de markt te verbouwen tot een bibliotheek met een leeszaal, een \
                 archief en ruimte voor tentoonstellingen over de geschiedenis van de stad. De \
                 wethouder zei dat de verbouwing twee jaar gaat duren en dat de kosten worden \
                 gedeeld met de provincie. Bewoners kunnen hun mening geven tijdens een \
                 inloopavond in het buurthuis.";
    let english = "The city council decided last night after a long debate to turn the old town \
                   hall on the market square into a library with a reading room and an archive.";
    let records = [
        format!(
            "{dutch} Vragen kunnen naar {} of bel {}.",
            planted[0], planted[1]
        ),
        format!(
            "{dutch} Doneren kan op {} onder vermelding van burgerservicenummer {}.",
            planted[2], planted[3]
        ),
        format!("{english} Contact {} or call {}.", planted[0], planted[1]),
        format!("{english} Pay to {}.", planted[2]),
        format!("Kort: {} {}", planted[0], planted[1]),
    ];
    let jsonl: String = records
        .iter()
        .enumerate()
        .map(|(i, t)| serde_json::json!({"id": format!("p{i}"), "text": t}).to_string() + "\n")
        .collect();
    std::fs::create_dir_all(project.join("planted")).expect("mkdir");
    std::fs::write(project.join("planted/planted.jsonl"), jsonl).expect("write");
    // First in the manifest, so its excluded documents are the first of their reasons: the
    // ones the report quotes.
    let demo_sources = std::fs::read_to_string(project.join("sources.toml")).expect("sources");
    let sources = format!(
        "[[source]]\nname = \"planted\"\nkind = \"jsonl\"\npath = \"planted/planted.jsonl\"\n\
         licence = \"CC0-1.0\"\nrights_holder = \"Planted\"\nid_field = \"id\"\n\n{demo_sources}"
    );
    std::fs::write(project.join("sources.toml"), sources).expect("write");
    let policy = std::fs::read_to_string(project.join("policy.toml")).expect("policy");
    assert!(policy.contains("CC0-1.0"), "the demo policy allows CC0");

    let run = tmp.path().join("run");
    let run_out = ok(zeef()
        .args(["run", "--config"])
        .arg(project.join("zeef.toml"))
        .arg("--out")
        .arg(&run)
        .env_remove("ZEEF_QUIET")
        .output()
        .expect("run"));
    let s = summary(&run);
    assert_eq!(s.sources["planted"].documents_read, 5);
    assert!(
        s.sources["planted"].documents_excluded >= 2,
        "planted documents are excluded"
    );
    let excluded = read_all(&run.join("excluded")).expect("excluded");
    assert!(
        excluded
            .iter()
            .any(|d| d.source == "planted" && d.text.contains(planted[0])),
        "an excluded shard still holds raw personal data, so the report must mask it"
    );

    let mut logs = text(&run_out);
    logs.push_str(&text(&ok(zeef()
        .arg("audit")
        .arg(&run)
        .output()
        .expect("audit"))));
    for d in read_all(&run.join("output"))
        .expect("output")
        .iter()
        .chain(&excluded)
        .filter(|d| d.source == "planted")
    {
        logs.push_str(&text(&ok(zeef()
            .args(["trace", &d.id, "--run"])
            .arg(&run)
            .output()
            .expect("trace"))));
    }
    let mut seen = String::new();
    for f in zeef_reports::REPORT_FILES {
        seen.push_str(&std::fs::read_to_string(run.join(f)).expect("report file"));
    }
    assert!(seen.contains("planted"), "the planted source is reported");
    let report_json = std::fs::read_to_string(run.join("report.json")).expect("json");
    assert!(report_json.contains("<EMAIL>"), "a masked sample is shown");
    for p in planted {
        assert!(!seen.contains(p), "{p} appears in the reports");
        assert!(!logs.contains(p), "{p} appears in the logs");
    }
}

#[test]
fn croissant_and_dataset_card_describe_the_shards_and_audit_checks_their_hashes() {
    let fresh = demo_run();
    let c = json(&fresh.join("croissant.json"));
    // The properties Croissant 1.0 requires that a run can know, and its context.
    for k in [
        "@context",
        "@type",
        "name",
        "description",
        "license",
        "conformsTo",
    ] {
        assert!(!c[k].is_null(), "croissant.json has no {k}");
    }
    assert_eq!(c["@type"], "sc:Dataset");
    assert_eq!(c["conformsTo"], "http://mlcommons.org/croissant/1.0");
    let ctx = &c["@context"];
    assert_eq!(ctx["@vocab"], "https://schema.org/");
    assert_eq!(ctx["cr"], "http://mlcommons.org/croissant/");
    assert_eq!(ctx["sc"], "https://schema.org/");
    assert_eq!(ctx["conformsTo"], "dct:conformsTo");
    assert_eq!(ctx["dct"], "http://purl.org/dc/terms/");
    assert_eq!(ctx["rai"], "http://mlcommons.org/croissant/RAI/");
    assert_eq!(ctx["dataType"]["@id"], "cr:dataType");
    for k in [
        "field",
        "recordSet",
        "fileSet",
        "fileObject",
        "source",
        "extract",
        "column",
        "includes",
        "key",
        "data",
    ] {
        assert!(!ctx[k].is_null(), "the context has no {k}");
    }
    // One FileObject per output shard, with the shard's real SHA-256, and a FileSet over them.
    let s = summary(fresh);
    let dist = c["distribution"].as_array().expect("distribution");
    let objects: Vec<&serde_json::Value> = dist
        .iter()
        .filter(|o| o["@type"] == "cr:FileObject")
        .collect();
    assert_eq!(objects.len(), s.output_shards.len());
    for o in &objects {
        let url = o["contentUrl"].as_str().expect("contentUrl");
        assert!(
            url.starts_with("output/") && url.ends_with(".parquet"),
            "{url}"
        );
        assert_eq!(o["encodingFormat"], "application/x-parquet");
        let (sha, _) = zeef_reports::manifest::sha256_file(&fresh.join(url)).expect("sha");
        assert_eq!(o["sha256"].as_str(), Some(sha.as_str()));
    }
    let set = dist
        .iter()
        .find(|o| o["@type"] == "cr:FileSet")
        .expect("a FileSet");
    assert_eq!(set["includes"], "output/*.parquet");
    // A field per shard column, typed; the licence of every source in the sources record set.
    let sets = c["recordSet"].as_array().expect("recordSet");
    let docs = sets
        .iter()
        .find(|r| r["@id"] == "documents")
        .expect("documents");
    let fields = docs["field"].as_array().expect("fields");
    let field = |n: &str| {
        fields
            .iter()
            .find(|f| f["name"] == n)
            .unwrap_or_else(|| panic!("no field {n}"))
    };
    assert_eq!(field("text")["dataType"], "sc:Text");
    assert_eq!(field("priority")["dataType"], "sc:Integer");
    assert_eq!(field("lang_score")["dataType"], "sc:Float");
    assert_eq!(field("license")["source"]["extract"]["column"], "license");
    assert!(fields.iter().all(|f| f["@type"] == "cr:Field"));
    let sources = sets
        .iter()
        .find(|r| r["@id"] == "sources")
        .expect("sources");
    let rows = sources["data"].as_array().expect("data");
    let laws = rows
        .iter()
        .find(|r| r["sources/name"] == "laws")
        .expect("laws");
    assert_eq!(laws["sources/license"], "LicenseRef-NL-Auteurswet-Art11");
    assert!(c["license"]
        .as_array()
        .expect("license")
        .iter()
        .any(|l| l == "https://spdx.org/licenses/CC-BY-SA-4.0.html"));
    assert!(c["rai:dataCollection"].is_string());
    assert!(c["rai:personalSensitiveInformation"].is_string());

    // The dataset card: front matter the Hub reads, then prose.
    let card = std::fs::read_to_string(fresh.join("README.md")).expect("README.md");
    let front = card
        .strip_prefix("---\n")
        .and_then(|r| r.split_once("\n---\n"))
        .map(|(f, _)| f)
        .expect("YAML front matter");
    for line in [
        "language:\n- nl",
        "size_categories:\n- ",
        "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: output/*.parquet",
        "license:\n- ",
        "- cc-by-sa-4.0",
    ] {
        assert!(front.contains(line), "{line:?} not in\n{front}");
    }
    assert!(card.contains(&format!("{} documents", s.totals.documents_kept)));

    // A wrong hash in croissant.json fails the audit, naming the shard.
    let tmp = tempfile::tempdir().expect("tempdir");
    let run = tmp.path().join("run");
    copy_dir(fresh, &run);
    let raw = std::fs::read_to_string(run.join("croissant.json")).expect("read");
    let sha = objects[0]["sha256"].as_str().expect("sha");
    std::fs::write(
        run.join("croissant.json"),
        raw.replace(sha, &"0".repeat(64)),
    )
    .expect("w");
    let out = audit(&run, &[]);
    assert!(!out.status.success(), "{}", text(&out));
    let t = text(&out);
    let url = objects[0]["contentUrl"].as_str().expect("url");
    assert!(
        t.contains(&format!(
            "croissant.json: {url}: SHA-256 {}",
            "0".repeat(64)
        )),
        "{t}"
    );
}

#[test]
fn publication_fills_croissant_and_the_run_folder_loads_through_its_card() {
    // A project that says where it is published: the demo with a `[publication]` table.
    let tmp = tempfile::tempdir().expect("tempdir");
    let project = tmp.path().join("project");
    copy_dir(&demo_dir(), &project);
    let config = project.join("zeef.toml");
    let mut toml = std::fs::read_to_string(&config).expect("zeef.toml");
    toml.push_str(
        "\n[publication]\nname = \"zeef-demo-nl\"\nurl = \"https://huggingface.co/datasets/example/zeef-demo-nl\"\n\
         version = \"1.0.0\"\ndate_published = \"2026-12-04\"\ncreator = \"Voorbeeld Taalconsortium\"\n\
         creator_url = \"https://example.org\"\ncontact = \"data@example.org\"\n\
         provider = \"Voorbeeld Taalconsortium, data@example.org\"\n",
    );
    std::fs::write(&config, toml).expect("write zeef.toml");
    let run = tmp.path().join("run");
    ok(zeef()
        .args(["run", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&run)
        .output()
        .expect("zeef run"));

    let c = json(&run.join("croissant.json"));
    assert_eq!(c["name"], "zeef-demo-nl");
    assert_eq!(
        c["url"],
        "https://huggingface.co/datasets/example/zeef-demo-nl"
    );
    assert_eq!(c["datePublished"], "2026-12-04");
    assert_eq!(c["version"], "1.0.0");
    assert_eq!(c["creator"]["@type"], "sc:Organization");
    assert_eq!(c["creator"]["name"], "Voorbeeld Taalconsortium");
    let card = std::fs::read_to_string(run.join("README.md")).expect("README.md");
    assert!(card.contains("pretty_name: zeef-demo-nl"), "{card}");
    assert!(card.contains("- Contact: data@example.org"), "{card}");
    assert!(!card.contains("Not yet in croissant.json"), "{card}");
    let ai = json(&run.join("ai-act-summary.json"));
    let s11 = &ai["sections"][0];
    assert_eq!(s11["number"], "1.1");
    assert_eq!(
        s11["from_the_run"]["provider"],
        "Voorbeeld Taalconsortium, data@example.org"
    );
    // Without `[publication]` the card names what a publisher still has to add.
    let plain = std::fs::read_to_string(demo_run().join("README.md")).expect("README.md");
    assert!(
        plain.contains("Not yet in croissant.json (`[publication]` in zeef.toml): url, creator, datePublished, version"),
        "{plain}"
    );

    // Hugging Face `datasets` loads the run folder through the card's `configs`: the kept
    // documents and nothing from `excluded/`. CI installs it and sets ZEEF_REQUIRE_DATASETS.
    let has = Command::new("python3")
        .args(["-c", "import datasets"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        assert!(
            std::env::var_os("ZEEF_REQUIRE_DATASETS").is_none(),
            "the datasets package is required but not installed"
        );
        eprintln!("skipped: python3 with datasets not found");
        return;
    }
    let script = "import sys, datasets\n\
        ds = datasets.load_dataset(sys.argv[1], split='train', cache_dir=sys.argv[2])\n\
        print(len(ds), ds.column_names.count('text'), sum(1 for t in ds['text'] if t))\n";
    let out = ok(Command::new("python3")
        .args(["-c", script])
        .arg(&run)
        .arg(tmp.path().join("hf-cache"))
        .env("HF_DATASETS_OFFLINE", "1")
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_HOME", tmp.path().join("hf-home"))
        .output()
        .expect("python3"));
    let s = summary(&run);
    let got = String::from_utf8_lossy(&out.stdout);
    let kept = s.totals.documents_kept;
    assert_eq!(
        got.split_whitespace().collect::<Vec<_>>(),
        vec![kept.to_string(), "1".into(), kept.to_string()],
        "{}",
        text(&out)
    );
}
