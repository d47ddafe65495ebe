//! Sharded deduplication phases (`zeef_dedup::sharded`) on the demo corpus (real Dutch text,
//! `data/demo/`), with extra copies across sources: the result must be the in-memory stages'
//! result, whatever the number of shards, bucket tasks and threads.

use flate2::read::GzDecoder;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeef_core::{apply_batch, Document, GlobalStage, Reason};
use zeef_dedup::sharded::{exact_removals, near_edges, near_removals, ExactHashes};
use zeef_dedup::{
    DuplicateKind, ExactDedup, ExactDedupConfig, KeepRule, LicenceRank, NearDedup, NearDedupConfig,
    NearDedupPreset, RemovalList, META_DUPLICATE_OF, META_LICENCE_RANK,
};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/demo")
}

fn rank() -> LicenceRank {
    Arc::new(|l: Option<&str>| match l {
        Some("LicenseRef-PublicDomain") => 0,
        Some("LicenseRef-NL-Auteurswet-Art11") => 1,
        Some("CC-BY-SA-4.0") => 2,
        _ => 3,
    })
}

fn read_source(source: &str, licence: &str, priority: i32) -> Vec<Document> {
    let path = demo().join(source).join(format!("{source}.jsonl.gz"));
    let file = std::fs::File::open(&path).expect("demo file");
    let mut docs = Vec::new();
    for line in BufReader::new(GzDecoder::new(file)).lines() {
        let line = line.expect("gzip");
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let mut d = Document::new(
            source,
            v["id"].as_str().expect("id"),
            v["text"].as_str().expect("text"),
        );
        d.license = Some(licence.into());
        d.priority = priority;
        docs.push(d);
    }
    docs
}

fn copy(of: &Document, source: &str, licence: &str, priority: i32, text: String) -> Document {
    let mut d = Document::new(source, format!("copy-of-{}", of.locator), text);
    d.license = Some(licence.into());
    d.priority = priority;
    d
}

/// The demo's Dutch sources and archive (with its planted duplicates), plus copies of laws
/// in two mirror sources of the same priority: one exact copy under a stronger licence, one
/// exact copy under a weaker one, and one edited copy under the same licence.
fn corpus() -> Vec<Document> {
    let mut docs = read_source("laws", "LicenseRef-NL-Auteurswet-Art11", 10);
    docs.extend(read_source(
        "rechtspraak",
        "LicenseRef-NL-Auteurswet-Art11",
        9,
    ));
    for (source, licence, priority) in [
        ("gutenberg", "LicenseRef-PublicDomain", 5),
        ("alpino", "CC-BY-SA-4.0", 4),
        ("lassysmall", "CC-BY-NC-SA-4.0", 4),
        ("archive", "LicenseRef-Agreement-Archief-Uitgeverij", 1),
    ] {
        docs.extend(read_source(source, licence, priority));
    }
    let laws: Vec<Document> = docs
        .iter()
        .filter(|d| d.source == "laws" && d.text.split_whitespace().count() > 200)
        .take(6)
        .cloned()
        .collect();
    for (i, law) in laws.iter().enumerate() {
        let text = law.text.clone();
        if i % 2 == 0 {
            docs.push(copy(
                law,
                "mirror_pd",
                "LicenseRef-PublicDomain",
                10,
                text.clone(),
            ));
        }
        docs.push(copy(law, "mirror_x", "LicenseRef-Other", 10, text.clone()));
        let edited = text
            .replacen(" de ", " een ", 2)
            .replacen(" het ", " dat ", 1);
        docs.push(copy(
            law,
            "mirror_edit",
            "LicenseRef-NL-Auteurswet-Art11",
            10,
            edited,
        ));
    }
    docs
}

/// The in-memory stages, exact then near, over everything.
fn in_memory(docs: &[Document], config: &NearDedupConfig) -> Vec<Document> {
    let mut out = docs.to_vec();
    let mut exact = ExactDedup::new("exact_dedup", ExactDedupConfig {}, rank());
    exact.observe(&out).expect("observe");
    exact.finish().expect("finish");
    apply_batch(&exact, &mut out);
    let mut near = NearDedup::new("near_dedup", config.clone(), rank());
    near.observe(&out).expect("observe");
    near.finish().expect("finish");
    apply_batch(&near, &mut out);
    out
}

