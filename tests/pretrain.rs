//! The pretraining commands on the bundled real Dutch demo corpus: tokenizer, token shards,
//! the documented Python reader, training, resuming, and an ablation.
#![cfg(feature = "pretrain")]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use zeef_core::read_all;
use zeef_pretrain::format::{read_index, ShardFile};
use zeef_pretrain::tokenize::{decode, encode, load_tokenizer, TokensSummary};

mod common;
use common::{ok, zeef};

/// A demo run, tokenized with a small vocabulary and a tenth of the documents held out;
/// made once per test binary.
fn demo_run() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pretrain-demo");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).expect("clear the old demo run");
        }
        ok(zeef()
            .args(["demo", "--out"])
            .arg(&dir)
            .output()
            .expect("run zeef"));
        ok(zeef()
            .arg("tokenize")
            .arg(&dir)
            .args(["--vocab-size", "1024", "--val-fraction", "0.1"])
            .output()
            .expect("run zeef"));
        dir
    })
}

fn tokens_summary(dir: &Path) -> TokensSummary {
    serde_json::from_slice(&std::fs::read(dir.join("tokens.json")).expect("tokens.json"))
        .expect("parse tokens.json")
}

fn manifest(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("manifest.jsonl"))
        .expect("manifest")
        .lines()
        .map(|l| serde_json::from_str(l).expect("manifest line"))
        .collect()
}

#[test]
fn token_shards_account_for_every_kept_document() {
    let run = demo_run();
    let tokens = run.join("tokens");
    let s = tokens_summary(&tokens);
    let kept = read_all(&run.join("output")).expect("output");
    let lines = manifest(&tokens);

    // Every kept document is in the manifest once, in one split, with its provenance.
    assert_eq!(lines.len(), kept.len());
    assert_eq!(s.documents["train"] + s.documents["val"], kept.len() as u64);
    assert!(s.documents["val"] >= 1 && s.documents["train"] > s.documents["val"]);
    assert_eq!(s.vocab_size, 1024);
    assert_eq!(s.token_width, "uint16");
    let by_id: HashMap<&str, &zeef_core::Document> =
        kept.iter().map(|d| (d.id.as_str(), d)).collect();
    let mut holders: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut shards: HashMap<String, (Vec<u32>, Vec<u64>)> = HashMap::new();
    for l in &lines {
        let id = l["id"].as_str().expect("id");
        let d = by_id[id];
        assert_eq!(l["source"].as_str(), Some(d.source.as_str()));
        assert_eq!(l["rights_holder"].as_str(), d.rights_holder.as_deref());
        assert_eq!(l["agreement_id"].as_str(), d.agreement_id.as_deref());
        let shard = l["shard"].as_str().expect("shard");
        let split = l["split"].as_str().expect("split");
        assert!(shard.starts_with(&format!("{split}_")));
        let (toks, idx) = shards.entry(shard.to_string()).or_insert_with(|| {
            let p = tokens.join(shard);
            let f = ShardFile::open(&p).expect("open shard");
            (
                f.read_all().expect("read shard"),
                read_index(&p).expect("index"),
            )
        });
        let (start, end) = (
            l["start"].as_u64().expect("start"),
            l["end"].as_u64().expect("end"),
        );
        // The manifest's range is one of the index's documents, and starts with end-of-text.
        let pos = idx
            .iter()
            .position(|&o| o == start)
            .expect("range in index");
        assert_eq!(idx[pos + 1], end);
        assert_eq!(toks[start as usize], s.eot_id);
        let h = holders
            .entry(d.rights_holder.clone().unwrap_or("(unknown)".into()))
            .or_default();
        if split == "val" {
            h.1 += end - start;
        } else {
            h.0 += end - start;
        }
    }
    // Token counts per rights holder add up to the shards.
    let rh: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&std::fs::read(tokens.join("rights_holders.json")).expect("rh"))
            .expect("parse rights_holders.json");
    assert_eq!(rh.len(), holders.len());
    for (name, (train, val)) in &holders {
        assert_eq!(rh[name]["train_tokens"].as_u64(), Some(*train), "{name}");
        assert_eq!(rh[name]["val_tokens"].as_u64(), Some(*val), "{name}");
    }
    let total: u64 = shards.values().map(|(t, _)| t.len() as u64).sum();
    assert_eq!(total, s.tokens["train"] + s.tokens["val"]);
}

