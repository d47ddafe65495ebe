//! A run killed with SIGKILL at any point resumes to exactly the output of a run that was never
//! stopped, with every document accounted for.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use zeef_core::{read_all, RunSummary};

mod common;
use common::ok;

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo")
}

/// The demo pipeline with small batches, shards and checkpoints, so a kill lands mid-file.
fn project(dir: &Path) -> PathBuf {
    let demo = demo_dir();
    let text = std::fs::read_to_string(demo.join("zeef.toml")).expect("demo zeef.toml");
    let abs = |name: &str| demo.join(name).display().to_string();
    let text = text
        .replace(
            "sources = \"sources.toml\"",
            &format!("sources = {:?}", abs("sources.toml")),
        )
        .replace(
            "policy = \"policy.toml\"",
            &format!("policy = {:?}", abs("policy.toml")),
        )
        .replace(
            "ledger = \"consent.csv\"",
            &format!("ledger = {:?}", abs("consent.csv")),
        )
        .replace(
            "batch_size = 64",
            "batch_size = 8\ncheckpoint_batches = 2\nshard_rows = 20",
        );
    assert!(text.contains("checkpoint_batches = 2"), "{text}");
    let path = dir.join("zeef.toml");
    std::fs::write(&path, text).expect("write zeef.toml");
    path
}

fn zeef(config: &Path, out: &Path, fault: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zeef"));
    c.env("ZEEF_QUIET", "1")
        .args(["run", "--tasks", "2", "--config"])
        .arg(config)
        .arg("--out")
        .arg(out);
    match fault {
        Some(f) => c.env("ZEEF_FAULT", f),
        None => c.env_remove("ZEEF_FAULT"),
    };
    c.output().expect("run zeef")
}

/// Every file of the run's result, by relative path.
fn result_files(run: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    for sub in ["output", "excluded"] {
        for entry in std::fs::read_dir(run.join(sub)).expect("shard folder") {
            let p = entry.expect("entry").path();
            let name = p.file_name().expect("name").to_string_lossy().to_string();
            files.insert(format!("{sub}/{name}"), std::fs::read(&p).expect("read"));
        }
    }
    for f in ["run.json", "report.html"] {
        files.insert(f.into(), std::fs::read(run.join(f)).expect("read"));
    }
    files
}

fn summary(run: &Path) -> RunSummary {
    let text = std::fs::read_to_string(run.join("run.json")).expect("run.json");
    serde_json::from_str(&text).expect("parse run.json")
}

#[test]
fn killed_runs_resume_to_the_same_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = project(tmp.path());
    let clean = tmp.path().join("clean");
    ok(zeef(&config, &clean, None));
    let expected = result_files(&clean);
    let s = summary(&clean);
    assert_eq!(
        s.totals.documents_read, 244,
        "the demo corpus has 244 records"
    );
    assert!(s.totals.documents_kept > 100, "{:?}", s.totals);
    // Small shards: the output is several files.
    assert!(s.output_shards.len() > 3, "{:?}", s.output_shards);

    // (fault, whether the resumed run finds finished chunks of the interrupted phase)
    let faults = [
        ("batch:5", true),  // mid-batch, first phase, after two chunks
        ("shard:12", true), // a batch written into an open shard, not committed
        ("chunk:3", true),  // right after a chunk is committed
        ("phase:1", false), // after ingest, before exact dedup clusters
        ("phase:2", false), // after the exact dedup cluster task
        ("phase:3", false), // after the near dedup signatures, before the bucket phase
        ("edges:2", false), // mid bucket phase: task 1's edges written, its marker not
        ("phase:4", false), // after the near dedup bucket phase
        ("phase:5", false), // after the near dedup cluster task
        ("batch:40", true), // mid-batch in a later (dedup apply) phase
        ("shard:60", true), // mid-shard in the near dedup apply phase
    ];
    // Each case is its own run folder: they run side by side.
    std::thread::scope(|scope| {
        let cases: Vec<_> = faults
            .iter()
            .map(|&(fault, mid_phase)| {
                let (config, expected) = (&config, &expected);
                let run = tmp.path().join(format!("run-{}", fault.replace(':', "-")));
                scope.spawn(move || kill_and_resume(config, &run, fault, mid_phase, expected))
            })
            .collect();
        for case in cases {
            case.join()
                .expect("a kill-and-resume case failed (see its panic above)");
        }
    });
}

