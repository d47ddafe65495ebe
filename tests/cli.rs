//! End-to-end tests of the `zeef` binary on the bundled real Dutch demo corpus.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use zeef_core::{read_all, Document, Reason, RunSummary};

mod common;
use common::{ok, zeef};

fn demo(out: &Path, threads: &str) -> RunSummary {
    ok(zeef()
        .args(["demo", "--out"])
        .arg(out)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("run zeef"));
    summary(out)
}

fn summary(dir: &Path) -> RunSummary {
    let text = std::fs::read_to_string(dir.join("run.json")).expect("run.json");
    serde_json::from_str(&text).expect("parse run.json")
}

fn by_id(docs: &[Document]) -> BTreeMap<String, &Document> {
    docs.iter().map(|d| (d.id.clone(), d)).collect()
}

fn record_id(source: &str, id: &str) -> String {
    zeef_core::document_id(source, &format!("id={id}"))
}

#[test]
fn demo_conserves_every_document_and_gives_reasons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = demo(dir.path(), "2");
    let kept = read_all(&dir.path().join("output")).expect("output");
    let excluded = read_all(&dir.path().join("excluded")).expect("excluded");

    // in = kept + excluded, for the run and for every source, counted from the shards.
    assert_eq!(
        kept.len() + excluded.len(),
        s.totals.documents_read as usize
    );
    for (name, c) in &s.sources {
        let k = kept.iter().filter(|d| &d.source == name).count() as u64;
        let e = excluded.iter().filter(|d| &d.source == name).count() as u64;
        assert_eq!(k, c.documents_kept, "{name}");
        assert_eq!(e, c.documents_excluded, "{name}");
        assert_eq!(k + e, c.documents_read, "{name}");
    }
    assert!(kept.iter().all(Document::is_kept));
    assert!(excluded.iter().all(|d| d
        .exclusion()
        .is_some_and(|e| !e.stage.is_empty() && !e.detail.is_empty())));

    // The whole mission on real text: every kind of exclusion shows up.
    let reasons: Vec<&str> = s
        .totals
        .excluded_by_reason
        .keys()
        .map(String::as_str)
        .collect();
    for r in [
        "malformed",
        "licence_denied",
        "wrong_language",
        "exact_duplicate",
        "near_duplicate",
    ] {
        assert!(reasons.contains(&r), "no {r} in {reasons:?}");
    }
    // The source whose licence is NC-SA is entirely excluded for its licence.
    assert_eq!(s.sources["lassysmall"].documents_kept, 0);
    assert_eq!(
        s.sources["lassysmall"]
            .excluded_by_reason
            .get("licence_denied"),
        Some(&s.sources["lassysmall"].documents_read)
    );
    // The publisher that withdrew its agreement contributes nothing, and says why.
    assert_eq!(s.sources["weekblad"].documents_kept, 0);
    assert_eq!(s.reference_date.as_deref(), Some("2026-11-01"));
    let withdrawn = excluded
        .iter()
        .find(|d| d.source == "weekblad")
        .and_then(Document::exclusion)
        .expect("weekblad excluded");
    assert_eq!(withdrawn.reason, Reason::AgreementWithdrawn);
    assert_eq!(
        withdrawn.detail,
        "agreement AGR-2023-WEEKBLAD was withdrawn by Weekblad on 2025-09-01"
    );
    // Words are accounted per rights holder and agreement, and add up.
    let per_holder: u64 = s.rights_holders.values().map(|c| c.words_kept).sum();
    let per_agreement: u64 = s.agreements.values().map(|c| c.words_kept).sum();
    assert_eq!(per_holder, s.totals.words_kept);
    assert_eq!(per_agreement, s.totals.words_kept);
    assert!(s.agreements["AGR-2024-ARCHIEF"].documents_kept > 0);
    assert_eq!(s.agreements["AGR-2023-WEEKBLAD"].documents_kept, 0);
    // Afrikaans is not Dutch.
    assert_eq!(s.sources["afrikaans"].documents_kept, 0);

    let ex = by_id(&excluded);
    // The truncated line 3 of the archive is reported, with file and line.
    let broken = excluded
        .iter()
        .find(|d| d.locator == "archive/archive.jsonl.gz:3")
        .expect("malformed line 3");
    let e = broken.exclusion().expect("excluded");
    assert_eq!(e.reason, Reason::Malformed);
    assert!(
        e.detail
            .starts_with("archive/archive.jsonl.gz:3: invalid JSON"),
        "{}",
        e.detail
    );

    // Planted exact copies never survive: either the higher-priority original is kept and the
    // copy is its exact_duplicate, or a quality rule of the copy's own source (the archive's
    // web profile) excluded it first, while the original's profile kept it or excluded it too.
    let cases = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/archive/cases.tsv"),
    )
    .expect("cases.tsv");
    let kept_ids = by_id(&kept);
    let (mut copies, mut as_duplicate) = (0, 0);
    for line in cases.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.get(1) != Some(&"exact_duplicate") {
            continue;
        }
        copies += 1;
        let copy = ex
            .get(&record_id("archive", cols[0]))
            .unwrap_or_else(|| panic!("{} not excluded", cols[0]));
        let e = copy.exclusion().expect("excluded");
        let (source, original_id) = cols[2].split_once('/').expect("source/id");
        let original = record_id(source, original_id);
        if e.reason == Reason::ExactDuplicate {
            as_duplicate += 1;
            assert_eq!(
                e.detail,
                format!("duplicate of {original} (kept by higher source priority)")
            );
            assert!(
                kept_ids.contains_key(&original),
                "original {original} not kept"
            );
        } else {
            assert!(
                [
                    "gopher_quality",
                    "gopher_repetition",
                    "c4",
                    "fineweb_quality"
                ]
                .contains(&e.stage.as_str()),
                "{}: {e:?}",
                cols[0]
            );
            assert!(
                kept_ids.contains_key(&original) || ex.contains_key(&original),
                "{original} missing"
            );
        }
    }
    assert_eq!(copies, 5);
    assert!(as_duplicate >= 3, "{as_duplicate}");
    // Planted personal data is replaced in what is kept.
    let text: String = kept.iter().map(|d| d.text.as_str()).collect();
    assert!(!text.contains("NL91ABNA0417164300"));
    // The run writes a report next to the shards.
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("report");
    assert!(html.contains("licence_denied"));
}