#[test]
fn tokenizing_twice_gives_the_same_bytes_whatever_the_threads() {
    let run = demo_run();
    let again = run.join("tokens-again");
    if again.exists() {
        std::fs::remove_dir_all(&again).expect("clear");
    }
    ok(zeef()
        .arg("tokenize")
        .arg(run)
        .args(["--vocab-size", "1024", "--val-fraction", "0.1", "--out"])
        .arg(&again)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .expect("run zeef"));
    let files = |d: &Path| -> BTreeSet<String> {
        std::fs::read_dir(d)
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect()
    };
    let names = files(&run.join("tokens"));
    assert_eq!(names, files(&again));
    for n in names {
        assert!(
            std::fs::read(run.join("tokens").join(&n)).expect("a")
                == std::fs::read(again.join(&n)).expect("b"),
            "{n} differs"
        );
    }
    // An existing tokens folder is not overwritten without --force.
    let out = zeef()
        .arg("tokenize")
        .arg(run)
        .args(["--out"])
        .arg(&again)
        .output()
        .expect("run zeef");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exists already"));
}

#[test]
fn tokenizer_round_trips_the_demo_dutch_text() {
    let run = demo_run();
    let tokens = run.join("tokens");
    let tok = load_tokenizer(&tokens.join("tokenizer.json")).expect("tokenizer");
    let kept = read_all(&run.join("output")).expect("output");
    let mut chars = 0;
    for d in &kept {
        let ids = encode(&tok, &d.text).expect("encode");
        assert_eq!(decode(&tok, &ids).expect("decode"), d.text, "{}", d.id);
        chars += d.text.chars().count();
    }
    assert!(chars > 10_000, "too little text to test: {chars}");
    assert!(
        kept.iter().any(|d| d.text.contains(['ë', 'é', 'ï', '€'])),
        "the demo text has no non-ASCII Dutch"
    );
    // The shard holds exactly the encoded text: decoding a manifest range gives the document.
    let line = &manifest(&tokens)[0];
    let shard = ShardFile::open(&tokens.join(line["shard"].as_str().expect("shard")))
        .expect("shard")
        .read_all()
        .expect("read");
    let (a, b) = (
        line["start"].as_u64().expect("start") as usize,
        line["end"].as_u64().expect("end") as usize,
    );
    let doc = kept
        .iter()
        .find(|d| Some(d.id.as_str()) == line["id"].as_str())
        .expect("doc");
    assert_eq!(decode(&tok, &shard[a + 1..b]).expect("decode"), doc.text);
}

