//! Runs a configured pipeline: sources → per-document stages → global stages → shards.
//!
//! The stage list is cut at each global stage into segments. Pass 0 reads the sources, runs the
//! first segment's per-document stages and lets the first global stage observe what is kept.
//! Pass k re-reads what pass k-1 kept (staging shards), applies global stage k, runs the next
//! segment, and lets global stage k+1 observe. The last pass writes `output/`. Excluded
//! documents go to `excluded/` in the pass that excludes them. Batches keep their order and
//! every stage decides per document or by an order-free rule, so the shards are byte-identical
//! whatever the thread count.

use crate::config::{BuildContext, BuiltStage, Project};
use crate::progress::Progress;
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeef_core::schema::{shard_schema, SchemaRef};
use zeef_core::{
    apply_batch, process_batch, Document, GlobalStage, RunSummary, ShardLimits, ShardReader,
    ShardWriter, Stage, StageCounts,
};
use zeef_ingest::{open_source, SourcesFile};
use zeef_licensing::Policy;

/// Per-document stages between two global stages.
struct Segment {
    /// The global stage that opens the segment (none for the first).
    global: Option<Box<dyn GlobalStage>>,
    stages: Vec<Box<dyn Stage>>,
}

/// What a finished run left behind.
pub struct RunOutcome {
    /// The run folder.
    pub dir: PathBuf,
    /// Its summary, as written to `run.json`.
    pub summary: RunSummary,
}