#[test]
fn output_is_byte_identical_for_one_and_two_threads() {
    let a = tempfile::tempdir().expect("tempdir");
    let b = tempfile::tempdir().expect("tempdir");
    demo(a.path(), "1");
    demo(b.path(), "2");
    for rel in [
        "output/part-00000.parquet",
        "excluded/part-00000.parquet",
        "run.json",
    ] {
        let x = std::fs::read(a.path().join(rel)).expect("a");
        let y = std::fs::read(b.path().join(rel)).expect("b");
        assert!(x == y, "{rel} differs between 1 and 2 threads");
    }
}

fn write_project(dir: &Path, sources: &str) -> PathBuf {
    std::fs::write(
        dir.join("zeef.toml"),
        "[run]\nbatch_size = 2\n[[stage]]\ntype = \"licence\"\n[[stage]]\ntype = \"exact_dedup\"\n",
    )
    .expect("zeef.toml");
    std::fs::write(dir.join("sources.toml"), sources).expect("sources.toml");
    std::fs::write(dir.join("policy.toml"), "allow = [\"CC0-1.0\"]\n").expect("policy.toml");
    dir.join("zeef.toml")
}

#[test]
fn bad_input_becomes_malformed_records_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir(d.join("in")).expect("mkdir");
    let mut f = std::fs::File::create(d.join("in/a.jsonl")).expect("a.jsonl");
    f.write_all(b"{\"text\": \"Een goed document.\"}\n{\"text\": \"kapot\n{\"text\": \"fout \xc3\x28 utf8\"}\n")
        .expect("write");
    drop(f);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..500 {
        writeln!(
            gz,
            "{{\"text\": \"Document {i} met een eigen inhoud {}.\"}}",
            i * 31
        )
        .expect("w");
    }
    let bytes = gz.finish().expect("gz");
    std::fs::write(d.join("in/b.jsonl.gz"), &bytes[..bytes.len() * 2 / 3]).expect("b");
    std::fs::write(d.join("in/c.jsonl"), b"").expect("c");
    let config = write_project(
        d,
        "[[source]]\nname = \"s\"\nkind = \"jsonl\"\npath = \"in\"\nlicence = \"CC0-1.0\"\n",
    );
    ok(zeef()
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .expect("run"));
    let s = summary(&d.join("zeef-out"));
    let excluded = read_all(&d.join("zeef-out/excluded")).expect("excluded");
    let kept = read_all(&d.join("zeef-out/output")).expect("output");
    assert_eq!(
        kept.len() + excluded.len(),
        s.totals.documents_read as usize
    );
    let details: Vec<String> = excluded
        .iter()
        .filter_map(|d| d.exclusion())
        .filter(|e| e.reason == Reason::Malformed)
        .map(|e| e.detail.clone())
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("in/a.jsonl:2: invalid JSON")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("in/a.jsonl:3: invalid UTF-8")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("in/b.jsonl.gz: unreadable after line")),
        "{details:?}"
    );
    // Everything before the break in the truncated file was kept.
    assert!(
        kept.iter()
            .filter(|d| d.locator.starts_with("in/b.jsonl.gz"))
            .count()
            > 100
    );
}