#[test]
fn the_documented_python_reader_reads_the_shards() {
    let run = demo_run();
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/token-format.md"))
            .expect("docs/token-format.md");
    let code = doc
        .split("```python\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a python block in docs/token-format.md");
    let script = run.join("reader.py");
    std::fs::write(&script, code).expect("write reader");
    let shard = run.join("tokens/train_000000.bin");
    let out = ok(Command::new("python3")
        .arg(&script)
        .arg(&shard)
        .output()
        .expect("python3 is needed for this test"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("reader output");

    let toks = ShardFile::open(&shard)
        .expect("shard")
        .read_all()
        .expect("read");
    let idx = read_index(&shard).expect("index");
    let eot = tokens_summary(&run.join("tokens")).eot_id;
    assert_eq!(v["tokens"].as_u64(), Some(toks.len() as u64));
    assert_eq!(v["documents"].as_u64(), Some(idx.len() as u64 - 1));
    assert_eq!(v["first_tokens"], serde_json::json!([eot]));
    let lengths: Vec<u64> = idx.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(v["lengths"], serde_json::json!(lengths));
    let mut sum: u128 = 0;
    for w in idx.windows(2) {
        for (i, &t) in toks[w[0] as usize..w[1] as usize].iter().enumerate() {
            sum += (i as u128 + 1) * t as u128;
        }
    }
    assert_eq!(v["checksum"].as_u64(), Some((sum % (1u128 << 61)) as u64));
}

#[test]
fn megatron_export_reads_back_through_an_independent_python_reader() {
    let run = demo_run();
    let out = run.join("export-megatron");
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("clear");
    }
    ok(zeef()
        .arg("export")
        .arg(run)
        .args(["--format", "megatron", "--out"])
        .arg(&out)
        .output()
        .expect("run zeef"));
    let tokens = run.join("tokens");
    let s = tokens_summary(&tokens);
    let prefixes: Vec<PathBuf> = s
        .shards
        .iter()
        .map(|sh| out.join(sh.name.trim_end_matches(".bin")))
        .collect();
    let reader = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/read_megatron.py");
    let py = ok(Command::new("python3")
        .arg(&reader)
        .args(&prefixes)
        .output()
        .expect("python3 is needed for this test"));
    let read: Vec<serde_json::Value> = String::from_utf8_lossy(&py.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("reader output"))
        .collect();
    assert_eq!(read.len(), s.shards.len());
    let mut by_shard: HashMap<String, Vec<Vec<u32>>> = HashMap::new();
    for (sh, v) in s.shards.iter().zip(&read) {
        // Every document of the llm.c shard, token for token, in order.
        let p = tokens.join(&sh.name);
        let toks = ShardFile::open(&p)
            .expect("shard")
            .read_all()
            .expect("read");
        let idx = read_index(&p).expect("index");
        let expected: Vec<Vec<u32>> = idx
            .windows(2)
            .map(|w| toks[w[0] as usize..w[1] as usize].to_vec())
            .collect();
        let docs: Vec<Vec<u32>> = serde_json::from_value(v["tokens"].clone()).expect("tokens");
        assert_eq!(v["dtype"], "uint16", "{}", sh.name);
        assert_eq!(v["sequences"].as_u64(), Some(sh.documents));
        assert_eq!(docs.len() as u64, sh.documents, "{}", sh.name);
        assert!(docs == expected, "{}: documents differ", sh.name);
        // The .bin is the llm.c shard without its header.
        let bin = std::fs::read(out.join(format!("{}.bin", sh.name.trim_end_matches(".bin"))))
            .expect("bin");
        assert_eq!(bin.len() as u64, sh.tokens * 2);
        by_shard.insert(sh.name.clone(), docs);
    }
    // A manifest line points at its document in the export: `doc` is the sequence number,
    // `start..end` the same token range.
    let lines = manifest(&tokens);
    assert_eq!(
        lines.len() as u64,
        s.shards.iter().map(|sh| sh.documents).sum::<u64>()
    );
    for l in &lines {
        let docs = &by_shard[l["shard"].as_str().expect("shard")];
        let doc = &docs[l["doc"].as_u64().expect("doc") as usize];
        assert_eq!(doc.len() as u64, l["tokens"].as_u64().expect("tokens"));
        assert_eq!(doc[0], s.eot_id);
        let offset: usize = docs[..l["doc"].as_u64().expect("doc") as usize]
            .iter()
            .map(Vec::len)
            .sum();
        assert_eq!(offset as u64, l["start"].as_u64().expect("start"));
    }
    let export: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("export.json")).expect("export.json"))
            .expect("parse export.json");
    assert_eq!(export["dtype"], "uint16");

    // A second export does not overwrite the first without --force.
    let again = zeef()
        .arg("export")
        .arg(run)
        .args(["--format", "megatron", "--out"])
        .arg(&out)
        .output()
        .expect("run zeef");
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
}

#[test]
fn llmc_export_holds_the_shards_index_and_manifest_unchanged() {
    let run = demo_run();
    let out = run.join("export-llmc");
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("clear");
    }
    ok(zeef()
        .arg("export")
        .arg(run)
        .args(["--format", "llmc", "--out"])
        .arg(&out)
        .output()
        .expect("run zeef"));
    let tokens = run.join("tokens");
    let s = tokens_summary(&tokens);
    let mut names: Vec<String> = s.shards.iter().map(|sh| sh.name.clone()).collect();
    names.extend(s.shards.iter().map(|sh| sh.name.replace(".bin", ".idx")));
    names.extend(["manifest.jsonl", "tokenizer.json", "tokens.json"].map(String::from));
    for n in &names {
        assert!(
            std::fs::read(tokens.join(n)).expect("source")
                == std::fs::read(out.join(n)).expect("export"),
            "{n} differs"
        );
    }
    assert_eq!(std::fs::read_dir(&out).expect("dir").count(), names.len());
}

