//! The demo pipeline submitted to a real Slurm cluster as array jobs gives the same bytes as the
//! local run with the same number of tasks.
//!
//! Needs a running Slurm (`scripts/slurm-local.sh` starts a single-node one). Without one the
//! test prints why and passes, unless `ZEEF_REQUIRE_SLURM=1` (set by CI), where it fails.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;
use common::{ok, zeef};

/// Why Slurm cannot be used here, if it cannot.
fn slurm_missing() -> Option<String> {
    let sinfo = match Command::new("sinfo").args(["-h", "-o", "%T"]).output() {
        Ok(o) => o,
        Err(e) => return Some(format!("cannot run sinfo: {e}")),
    };
    if !sinfo.status.success() {
        return Some(format!(
            "sinfo failed: {}",
            String::from_utf8_lossy(&sinfo.stderr).trim()
        ));
    }
    let states = String::from_utf8_lossy(&sinfo.stdout).to_string();
    if !states
        .lines()
        .any(|s| ["idle", "mixed", "allocated"].contains(&s.trim()))
    {
        return Some(format!("no usable Slurm node (states: {})", states.trim()));
    }
    None
}

fn demo_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/zeef.toml")
}

fn files(run: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for sub in ["output", "excluded"] {
        for entry in std::fs::read_dir(run.join(sub)).expect("shard folder") {
            let p = entry.expect("entry").path();
            let name = p.file_name().expect("name").to_string_lossy().to_string();
            out.insert(format!("{sub}/{name}"), std::fs::read(&p).expect("read"));
        }
    }
    out.insert(
        "run.json".into(),
        std::fs::read(run.join("run.json")).expect("run.json"),
    );
    out
}

fn logs(run: &Path) -> String {
    let mut text = String::new();
    if let Ok(entries) = std::fs::read_dir(run.join("slurm/logs")) {
        for e in entries.flatten() {
            let body = std::fs::read_to_string(e.path()).unwrap_or_default();
            if !body.trim().is_empty() {
                text.push_str(&format!("== {}\n{body}\n", e.path().display()));
            }
        }
    }
    text
}

#[test]
fn demo_on_slurm_with_four_tasks_matches_the_local_run() {
    if let Some(why) = slurm_missing() {
        if std::env::var("ZEEF_REQUIRE_SLURM").as_deref() == Ok("1") {
            panic!("ZEEF_REQUIRE_SLURM=1 but Slurm is not usable: {why}");
        }
        eprintln!("skipping the Slurm test: {why} (scripts/slurm-local.sh starts one)");
        return;
    }
    // Slurm jobs run on the node as their own processes: the run folder must be a real path.
    let tmp = tempfile::tempdir().expect("tempdir");
    let local = tmp.path().join("local");
    let cluster = tmp.path().join("slurm");
    ok(zeef()
        .args(["run", "--tasks", "4", "--config"])
        .arg(demo_config())
        .arg("--out")
        .arg(&local)
        .output()
        .expect("local run"));

    // A dry run writes the chained scripts and submits nothing.
    let dry = ok(zeef()
        .args([
            "slurm",
            "submit",
            "--tasks",
            "4",
            "--dry-run",
            "--time",
            "00:10:00",
            "--mem",
            "1G",
            "--cluster-mem",
            "3G",
            "--report-mem",
            "5G",
        ])
        .arg("--config")
        .arg(demo_config())
        .arg("--out")
        .arg(&cluster)
        .output()
        .expect("dry run"));
    assert!(String::from_utf8_lossy(&dry.stdout).contains("nothing submitted"));
    let ingest = std::fs::read_to_string(cluster.join("slurm/00-ingest.sbatch")).expect("script");
    assert!(ingest.contains("#SBATCH --array=0-3"), "{ingest}");
    assert!(ingest.contains("#SBATCH --time=00:10:00"), "{ingest}");
    assert!(ingest.contains("#SBATCH --mem=1G"), "{ingest}");
    // The near-dedup bucket phase is an array job of its own (as many tasks as the run, within
    // the 14 bands), with the memory of the phases that hold every signature.
    let buckets = std::fs::read_to_string(cluster.join("slurm/03-near_dedup-buckets.sbatch"))
        .expect("script");
    assert!(buckets.contains("#SBATCH --array=0-3"), "{buckets}");
    assert!(buckets.contains("#SBATCH --mem=3G"), "{buckets}");
    assert!(
        buckets.contains("--phase '03-near_dedup-buckets'"),
        "{buckets}"
    );
    let near = std::fs::read_to_string(cluster.join("slurm/04-near_dedup-cluster.sbatch"))
        .expect("script");
    assert!(near.contains("#SBATCH --mem=3G"), "{near}");
    assert!(near.contains("#SBATCH --array=0-0"), "{near}");
    let report = std::fs::read_to_string(cluster.join("slurm/06-report.sbatch")).expect("script");
    assert!(report.contains("#SBATCH --array=0-0"), "{report}");
    assert!(report.contains("#SBATCH --mem=5G"), "{report}");
    assert!(!cluster.join("run.json").exists());

    let submitted = ok(zeef()
        .args(["slurm", "submit", "--tasks", "4"])
        .arg("--config")
        .arg(demo_config())
        .arg("--out")
        .arg(&cluster)
        .output()
        .expect("submit"));
    let stdout = String::from_utf8_lossy(&submitted.stdout).to_string();
    assert_eq!(stdout.matches(" job ").count(), 7, "{stdout}");

    let started = Instant::now();
    let status = loop {
        let s = ok(zeef()
            .args(["slurm", "status"])
            .arg(&cluster)
            .output()
            .expect("status"));
        let text = String::from_utf8_lossy(&s.stdout).to_string();
        if text.contains("7/7 phases done") {
            break text;
        }
        let queue = Command::new("squeue")
            .args(["-h", "-n"])
            .arg(
                [
                    "zeef-00-ingest",
                    "zeef-01-exact_dedup-cluster",
                    "zeef-02-exact_dedup-apply",
                    "zeef-03-near_dedup-buckets",
                    "zeef-04-near_dedup-cluster",
                    "zeef-05-near_dedup-apply",
                    "zeef-06-report",
                ]
                .join(","),
            )
            .output()
            .expect("squeue");
        let queued = String::from_utf8_lossy(&queue.stdout).trim().to_string();
        assert!(
            !queued.is_empty() || started.elapsed() < Duration::from_secs(5),
            "the jobs left the queue before the run finished:\n{text}\n{}",
            logs(&cluster)
        );
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the Slurm run did not finish in 5 minutes:\n{text}\nqueue:\n{queued}\n{}",
            logs(&cluster)
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    assert!(status.contains("00-ingest"), "{status}");
    assert!(status.contains("4/4"), "{status}");
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("03-near_dedup-buckets")
                && l.contains("4/4")
                && l.contains("done")),
        "{status}"
    );

    let (a, b) = (files(&local), files(&cluster));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "different shard files"
    );
    for (name, bytes) in &a {
        assert!(
            b[name] == *bytes,
            "{name} differs between the local and the Slurm run"
        );
    }
    let text = String::from_utf8_lossy(&a["run.json"]).to_string();
    assert!(text.contains("\"documents_read\": 244"), "{text}");
}