fn remove_if_exists(path: &Path) -> Result<()> {
    if path.is_dir() {
        std::fs::remove_dir_all(path)
            .with_context(|| format!("cannot remove {}", path.display()))?;
    } else if path.exists() {
        std::fs::remove_file(path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

/// Writes `bytes` to `path` atomically (temporary name, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Runs the project's pipeline into `out` (or the configured run folder).
pub fn run(project: &Project, out: Option<&Path>) -> Result<RunOutcome> {
    let cfg = &project.config;
    let dir = match out {
        Some(o) => o.to_path_buf(),
        None => project.dir.join(&cfg.run.out),
    };
    let sources = SourcesFile::load(&project.sources_path())?;
    let policy = Arc::new(Policy::load(&project.policy_path())?);
    let ctx = BuildContext {
        policy: policy.clone(),
        dir: project.dir.clone(),
    };
    // Resolve every source before writing anything, so a typo fails fast and names the path.
    for s in &sources.sources {
        zeef_ingest::resolve_files(s, &sources.base_dir)?;
    }

    let mut segments = vec![Segment {
        global: None,
        stages: Vec::new(),
    }];
    let mut signals: Vec<&'static str> = Vec::new();
    let mut stage_counts = vec![StageCounts {
        name: "ingest".into(),
        kind: "ingest".into(),
        ..StageCounts::default()
    }];
    for sc in &cfg.stages {
        stage_counts.push(StageCounts {
            name: sc.kind().into(),
            kind: sc.kind().into(),
            ..StageCounts::default()
        });
        match sc.build(&ctx)? {
            BuiltStage::Doc(s) => {
                signals.extend(s.signals());
                if let Some(seg) = segments.last_mut() {
                    seg.stages.push(s);
                }
            }
            BuiltStage::Global(g) => {
                signals.extend(g.signals());
                segments.push(Segment {
                    global: Some(g),
                    stages: Vec::new(),
                });
            }
        }
    }
    let schema = shard_schema(signals.iter().copied());

    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for stale in ["output", "excluded", "staging", "run.json", "report.html"] {
        remove_if_exists(&dir.join(stale))?;
    }
    let limits = ShardLimits {
        rows_per_shard: cfg.run.shard_rows,
        ..ShardLimits::default()
    };
    let staging_limits = ShardLimits {
        rows_per_shard: usize::MAX,
        ..ShardLimits::default()
    };
    let mut summary = RunSummary {
        zeef_version: env!("CARGO_PKG_VERSION").to_string(),
        config_hash: project.config_hash(),
        stages: stage_counts,
        reference_date: cfg
            .stages
            .iter()
            .find_map(|s| s.reference_date())
            .map(String::from),
        ..RunSummary::default()
    };
    let mut excluded = ShardWriter::new(dir.join("excluded"), "part", schema.clone(), limits)?;
    let batch_size = cfg.run.batch_size;
    let passes = segments.len();

    // Pass 0: read the sources.
    let mut progress = Progress::new(format!("pass 1/{passes}: reading sources"));
    let mut stream = sources
        .sources
        .iter()
        .map(|s| open_source(s, &sources.base_dir))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten();
    let (first, rest) = segments.split_at_mut(1);
    let mut sink = Sink::new(&dir, 0, rest.first_mut(), &schema, limits, staging_limits)?;
    loop {
        let mut batch: Vec<Document> = Vec::with_capacity(batch_size);
        for doc in stream.by_ref().take(batch_size) {
            batch.push(doc?);
        }
        if batch.is_empty() {
            break;
        }
        for d in &batch {
            summary.read(d);
        }
        process_batch(&first[0].stages, &mut batch);
        sink.put(batch, &mut excluded, &mut summary, &mut progress)?;
    }
    let mut staged = sink.finish(&mut summary)?;
    progress.finish();

    // Pass k: apply global stage k, run its segment, observe the next global stage.
    for k in 1..passes {
        let (done, rest) = segments.split_at_mut(k + 1);
        let seg = &mut done[k];
        let global = seg
            .global
            .as_mut()
            .context("segment without a global stage")?;
        global.finish()?;
        let mut progress = Progress::new(format!("pass {}/{passes}: {}", k + 1, global.name()));
        let mut sink = Sink::new(&dir, k, rest.first_mut(), &schema, limits, staging_limits)?;
        for path in &staged {
            for batch in ShardReader::open(path, batch_size)? {
                let mut batch = batch?;
                if let Some(g) = seg.global.as_deref() {
                    apply_batch(g, &mut batch);
                }
                process_batch(&seg.stages, &mut batch);
                sink.put(batch, &mut excluded, &mut summary, &mut progress)?;
            }
        }
        let previous = std::mem::replace(&mut staged, sink.finish(&mut summary)?);
        for p in previous {
            remove_if_exists(&p)?;
        }
        progress.finish();
    }
    remove_if_exists(&dir.join("staging"))?;
    summary.excluded_shards = excluded.finish()?;
    summary.check_conservation()?;
    let json = serde_json::to_vec_pretty(&summary)?;
    write_atomic(&dir.join("run.json"), &json)?;
    crate::reporting::write_reports(project, &dir, &summary)?;
    Ok(RunOutcome { dir, summary })
}

/// Where the kept documents of a pass go: to staging (observed by the next global stage) or,
/// in the last pass, to `output/`.
struct Sink<'a> {
    next: Option<&'a mut Segment>,
    writer: ShardWriter,
    dir: PathBuf,
    last: bool,
}

impl<'a> Sink<'a> {
    fn new(
        run_dir: &Path,
        pass: usize,
        next: Option<&'a mut Segment>,
        schema: &SchemaRef,
        limits: ShardLimits,
        staging_limits: ShardLimits,
    ) -> Result<Self> {
        let last = next.is_none();
        let (dir, prefix, limits) = if last {
            (run_dir.join("output"), "part".to_string(), limits)
        } else {
            (
                run_dir.join("staging"),
                format!("pass-{pass}"),
                staging_limits,
            )
        };
        let writer = ShardWriter::new(&dir, &prefix, schema.clone(), limits)?;
        Ok(Sink {
            next,
            writer,
            dir,
            last,
        })
    }

    fn put(
        &mut self,
        batch: Vec<Document>,
        excluded: &mut ShardWriter,
        summary: &mut RunSummary,
        progress: &mut Progress,
    ) -> Result<()> {
        progress.add(batch.len() as u64);
        let (kept, gone): (Vec<Document>, Vec<Document>) =
            batch.into_iter().partition(Document::is_kept);
        for d in &gone {
            summary.settle(d);
        }
        excluded.write(&gone)?;
        if self.last {
            for d in &kept {
                summary.settle(d);
            }
        } else if let Some(g) = self.next.as_mut().and_then(|s| s.global.as_mut()) {
            g.observe(&kept)?;
        }
        self.writer.write(&kept)?;
        Ok(())
    }

    fn finish(self, summary: &mut RunSummary) -> Result<Vec<PathBuf>> {
        let shards = self.writer.finish()?;
        let paths = shards.iter().map(|s| self.dir.join(&s.file)).collect();
        if self.last {
            summary.output_shards = shards;
        }
        Ok(paths)
    }
}