fn kill_and_resume(
    config: &Path,
    run: &Path,
    fault: &str,
    mid_phase: bool,
    expected: &BTreeMap<String, Vec<u8>>,
) {
    let killed = zeef(config, run, Some(fault));
    assert_eq!(
        killed.status.signal(),
        Some(9),
        "{fault}: expected SIGKILL, got {}\nstderr: {}",
        killed.status,
        String::from_utf8_lossy(&killed.stderr)
    );
    assert!(!run.join("run.json").exists(), "{fault}: the run finished");
    let resumed = ok(zeef(config, run, None));
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(stderr.contains("resuming the run"), "{fault}: {stderr}");
    if mid_phase {
        assert!(
            stderr.contains("resuming after"),
            "{fault}: no task resumed mid-way: {stderr}"
        );
    }
    // Conservation, counted from the shards themselves.
    let s = summary(run);
    let kept = read_all(&run.join("output")).expect("output");
    let excluded = read_all(&run.join("excluded")).expect("excluded");
    assert_eq!(kept.len() as u64, s.totals.documents_kept, "{fault}");
    assert_eq!(
        (kept.len() + excluded.len()) as u64,
        s.totals.documents_read,
        "{fault}"
    );
    let mut ids: Vec<&str> = kept
        .iter()
        .chain(&excluded)
        .map(|d| d.id.as_str())
        .collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "{fault}: a document appears twice");
    // Byte for byte what the uninterrupted run wrote.
    let got = result_files(run);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{fault}"
    );
    for (name, bytes) in expected {
        assert!(got[name] == *bytes, "{fault}: {name} differs");
    }
}

#[test]
fn task_count_changes_the_files_not_the_documents() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = project(tmp.path());
    let two = tmp.path().join("two");
    ok(zeef(&config, &two, None));
    let one = tmp.path().join("one");
    ok(Command::new(env!("CARGO_BIN_EXE_zeef"))
        .env("ZEEF_QUIET", "1")
        .args(["run", "--tasks", "1", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&one)
        .output()
        .expect("run"));
    let docs = |run: &Path, sub: &str| {
        let mut d = read_all(&run.join(sub)).expect("read");
        d.sort_by(|a, b| a.id.cmp(&b.id));
        d
    };
    assert_eq!(docs(&one, "output"), docs(&two, "output"));
    assert_eq!(docs(&one, "excluded"), docs(&two, "excluded"));
    let (a, b) = (summary(&one), summary(&two));
    assert_eq!(a.totals, b.totals);
    assert_eq!(a.sources, b.sources);
    assert_eq!(a.stages, b.stages);
}

#[test]
fn a_finished_run_is_not_redone_and_a_changed_config_starts_over() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = project(tmp.path());
    let run = tmp.path().join("run");
    ok(zeef(&config, &run, None));
    let before = result_files(&run);
    let again = ok(zeef(&config, &run, None));
    assert!(String::from_utf8_lossy(&again.stderr).contains("resuming the run"));
    assert_eq!(result_files(&run), before);
    // Another configuration is another plan: the folder is cleared, not mixed.
    let text = std::fs::read_to_string(&config).expect("read");
    let shards = summary(&run).output_shards.len();
    std::fs::write(
        &config,
        text.replace("checkpoint_batches = 2", "checkpoint_batches = 1000"),
    )
    .expect("w");
    let fresh = ok(zeef(&config, &run, None));
    assert!(!String::from_utf8_lossy(&fresh.stderr).contains("resuming the run"));
    // One chunk per task now: fewer, larger shards, and none left from the old plan.
    let now = summary(&run).output_shards.len();
    assert!(now < shards, "{now} shards, before {shards}");
    assert_eq!(
        std::fs::read_dir(run.join("output")).expect("ls").count(),
        now
    );
}