#[test]
fn missing_input_is_a_clear_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_project(
        dir.path(),
        "[[source]]\nname = \"s\"\nkind = \"jsonl\"\npath = \"nowhere.jsonl\"\nlicence = \"CC0-1.0\"\n",
    );
    let out = zeef()
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nowhere.jsonl") && err.contains("no such file"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn unknown_config_key_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = write_project(
        dir.path(),
        "[[source]]\nname = \"s\"\nkind = \"jsonl\"\npath = \"x.jsonl\"\nlicence = \"CC0-1.0\"\nprioriteit = 3\n",
    );
    std::fs::write(dir.path().join("x.jsonl"), "{\"text\": \"x\"}\n").expect("x");
    let out = zeef()
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("prioriteit") && err.contains("line 6"),
        "{err}"
    );
    let usage = zeef().arg("--no-such-flag").output().expect("run");
    assert_eq!(usage.status.code(), Some(2));
}

#[test]
fn init_writes_a_project_that_runs_as_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    let project = dir.path().join("project");
    ok(zeef().arg("init").arg(&project).output().expect("init"));
    ok(zeef()
        .args(["run", "--config"])
        .arg(project.join("zeef.toml"))
        .output()
        .expect("run"));
    let s = summary(&project.join("zeef-out"));
    assert_eq!(s.totals.documents_read, 9);
    assert_eq!(s.totals.excluded_by_reason.get("exact_duplicate"), Some(&1));
    // A second init into the same folder refuses to overwrite.
    let again = zeef().arg("init").arg(&project).output().expect("init");
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn apply_runs_one_stage_over_stdin() {
    let mut child = zeef()
        .args(["apply", "exact_dedup"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(
            b"{\"id\": \"a\", \"text\": \"Zelfde.\", \"priority\": 1}\n{\"id\": \"b\", \"text\": \"Zelfde.\", \"priority\": 2}\n{\"id\": \"c\", \"text\": \"Anders.\"}\n",
        )
        .expect("write");
    let out = ok(child.wait_with_output().expect("wait"));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["reason"], "exact_duplicate");
    assert_eq!(
        lines[0]["detail"],
        "duplicate of b (kept by higher source priority)"
    );
    assert_eq!(lines[1]["verdict"], "keep");
    assert_eq!(lines[2]["verdict"], "keep");
}

#[test]
fn shards_are_readable_by_pyarrow() {
    // pyarrow is an independent Parquet reader: if it reads the shards, so do Polars, pandas
    // and DuckDB. CI installs it and sets ZEEF_REQUIRE_PYARROW so this cannot silently skip.
    let has = Command::new("python3")
        .args(["-c", "import pyarrow"])
        .status()
        .is_ok_and(|s| s.success());
    if !has {
        assert!(
            std::env::var_os("ZEEF_REQUIRE_PYARROW").is_none(),
            "pyarrow is required but not installed"
        );
        eprintln!("skipped: python3 with pyarrow not found");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let run = dir.path().join("run");
    demo(&run, "2");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/check_shards.py");
    ok(Command::new("python3")
        .arg(&script)
        .arg(&run)
        .output()
        .expect("python3"));
    // A withdrawal's new version recounts the same way.
    let v2 = dir.path().join("v2");
    ok(zeef()
        .arg("withdraw")
        .arg(&run)
        .args([
            "--domain",
            "archief.example.nl",
            "--date",
            "2026-11-20",
            "--out",
        ])
        .arg(&v2)
        .output()
        .expect("withdraw"));
    ok(Command::new("python3")
        .arg(&script)
        .arg(&v2)
        .output()
        .expect("python3"));
}

fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for sub in ["output", "excluded"] {
        for p in zeef_core::list_shards(&dir.join(sub)).expect("list") {
            out.insert(p.clone(), std::fs::read(&p).expect("read"));
        }
    }
    out.insert(
        dir.join("run.json"),
        std::fs::read(dir.join("run.json")).expect("run.json"),
    );
    out
}

#[test]
fn withdraw_makes_a_new_version_and_promotes_the_next_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = dir.path().join("run");
    demo(&run, "2");
    let before = files(&run);
    let old_kept = read_all(&run.join("output")).expect("output");
    let old_excluded = read_all(&run.join("excluded")).expect("excluded");
    let ledger = dir.path().join("consent.csv");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/consent.csv"),
        &ledger,
    )
    .expect("ledger");
    let new = dir.path().join("v2");
    ok(zeef()
        .arg("withdraw")
        .arg(&run)
        .args([
            "--rights-holder",
            "Staat der Nederlanden",
            "--date",
            "2026-11-20",
            "--out",
        ])
        .arg(&new)
        .arg("--ledger")
        .arg(&ledger)
        .output()
        .expect("withdraw"));
    // The old version is untouched.
    assert_eq!(files(&run), before);
    let kept = read_all(&new.join("output")).expect("new output");
    let excluded = read_all(&new.join("excluded")).expect("new excluded");
    let s = summary(&new);
    s.check_conservation().expect("conserved");
    assert_eq!(
        kept.len() + excluded.len(),
        old_kept.len() + old_excluded.len()
    );
    // No withdrawn document remains; every other kept document is unchanged.
    assert!(kept
        .iter()
        .all(|d| d.rights_holder.as_deref() != Some("Staat der Nederlanden")));
    let new_by_id = by_id(&kept);
    let mut removed = BTreeSet::new();
    for d in &old_kept {
        if d.rights_holder.as_deref() == Some("Staat der Nederlanden") {
            removed.insert(d.id.clone());
        } else {
            assert_eq!(new_by_id.get(&d.id), Some(&d), "{} changed", d.id);
        }
    }
    assert!(!removed.is_empty());
    let gone = excluded
        .iter()
        .filter(|d| d.exclusion().is_some_and(|e| e.reason == Reason::Withdrawn))
        .count();
    assert_eq!(gone, removed.len());
    // Archive copies of withdrawn laws are promoted: allowed, and no longer duplicates.
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(new.join("withdrawal.json")).expect("report"),
    )
    .expect("json");
    let promoted = report["promoted"].as_object().expect("promoted");
    assert!(!promoted.is_empty());
    for (copy, original) in promoted {
        assert!(removed.contains(original.as_str().expect("id")));
        let d = new_by_id.get(copy).expect("promoted copy is kept");
        assert_eq!(d.source, "archive");
    }
    assert_eq!(
        s.totals.documents_kept as usize,
        old_kept.len() - removed.len() + promoted.len()
    );
    assert_eq!(
        report["documents_removed"].as_u64(),
        Some(removed.len() as u64)
    );
    assert_eq!(report["tokenized"], false);
    // The ledger records the withdrawal of nothing here (the laws have no agreement), and a
    // second withdrawal into the same folder is refused.
    let again = zeef()
        .arg("withdraw")
        .arg(&run)
        .args(["--domain", "archief.example.nl", "--out"])
        .arg(&new)
        .output()
        .expect("again");
    assert_eq!(again.status.code(), Some(1));
}