#[test]
fn hf_export_has_every_document_with_its_id_and_tokens() {
    use arrow_array::{Array, Int32Array, ListArray, StringArray};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let run = demo_run();
    let out = run.join("export-hf");
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("clear");
    }
    ok(zeef()
        .arg("export")
        .arg(run)
        .args(["--format", "hf", "--out"])
        .arg(&out)
        .output()
        .expect("run zeef"));
    let tokens = run.join("tokens");
    let lines = manifest(&tokens);
    let mut rows = 0;
    for sh in tokens_summary(&tokens).shards {
        let p = tokens.join(&sh.name);
        let toks = ShardFile::open(&p)
            .expect("shard")
            .read_all()
            .expect("read");
        let idx = read_index(&p).expect("index");
        let file =
            std::fs::File::open(out.join(sh.name.replace(".bin", ".parquet"))).expect("parquet");
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .expect("reader")
            .build()
            .expect("build");
        let mut doc = 0usize;
        for batch in reader {
            let b = batch.expect("batch");
            let ids = b
                .column(0)
                .as_any()
                .downcast_ref::<StringArray>()
                .expect("id");
            let lists = b
                .column(2)
                .as_any()
                .downcast_ref::<ListArray>()
                .expect("input_ids");
            for r in 0..b.num_rows() {
                let line = lines
                    .iter()
                    .find(|l| l["shard"] == sh.name.as_str() && l["doc"] == doc as u64)
                    .expect("manifest line");
                assert_eq!(Some(ids.value(r)), line["id"].as_str());
                let v = lists.value(r);
                let v = v.as_any().downcast_ref::<Int32Array>().expect("int32");
                let got: Vec<u32> = v.values().iter().map(|&t| t as u32).collect();
                assert_eq!(got, toks[idx[doc] as usize..idx[doc + 1] as usize]);
                doc += 1;
            }
        }
        assert_eq!(doc as u64, sh.documents);
        rows += doc;
    }
    assert_eq!(rows, lines.len());
}

fn loss_log(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("loss.jsonl"))
        .expect("loss.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).expect("log line"))
        .collect()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).expect("read json")).expect("parse json")
}

const STEPS: &str = "300";