#[test]
fn line_dedup_sees_every_task_and_gives_the_same_documents() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    std::fs::create_dir(d.join("in")).expect("mkdir");
    // One file per task; the footer is in one document of each, so only a stage that sees every
    // task's documents counts it three times.
    let footer = "Dit bericht is automatisch verstuurd door het archief van de gemeente.";
    let bodies = [
        "De gemeenteraad vergaderde dinsdag over de nieuwe fietsenstalling bij het station.",
        "Het waterschap waarschuwt voor hoog water in de uiterwaarden van de IJssel.",
        "De bibliotheek in het centrum gaat volgend jaar op zondag ook open.",
    ];
    let others = [
        "De vergadering is verplaatst naar donderdagavond in het stadhuis.",
        "Op de markt staan vanaf morgen ook kramen met streekproducten.",
        "De nieuwe brug over het kanaal wordt in het voorjaar geopend.",
    ];
    for (i, (name, body)) in ["a", "b", "c"].iter().zip(bodies).enumerate() {
        let docs = [
            serde_json::json!({"id": format!("{name}1"), "text": format!("{body}\n{footer}")}),
            serde_json::json!({"id": format!("{name}2"), "text": others[i]}),
        ];
        let lines: Vec<String> = docs.iter().map(|j| j.to_string()).collect();
        std::fs::write(d.join(format!("in/{name}.jsonl")), lines.join("\n") + "\n").expect("w");
    }
    std::fs::write(
        d.join("sources.toml"),
        "[[source]]\nname = \"s\"\nkind = \"jsonl\"\npath = \"in\"\nlicence = \"CC0-1.0\"\nid_field = \"id\"\n",
    )
    .expect("sources");
    std::fs::write(d.join("policy.toml"), "allow = [\"CC0-1.0\"]\n").expect("policy");
    let config = d.join("zeef.toml");
    std::fs::write(
        &config,
        "[[stage]]\ntype = \"licence\"\n[[stage]]\ntype = \"line_dedup\"\n",
    )
    .expect("zeef.toml");
    let run = |tasks: &str, out: &Path| {
        ok(Command::new(env!("CARGO_BIN_EXE_zeef"))
            .env("ZEEF_QUIET", "1")
            .args(["run", "--tasks", tasks, "--config"])
            .arg(&config)
            .arg("--out")
            .arg(out)
            .output()
            .expect("run"));
        let mut docs = read_all(&out.join("output")).expect("read");
        docs.sort_by(|a, b| a.id.cmp(&b.id));
        docs
    };
    let one = run("1", &d.join("one"));
    let three = run("3", &d.join("three"));
    assert_eq!(one.len(), 6);
    assert_eq!(one, three);
    for doc in &three {
        assert!(!doc.text.contains(footer), "{}: {}", doc.id, doc.text);
    }
    assert_eq!(
        three
            .iter()
            .filter(|d| d.signal("line_dedup_lines_removed") == Some(1.0))
            .count(),
        3
    );
}