#[test]
fn withdraw_an_agreement_records_it_in_the_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = dir.path().join("run");
    demo(&run, "2");
    let ledger = dir.path().join("consent.csv");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/consent.csv"),
        &ledger,
    )
    .expect("ledger");
    let new = dir.path().join("v2");
    ok(zeef()
        .arg("withdraw")
        .arg(&run)
        .args([
            "--agreement",
            "AGR-2024-ARCHIEF",
            "--date",
            "2026-11-20",
            "--out",
        ])
        .arg(&new)
        .arg("--ledger")
        .arg(&ledger)
        .output()
        .expect("withdraw"));
    let kept = read_all(&new.join("output")).expect("output");
    assert!(kept.iter().all(|d| d.source != "archive"));
    let text = std::fs::read_to_string(&ledger).expect("ledger");
    let row = text
        .lines()
        .find(|l| l.starts_with("AGR-2024-ARCHIEF,"))
        .expect("row");
    assert!(row.contains(",2026-11-20,"), "{row}");
}

#[test]
fn sources_check_lists_files_and_bytes_and_fails_on_a_missing_path() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/zeef.toml");
    let out = ok(zeef()
        .args(["sources", "check", "--config"])
        .arg(&config)
        .output()
        .expect("check"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("laws") && text.contains("8 sources ok"),
        "{text}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = write_project(
        dir.path(),
        "[[source]]\nname = \"s\"\nkind = \"jsonl\"\npath = \"nowhere/*.jsonl\"\nlicence = \"CC0-1.0\"\n",
    );
    let out = zeef()
        .args(["sources", "check", "--config"])
        .arg(&bad)
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("nowhere/*.jsonl"));
}