/// The tiny model with a short context and a high learning rate: past the unigram plateau
/// within a few hundred steps on the demo text.
fn train(run: &Path, out: &Path, extra: &[&str]) -> Output {
    let config = run.join("train-tiny.toml");
    std::fs::write(
        &config,
        "block_size = 32\nbatch_size = 16\nlearning_rate = 0.01\nmin_lr = 0.001\nwarmup_steps = 10\n",
    )
    .expect("write the training settings");
    ok(zeef()
        .arg("train")
        .arg(run)
        .args(["--size", "tiny", "--steps", STEPS, "--config"])
        .arg(&config)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run zeef"))
}

/// Entropy in nats of the token frequencies: the loss of a model that knows nothing else.
fn unigram_entropy(tokens: &[u32]) -> f64 {
    let mut counts: HashMap<u32, f64> = HashMap::new();
    for &t in tokens {
        *counts.entry(t).or_default() += 1.0;
    }
    let n = tokens.len() as f64;
    counts.values().map(|c| -(c / n) * (c / n).ln()).sum()
}

#[test]
fn a_tiny_gpt_learns_more_than_token_frequencies_and_resumes_exactly() {
    let run = demo_run();
    let full = run.join("train-full");
    let split = run.join("train-split");
    for d in [&full, &split] {
        if d.exists() {
            std::fs::remove_dir_all(d).expect("clear");
        }
    }
    train(run, &full, &[]);
    let m = json(&full.join("metrics.json"));
    let val: Vec<u32> = ShardFile::open(&run.join("tokens/val_000000.bin"))
        .expect("val shard")
        .read_all()
        .expect("read");
    let baseline = unigram_entropy(&val);
    let val_loss = m["final_val_loss"].as_f64().expect("val loss");
    assert!(
        val_loss < baseline - 0.25,
        "validation loss {val_loss:.3} is not clearly below the unigram entropy {baseline:.3}"
    );
    assert!(m["tokens_per_s"].as_f64().expect("tokens/s") > 0.0);
    assert_eq!(m["steps"].as_u64(), Some(300));
    assert!(full.join("checkpoint.safetensors").is_file());
    let log = loss_log(&full);
    let first = log[0]["loss"].as_f64().expect("loss");
    assert!(
        first > val_loss + 0.5,
        "the loss did not fall: {first} → {val_loss}"
    );

    // Stopped at step 140 and resumed: it continues from the checkpoint's step and loss,
    // and ends where the unbroken run ended.
    train(run, &split, &["--stop-at", "140"]);
    let ckpt = json(&split.join("checkpoint.json"));
    assert_eq!(ckpt["step"].as_u64(), Some(140));
    let at140 = log
        .iter()
        .find(|l| l["step"].as_u64() == Some(140) && l.get("loss").is_some())
        .expect("step 140 in the log");
    assert_eq!(ckpt["loss"], at140["loss"]);
    // Training again without --resume would overwrite the checkpoint: refused.
    let refused = zeef()
        .arg("train")
        .arg(run)
        .args(["--steps", STEPS, "--out"])
        .arg(&split)
        .output()
        .expect("run zeef");
    assert!(!refused.status.success());
    train(run, &split, &["--resume"]);
    let resumed = json(&split.join("metrics.json"));
    assert_eq!(resumed["resumed_from"].as_u64(), Some(140));
    assert_eq!(resumed["steps"].as_u64(), Some(300));
    assert_eq!(resumed["final_val_loss"], m["final_val_loss"]);
    assert_eq!(resumed["final_train_loss"], m["final_train_loss"]);
    // The training-loss lines match step for step (the split run also evaluated at its stop).
    let steps = |l: &[serde_json::Value]| -> Vec<(u64, f64)> {
        l.iter()
            .filter_map(|x| Some((x["step"].as_u64()?, x.get("loss")?.as_f64()?)))
            .collect()
    };
    assert_eq!(steps(&loss_log(&split)), steps(&log));
}

#[test]
fn withdrawal_names_the_token_shards_that_held_the_text() {
    let run = demo_run();
    let lines = manifest(&run.join("tokens"));
    let val = lines
        .iter()
        .find(|l| l["split"] == "val")
        .expect("a held-out document");
    let ids = run.join("withdraw-ids.txt");
    std::fs::write(&ids, format!("{}\n", val["id"].as_str().expect("id"))).expect("write ids");
    let out = run.with_file_name("pretrain-demo-withdrawn");
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("clear");
    }
    let o = ok(zeef()
        .arg("withdraw")
        .arg(run)
        .arg("--ids")
        .arg(&ids)
        .args(["--date", "2026-11-23", "--out"])
        .arg(&out)
        .output()
        .expect("run zeef"));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("token shards that used withdrawn text"))
        .expect("token shards named");
    assert!(line.ends_with(": val_000000.bin"), "{line}");
}