/// The sharded phases as an array job runs them: `shards` input shards, `tasks` bucket tasks,
/// every state through files in `dir`. Shard *i* holds every `shards`-th document.
fn sharded(
    docs: &[Document],
    config: &NearDedupConfig,
    shards: usize,
    tasks: usize,
    dir: &Path,
) -> Vec<Document> {
    let shard_of =
        |i: usize| -> Vec<Document> { docs.iter().skip(i).step_by(shards).cloned().collect() };
    let path = |name: String| dir.join(name);
    // Exact: hashes per shard, then one removal list. Files are listed in reverse to show
    // the order does not matter.
    let mut hash_files = Vec::new();
    for i in 0..shards {
        let mut hashes = ExactHashes::new(rank());
        for batch in shard_of(i).chunks(7) {
            hashes.observe(batch);
        }
        let p = path(format!("exact-{i}.zxh"));
        hashes.save(&p).expect("save hashes");
        hash_files.insert(0, p);
    }
    exact_removals("exact_dedup", &hash_files)
        .expect("exact removals")
        .save(&path("exact.zrl".into()))
        .expect("save");
    let exact = RemovalList::load(&path("exact.zrl".into())).expect("load");
    // Near: signatures per shard of what exact dedup kept, edges per band range, clusters.
    let mut sig_files = Vec::new();
    for i in 0..shards {
        let mut shard = shard_of(i);
        shard.iter_mut().for_each(|d| exact.apply(d));
        let mut near = NearDedup::new("near_dedup", config.clone(), rank());
        for batch in shard.chunks(5) {
            near.observe(batch).expect("observe");
        }
        let p = path(format!("near-{i}.zmh"));
        near.save_signatures(&p).expect("save signatures");
        sig_files.insert(0, p);
    }
    let mut edge_files = Vec::new();
    for t in 0..tasks {
        let p = path(format!("edges-{t}.zme"));
        near_edges("near_dedup", config, &sig_files, t, tasks, &p).expect("edges");
        edge_files.push(p);
    }
    let (list, stats) =
        near_removals("near_dedup", config, &sig_files, &edge_files).expect("near removals");
    assert_eq!(stats.duplicates as usize, list.len());
    list.save(&path("near.zrl".into())).expect("save");
    let near = RemovalList::load(&path("near.zrl".into())).expect("load");
    // Apply per shard, then put the documents back in input order.
    let mut out: Vec<Option<Document>> = vec![None; docs.len()];
    for i in 0..shards {
        for (k, mut d) in shard_of(i).into_iter().enumerate() {
            exact.apply(&mut d);
            near.apply(&mut d);
            out[i + k * shards] = Some(d);
        }
    }
    out.into_iter().map(|d| d.expect("every slot")).collect()
}

fn pool(n: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .expect("pool")
}

#[test]
fn sharded_phases_match_the_in_memory_stages_for_any_shards_tasks_and_threads() {
    let docs = corpus();
    for config in [
        NearDedupConfig::default(),
        NearDedupPreset::HighRecall.config(),
    ] {
        let whole = in_memory(&docs, &config);
        assert!(whole
            .iter()
            .any(|d| d.exclusion().map(|e| e.reason) == Some(Reason::NearDuplicate)));
        for (shards, tasks, threads) in [(1, 1, 1), (4, 1, 2), (4, 3, 1), (2, 14, 2), (3, 20, 2)] {
            let dir = tempfile::tempdir().expect("tempdir");
            let out = pool(threads).install(|| sharded(&docs, &config, shards, tasks, dir.path()));
            assert_eq!(
                out, whole,
                "{shards} shards, {tasks} tasks, {threads} threads, {config:?}"
            );
        }
    }
}