#[test]
fn licensing_scenario_every_document_lands_where_the_policy_says() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let demo = root.join("data/demo");
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::write(
        d.join("zeef.toml"),
        "[[stage]]\ntype = \"licence\"\n[[stage]]\ntype = \"consent\"\nreference_date = \"2026-06-01\"\n[[stage]]\ntype = \"opt_out\"\n",
    )
    .expect("zeef.toml");
    std::fs::write(
        d.join("policy.toml"),
        "allow = [\"CC-BY-SA-4.0\", \"MPL-2.0\", \"LicenseRef-Agreement-*\"]\nagreement_required = [\"LicenseRef-Agreement-*\"]\ndeny = [\"CC-BY-NC-4.0\"]\n",
    )
    .expect("policy.toml");
    std::fs::write(
        d.join("consent.csv"),
        "agreement_id,rights_holder,purposes,valid_from,valid_until,withdrawn_at,conditions,contact\n\
         AGR-OLD,Oud Archief,pretraining,2020-01-01,2025-12-31,,,\n\
         AGR-GONE,Weekblad,pretraining,2024-01-01,,2026-03-01,,\n",
    )
    .expect("consent.csv");
    let source = |name: &str, kind: &str, path: &Path, licence: &str, extra: &str| {
        format!(
            "[[source]]\nname = \"{name}\"\nkind = \"{kind}\"\npath = \"{}\"\nlicence = \"{licence}\"\n{extra}\n",
            path.display()
        )
    };
    let manifest = [
        source(
            "sa",
            "jsonl",
            &demo.join("alpino/alpino.jsonl.gz"),
            "CC-BY-SA-4.0",
            "",
        ),
        source(
            "nc",
            "jsonl",
            &demo.join("lassysmall/lassysmall.jsonl.gz"),
            "CC-BY-NC-4.0",
            "",
        ),
        source(
            "expired",
            "jsonl",
            &demo.join("gutenberg/gutenberg.jsonl.gz"),
            "LicenseRef-Agreement-Oud",
            "agreement = \"AGR-OLD\"",
        ),
        source(
            "withdrawn",
            "jsonl",
            &demo.join("weekblad/weekblad.jsonl.gz"),
            "LicenseRef-Agreement-Weekblad",
            "agreement = \"AGR-GONE\"",
        ),
        source(
            "unsigned",
            "jsonl",
            &demo.join("rechtspraak/rechtspraak.jsonl.gz"),
            "LicenseRef-Agreement-Rechtspraak",
            "",
        ),
        source(
            "web",
            "warc",
            &root.join("ingest/tests/fixtures/warc/libreoffice-help.warc.gz"),
            "MPL-2.0",
            "",
        ),
    ]
    .concat();
    std::fs::write(d.join("sources.toml"), manifest).expect("sources.toml");
    ok(zeef()
        .args(["run", "--config"])
        .arg(d.join("zeef.toml"))
        .output()
        .expect("run"));
    let s = summary(&d.join("zeef-out"));
    s.check_conservation().expect("conserved");
    let only = |source: &str, reason: &str| {
        let c = &s.sources[source];
        assert_eq!(c.documents_kept, 0, "{source}");
        assert_eq!(
            c.excluded_by_reason.get(reason),
            Some(&c.documents_read),
            "{source}: {:?}",
            c.excluded_by_reason
        );
    };
    assert_eq!(s.sources["sa"].documents_excluded, 0);
    only("nc", "licence_denied");
    only("expired", "agreement_expired");
    only("withdrawn", "agreement_withdrawn");
    only("unsigned", "no_agreement");
    // The web pages: one free, two with noai robots directives (header and meta), two with
    // TDM rights reserved (HTTP header and HTML meta), each with its evidence.
    let excluded = read_all(&d.join("zeef-out/excluded")).expect("excluded");
    let web: Vec<(Reason, String)> = excluded
        .iter()
        .filter(|d| d.source == "web")
        .filter_map(|d| d.exclusion().map(|e| (e.reason, e.detail.clone())))
        .collect();
    let count = |r: Reason| web.iter().filter(|(x, _)| *x == r).count();
    assert_eq!(count(Reason::TdmReserved), 2, "{web:?}");
    assert_eq!(count(Reason::RobotsNoai), 2, "{web:?}");
    assert!(web
        .iter()
        .any(|(_, d)| d.starts_with("HTTP header tdm-reservation: 1")));
    assert!(web
        .iter()
        .any(|(_, d)| d.starts_with("HTML <meta name=\"tdm-reservation\"")));
    assert!(web
        .iter()
        .any(|(_, d)| d.starts_with("HTTP header X-Robots-Tag")));
    assert_eq!(s.sources["web"].documents_kept, 1);
}

#[test]
fn skipped_warc_records_are_counted_per_source_in_run_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // Real Dutch help pages (MPL-2.0) as a Common Crawl-style WARC, under a name that hides
    // its gzip compression.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ingest/tests/fixtures/warc/libreoffice-help.warc.gz");
    std::fs::copy(&fixture, d.join("help.warc")).expect("copy fixture");
    let config = write_project(
        d,
        "[[source]]\nname = \"help\"\nkind = \"warc\"\npath = \"help.warc\"\nlicence = \"CC0-1.0\"\n",
    );
    ok(zeef()
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .expect("run"));
    let s = summary(&d.join("zeef-out"));
    let expected: BTreeMap<String, u64> = [
        ("warc_metadata".to_string(), 1),
        ("warc_request".to_string(), 5),
        ("warc_warcinfo".to_string(), 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(s.sources["help"].records_skipped, expected);
    assert_eq!(s.totals.records_skipped, expected);
    // Skipped records are not documents: read = kept + excluded still holds.
    assert_eq!(s.totals.documents_read, 7);
    let raw = std::fs::read_to_string(d.join("zeef-out/run.json")).expect("run.json");
    assert!(raw.contains("\"records_skipped\""), "{raw}");
}