#[test]
fn bucket_task_count_changes_nothing_and_a_bucket_phase_resumes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = project(tmp.path());
    let text = std::fs::read_to_string(&config).expect("read");
    let with_buckets = |n: usize| {
        let path = tmp.path().join(format!("zeef-{n}.toml"));
        let t = text.replace(
            "checkpoint_batches = 2",
            &format!("checkpoint_batches = 2\nbucket_tasks = {n}"),
        );
        std::fs::write(&path, t).expect("write");
        path
    };
    let (one, three) = (with_buckets(1), with_buckets(3));
    let (run1, run3) = (tmp.path().join("b1"), tmp.path().join("b3"));
    ok(zeef(&one, &run1, None));
    ok(zeef(&three, &run3, None));
    let buckets = |run: &Path| {
        let plan: serde_json::Value =
            serde_json::from_slice(&std::fs::read(run.join("plan.json")).expect("plan"))
                .expect("plan.json");
        plan["phases"]
            .as_array()
            .expect("phases")
            .iter()
            .find(|p| p["kind"]["kind"] == "buckets")
            .map(|p| p["tasks"].as_u64().expect("tasks"))
    };
    assert_eq!(buckets(&run1), Some(1));
    assert_eq!(buckets(&run3), Some(3));
    // The same shards; run.json differs only in the configuration's hash.
    let (a, b) = (result_files(&run1), result_files(&run3));
    for (name, bytes) in &a {
        if name.starts_with("output/") || name.starts_with("excluded/") {
            assert!(
                b[name] == *bytes,
                "{name} differs between 1 and 3 bucket tasks"
            );
        }
    }
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    let (mut s1, mut s3) = (summary(&run1), summary(&run3));
    assert_ne!(s1.config_hash, s3.config_hash);
    s1.config_hash.clear();
    s3.config_hash.clear();
    assert_eq!(
        serde_json::to_string(&s1).expect("json"),
        serde_json::to_string(&s3).expect("json")
    );
    assert!(
        s3.stages
            .iter()
            .any(|st| st.name == "near_dedup" && !st.excluded_by_reason.is_empty()),
        "the demo has near duplicates: {:?}",
        s3.stages
    );
    // Every removed duplicate names its kept copy and its own licence rank in its meta, as the
    // dedup stages record them, so that `zeef withdraw` can promote the right copy.
    let excluded = read_all(&run3.join("excluded")).expect("excluded");
    let mut reasons = BTreeMap::new();
    for d in &excluded {
        let e = d.exclusion().expect("an excluded record has a verdict");
        let reason = format!("{:?}", e.reason);
        if !reason.contains("Duplicate") {
            assert!(!d.meta.contains_key("duplicate_of"), "{}", d.id);
            continue;
        }
        *reasons.entry(reason).or_insert(0) += 1;
        let kept = d.meta.get("duplicate_of").expect("duplicate_of");
        assert!(e.detail.contains(kept.as_str()), "{}: {}", kept, e.detail);
        let rank: u32 = d.meta["licence_rank"].parse().expect("licence rank");
        assert!(rank < 100, "{}: licence rank {rank}", d.id);
    }
    assert_eq!(reasons.len(), 2, "exact and near duplicates: {reasons:?}");

    // Killed in the middle of the bucket phase: task 0 finished, task 1 wrote its edges but
    // not its marker, task 2 not started.
    let run = tmp.path().join("killed");
    let killed = zeef(&three, &run, Some("edges:2"));
    assert_eq!(killed.status.signal(), Some(9), "{killed:?}");
    let dir = run.join("tasks/03-near_dedup-buckets");
    assert!(dir.join("t00000.done").is_file());
    assert!(dir.join("edges-t00001.bin").is_file());
    assert!(!dir.join("t00001.done").exists());
    assert!(!dir.join("edges-t00002.bin").exists());
    assert!(!run.join("tasks/04-near_dedup-cluster").exists());
    let resumed = ok(zeef(&three, &run, None));
    assert!(String::from_utf8_lossy(&resumed.stderr).contains("resuming the run"));
    assert_eq!(result_files(&run), b, "the resumed run differs");
    // A lost edge file stops the cluster task with its name, rather than deciding without it.
    let broken = tmp.path().join("broken");
    let killed = zeef(&three, &broken, Some("phase:4"));
    assert_eq!(killed.status.signal(), Some(9), "{killed:?}");
    let lost = broken.join("tasks/03-near_dedup-buckets/edges-t00001.bin");
    std::fs::remove_file(&lost).expect("remove an edge file");
    let failed = zeef(&three, &broken, None);
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("edges-t00001.bin"), "{stderr}");
    assert!(!broken.join("run.json").exists());
}

#[test]
fn skipped_warc_records_are_counted_once_when_a_run_is_resumed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    // Real Dutch help pages (MPL-2.0) as a WARC with requests, metadata and warcinfo between
    // the responses; batches of one document, so the kill lands between skipped records.
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ingest/tests/fixtures/warc/libreoffice-help.warc.gz");
    std::fs::copy(&fixture, d.join("help.warc.gz")).expect("copy fixture");
    std::fs::write(
        d.join("sources.toml"),
        "[[source]]\nname = \"help\"\nkind = \"warc\"\npath = \"help.warc.gz\"\nlicence = \"CC0-1.0\"\n",
    )
    .expect("sources.toml");
    std::fs::write(d.join("policy.toml"), "allow = [\"CC0-1.0\"]\n").expect("policy.toml");
    let config = d.join("zeef.toml");
    std::fs::write(
        &config,
        "[run]\nbatch_size = 1\ncheckpoint_batches = 1\n[[stage]]\ntype = \"licence\"\n",
    )
    .expect("zeef.toml");
    let whole = d.join("whole");
    ok(zeef(&config, &whole, None));
    let expected = summary(&whole).totals.records_skipped;
    assert_eq!(expected.values().sum::<u64>(), 7, "{expected:?}");

    let cut = d.join("cut");
    let killed = zeef(&config, &cut, Some("chunk:3"));
    assert_eq!(killed.status.signal(), Some(9), "the fault did not fire");
    ok(zeef(&config, &cut, None));
    assert_eq!(summary(&cut).totals.records_skipped, expected);
    assert_eq!(summary(&cut).sources["help"].records_skipped, expected);
}