#[test]
fn conservation_and_the_keep_rule() {
    let docs = corpus();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = sharded(&docs, &NearDedupConfig::default(), 4, 3, dir.path());
    // Every document comes out once, kept or excluded with a duplicate reason.
    assert_eq!(out.len(), docs.len());
    let kept: Vec<&Document> = out.iter().filter(|d| d.is_kept()).collect();
    let excluded: Vec<&Document> = out.iter().filter(|d| !d.is_kept()).collect();
    assert_eq!(kept.len() + excluded.len(), docs.len());
    for (a, b) in docs.iter().zip(&out) {
        assert_eq!((&a.id, &a.text), (&b.id, &b.text));
    }
    // Every removed document names a kept one.
    let exact = RemovalList::load(&dir.path().join("exact.zrl")).expect("load");
    let near = RemovalList::load(&dir.path().join("near.zrl")).expect("load");
    for d in &excluded {
        let r = exact
            .get(&d.id)
            .or_else(|| near.get(&d.id))
            .expect("listed");
        let of = out.iter().find(|k| k.id == r.duplicate_of).expect("exists");
        assert!(
            of.is_kept(),
            "{} duplicates {}, which is not kept",
            d.id,
            of.id
        );
    }
    // Exact copies of a law in two mirrors of the same priority: the public-domain copy wins
    // by licence, over the law itself and over the weaker mirror.
    let by_loc = |source: &str, loc: &str| {
        out.iter()
            .find(|d| d.source == source && d.locator == loc)
            .expect("document")
    };
    let mut checked = 0;
    for pd in out.iter().filter(|d| d.source == "mirror_pd") {
        assert!(pd.is_kept());
        let law_loc = pd.locator.trim_start_matches("copy-of-");
        let law = by_loc("laws", law_loc);
        let weak = by_loc("mirror_x", &pd.locator);
        for loser in [law, weak] {
            let r = exact.get(&loser.id).expect("exact duplicate");
            assert_eq!(r.duplicate_of, pd.id);
            assert_eq!(r.kind, DuplicateKind::Exact);
            assert_eq!(r.rule, KeepRule::StrongerLicence);
            // The kept id and the loser's own licence rank are in its meta, for withdrawals.
            assert_eq!(loser.meta.get(META_DUPLICATE_OF), Some(&pd.id));
            let own_rank = if loser.source == "laws" { "1" } else { "3" };
            assert_eq!(
                loser.meta.get(META_LICENCE_RANK).map(String::as_str),
                Some(own_rank)
            );
            assert_eq!(
                loser.exclusion().map(|e| e.detail.clone()),
                Some(format!("duplicate of {} (kept by stronger licence)", pd.id))
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 3);
    // Without a public-domain mirror the law (stronger licence) beats the weak mirror, and
    // the edited copy (same priority and licence as the law) loses by id or wins by it.
    for law in out.iter().filter(|d| d.source == "laws") {
        let loc = format!("copy-of-{}", law.locator);
        if out
            .iter()
            .any(|d| d.source == "mirror_pd" && d.locator == loc)
        {
            continue;
        }
        let Some(weak) = out
            .iter()
            .find(|d| d.source == "mirror_x" && d.locator == loc)
        else {
            continue;
        };
        assert!(law.is_kept());
        assert_eq!(
            exact.get(&weak.id).map(|r| r.rule),
            Some(KeepRule::StrongerLicence)
        );
        let edit = by_loc("mirror_edit", &loc);
        let (winner, loser) = if law.id < edit.id {
            (law, edit)
        } else {
            (edit, law)
        };
        let r = near.get(&loser.id).expect("near duplicate");
        assert_eq!(
            (r.duplicate_of.as_str(), r.rule),
            (winner.id.as_str(), KeepRule::LowerId)
        );
        assert_eq!(r.kind, DuplicateKind::Near);
        assert_eq!(
            loser.signal("near_dup_cluster_size"),
            Some(f64::from(r.cluster_size))
        );
        checked += 1;
    }
    assert_eq!(checked, 6);
    // Archive copies lose to their originals' higher source priority.
    assert!(excluded.iter().any(|d| d.source == "archive"
        && near.get(&d.id).map(|r| r.rule) == Some(KeepRule::HigherPriority)));
}

#[test]
fn state_files_from_other_settings_or_damaged_are_refused() {
    let docs = corpus();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = NearDedupConfig::default();
    sharded(&docs, &config, 2, 2, dir.path());
    let p = |n: &str| dir.path().join(n);
    let sigs = vec![p("near-0.zmh"), p("near-1.zmh")];
    let edges = vec![p("edges-0.zme"), p("edges-1.zme")];
    assert!(near_removals("near_dedup", &config, &sigs, &edges).is_ok());
    // A missing or repeated bucket task.
    let err = near_removals("near_dedup", &config, &sigs, &edges[..1]).expect_err("missing");
    assert!(err.to_string().contains("task 1 of 2 is missing"), "{err}");
    let twice = vec![edges[0].clone(), edges[0].clone()];
    let err = near_removals("near_dedup", &config, &sigs, &twice).expect_err("twice");
    assert!(err.to_string().contains("given twice"), "{err}");
    // Edges of other documents (one signature file left out).
    let err = near_removals("near_dedup", &config, &sigs[..1], &edges).expect_err("other docs");
    assert!(err.to_string().contains("not the"), "{err}");
    // Edges verified with another threshold.
    let strict = NearDedupConfig {
        min_jaccard: 0.5,
        ..config.clone()
    };
    let err = near_removals("near_dedup", &strict, &sigs, &edges).expect_err("other config");
    assert!(err.to_string().contains("min_jaccard is 0"), "{err}");
    assert!(near_edges("near_dedup", &config, &sigs, 2, 2, &p("x.zme")).is_err());
    // Damaged files of every kind.
    for name in ["exact-0.zxh", "edges-1.zme", "near.zrl"] {
        let mut bytes = std::fs::read(p(name)).expect("read");
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x40;
        std::fs::write(p(name), &bytes).expect("write");
    }
    let err = exact_removals("exact_dedup", &[p("exact-0.zxh")]).expect_err("damaged");
    assert!(err.to_string().contains("exact-0.zxh"), "{err}");
    assert!(near_removals("near_dedup", &config, &sigs, &edges).is_err());
    let err = RemovalList::load(&p("near.zrl")).expect_err("damaged");
    assert!(
        err.to_string().contains("checksum") || err.to_string().contains("UTF-8"),
        "{err}"
    );
    let err = RemovalList::load(&p("near-0.zmh")).expect_err("not a removal list");
    assert!(err.to_string().contains("bad magic"), "{err}");
}