#[test]
fn ablation_compares_two_configs_on_one_held_out_set() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pretrain-ablate");
    if base.exists() {
        std::fs::remove_dir_all(&base).expect("clear");
    }
    std::fs::create_dir_all(&base).expect("mkdir");
    // B: the demo without its language filter (so it keeps the Afrikaans text), else the same.
    let a_text = std::fs::read_to_string(demo.join("zeef.toml")).expect("demo config");
    let abs = |f: &str| demo.join(f).display().to_string();
    let portable = a_text
        .replace("\"sources.toml\"", &format!("{:?}", abs("sources.toml")))
        .replace("\"policy.toml\"", &format!("{:?}", abs("policy.toml")))
        .replace("\"consent.csv\"", &format!("{:?}", abs("consent.csv")));
    let b_text = portable.replace(
        "[[stage]]\ntype = \"language\"\nallowed = [\"nl\"]\nmin_score = 0.5\n",
        "",
    );
    assert_ne!(portable, b_text);
    std::fs::write(base.join("a.toml"), &portable).expect("write a");
    std::fs::write(base.join("b.toml"), &b_text).expect("write b");
    let out = base.join("out");
    let o = ok(zeef()
        .arg("ablate")
        .arg(base.join("a.toml"))
        .arg(base.join("b.toml"))
        .args([
            "--vocab-size",
            "512",
            "--val-fraction",
            "0.1",
            "--steps",
            "40",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("run zeef"));
    let r = json(&out.join("ablation.json"));
    let (a, b) = (&r["a"], &r["b"]);
    // B keeps what the language filter removed; both models saw the same number of tokens
    // and are judged on the same held-out tokens.
    assert!(
        b["documents_kept"].as_u64() > a["documents_kept"].as_u64(),
        "{r}"
    );
    assert_eq!(r["tokens_per_model"].as_u64(), Some(40 * 8 * 64));
    assert_eq!(r["held_out_identical"], true);
    assert!(r["held_out_documents"].as_u64() >= Some(1));
    for s in [a, b] {
        let v = s["val_loss"].as_f64().expect("val loss");
        assert!(v.is_finite() && v < (512f64).ln(), "{s}");
    }
    assert!(String::from_utf8_lossy(&o.stdout).contains("B - A validation loss"));
    // The held-out documents trained neither model.
    let held: BTreeSet<String> = manifest(&out.join("a/tokens"))
        .iter()
        .filter(|l| l["split"] == "val")
        .map(|l| l["id"].as_str().expect("id").to_string())
        .collect();
    for l in manifest(&out.join("b/tokens")) {
        let id = l["id"].as_str().expect("id");
        assert_eq!(l["split"] == "val", held.contains(id), "{id}");
    }
}

#[test]
fn the_report_shows_training_tokens_per_rights_holder_and_the_loss_curves() {
    let run = demo_run();
    let out = run.join("train");
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("clear");
    }
    ok(zeef()
        .arg("train")
        .arg(run)
        .args(["--size", "tiny", "--steps", "20"])
        .output()
        .expect("run zeef"));
    ok(zeef().arg("report").arg(run).output().expect("run zeef"));
    let html = std::fs::read_to_string(run.join("report.html")).expect("report.html");
    assert!(
        html.contains(r#"class="loss-train""#),
        "no training-loss curve"
    );
    assert!(
        html.contains(r#"class="loss-val""#),
        "no validation-loss curve"
    );
    assert!(!html.contains("No training run is recorded"));
    let report = json(&run.join("report.json"));
    let training = &report["training"];
    assert_eq!(training["metrics"]["steps"].as_u64(), Some(20));
    assert!(training["train_loss"]
        .as_array()
        .is_some_and(|a| a.len() >= 2));

    // Training tokens per rights holder: the manifest's training-split tokens, held-out
    // validation documents left out.
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for line in manifest(&run.join("tokens")) {
        if line["split"] == "train" {
            let holder = line["rights_holder"]
                .as_str()
                .unwrap_or("(none)")
                .to_string();
            *expected.entry(holder).or_default() += line["tokens"].as_u64().expect("tokens");
        }
    }
    let shown: BTreeMap<String, u64> =
        serde_json::from_value(report["tokens"].clone()).expect("tokens per rights holder");
    assert!(!expected.is_empty());
    assert_eq!(
        shown.values().sum::<u64>(),
        expected.values().sum::<u64>(),
        "report {shown:?} against manifest {expected:?}"
    );
}

#[test]
fn bf16_on_cpu_stops_before_training_with_a_clear_error() {
    let run = demo_run();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pretrain-bf16-cpu");
    let o = zeef()
        .arg("train")
        .arg(run)
        .args(["--size", "tiny", "--steps", "3", "--dtype", "bf16", "--out"])
        .arg(&out)
        .output()
        .expect("run zeef");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "bf16 on CPU should be refused");
    assert!(err.contains("bf16 needs a CUDA device"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !out.join("loss.jsonl").exists(),
        "no training step should have run"
    );
}
