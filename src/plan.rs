//! The task plan: every phase of a run as tasks `0..N` over its work units, each task
//! restartable on its own. The local runner and Slurm array jobs execute the same plan.
//!
//! The stage list is cut at each global stage. Phases, in order:
//!
//! - `process` (N tasks): per-document stages of one segment. The first reads the input work
//!   units (task `i` reads `units_for_task(i, N)`); each later one reads what the same task kept
//!   in the previous `process` phase and first applies the global stage that opens its segment.
//!   A task also records what the next global stage needs (text-hash keys for `exact_dedup`,
//!   MinHash signatures for `near_dedup`).
//! - `buckets` (`near_dedup` only, M tasks, `run.bucket_tasks`, default N, at most the stage's
//!   `bands`): task `j` reads every signature file, hashes the LSH bands of its share
//!   ([`zeef_dedup::sharded::band_range`]) into buckets, verifies the candidate pairs and
//!   writes the accepted edges ([`zeef_dedup::sharded::near_edges`]). No task hashes every band of every document.
//! - `cluster` (1 task): merges those records and writes the removal list: every document the
//!   global stage excludes or annotates, with its verdict. For `near_dedup` it joins the edge
//!   files into clusters ([`zeef_dedup::sharded::near_removals`]), holding every document's signature
//!   and keep key but no bucket. Global stages without a sharded form (`line_dedup`) skip it:
//!   each task of the next `process` phase observes every kept document.
//! - `report` (1 task): merges the counts of every task, moves the shards into `output/` and
//!   `excluded/`, checks conservation and writes `run.json` and `report.html`.
//!
//! A task works in chunks of `run.checkpoint_batches` batches. A chunk is written into a
//! temporary folder that is renamed when complete, so a finished chunk is all there or not
//! there; a task writes its completion marker after its last chunk. Started again, a task
//! skips its finished chunks (the documents they read) and continues after them, and a run
//! skips its finished tasks. Chunks cut the input at fixed document counts, so a resumed run
//! writes the same bytes as one that was never stopped.

use crate::config::{BuildContext, BuiltStage, Project, StageConfig, ZeefConfig};
use crate::progress::Progress;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use zeef_core::schema::{shard_schema, SchemaRef};
use zeef_core::{
    apply_batch, text_hash, Document, Exclusion, GlobalStage, RunSummary, ShardInfo, ShardLimits,
    ShardReader, ShardWriter, Stage, StageCounts,
};
use zeef_dedup::sharded::{near_edges, near_removals};
use zeef_dedup::{ExactDedup, LicenceRank, NearDedup, NearDedupConfig, RemovalList};
use zeef_ingest::{
    open_unit_with_stats, units_for_task, work_units, DocumentStream, ReadStats, SourcesFile,
    WorkUnit,
};
use zeef_licensing::Policy;

/// Version of the plan and marker layout this build writes and resumes.
pub const PLAN_FORMAT: u32 = 2;

/// A work unit and the source (index in `sources.toml`) it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlannedUnit {
    /// Index of the source in the manifest.
    pub source: usize,
    /// The unit.
    pub unit: WorkUnit,
}

/// What a phase does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PhaseKind {
    /// Per-document stages of segment `segment`.
    Process {
        /// Index of the segment (0: from the sources).
        segment: usize,
    },
    /// Finds the candidate pairs of near-duplicate stage `global` in a share of its bands.
    Buckets {
        /// Index of the global stage.
        global: usize,
    },
    /// Decides global stage `global` over every task's records.
    Cluster {
        /// Index of the global stage.
        global: usize,
    },
    /// Merges counts and shards into the finished run.
    Report,
}

/// One phase of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    /// Its name, also its folder under `tasks/` and its Slurm job name.
    pub name: String,
    /// What it does.
    pub kind: PhaseKind,
    /// How many tasks it has.
    pub tasks: usize,
}

/// The plan of a run, written to `plan.json` in the run folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// [`PLAN_FORMAT`].
    pub format: u32,
    /// The zeef version that made the plan: another version starts the run over.
    pub zeef_version: String,
    /// The project's `zeef.toml`, absolute.
    pub config: PathBuf,
    /// Hash of the configuration files the plan was made for.
    pub config_hash: String,
    /// Tasks per parallel phase.
    pub tasks: usize,
    /// Every work unit of the input, in manifest order.
    pub units: Vec<PlannedUnit>,
    /// The phases, in order.
    pub phases: Vec<Phase>,
}

/// How a global stage runs across tasks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Method {
    /// Text-hash keys per task, one cluster task, a removal list.
    Exact,
    /// MinHash signatures per task, bucket tasks over band ranges, one cluster task, a
    /// removal list.
    Near,
    /// Every task of the next phase observes every kept document itself.
    ObserveAll,
}

struct GlobalSpec {
    config: StageConfig,
    method: Method,
}

/// The per-document stages between two global stages: one chain per source profile.
struct Segment {
    /// The built chains, one per profile in use.
    chains: Vec<Vec<Box<dyn Stage>>>,
    /// The chain of each source, by source name.
    by_source: HashMap<String, usize>,
}

impl Segment {
    fn chain(&self, doc: &Document) -> &[Box<dyn Stage>] {
        let i = self.by_source.get(&doc.source).copied().unwrap_or(0);
        self.chains.get(i).map_or(&[], Vec::as_slice)
    }
}

/// The built stages of a project, cut into segments at the global stages.
struct Pipeline {
    segments: Vec<Segment>,
    globals: Vec<GlobalSpec>,
    schema: SchemaRef,
    stage_counts: Vec<StageCounts>,
    ctx: BuildContext,
}

impl Pipeline {
    fn build(project: &Project) -> Result<Pipeline> {
        let policy = Arc::new(Policy::load(&project.policy_path())?);
        let ctx = BuildContext {
            policy,
            dir: project.dir.clone(),
        };
        let sources = SourcesFile::load(&project.sources_path())?;
        // The profiles in use, the default first (chain 0, for documents of no known source).
        let mut profiles = vec![crate::profiles::DEFAULT_PROFILE.to_string()];
        let mut profile_of = HashMap::new();
        for s in &sources.sources {
            let p = ZeefConfig::source_profile(s).to_string();
            let i = match profiles.iter().position(|q| *q == p) {
                Some(i) => i,
                None => {
                    profiles.push(p.clone());
                    profiles.len() - 1
                }
            };
            profile_of.insert(s.name.clone(), i);
        }
        let effective = profiles
            .iter()
            .map(|p| {
                project
                    .config
                    .profile_stages(p)
                    .with_context(|| format!("{}", project.sources_path().display()))
            })
            .collect::<Result<Vec<_>>>()?;
        let new_segment = || Segment {
            chains: (0..profiles.len()).map(|_| Vec::new()).collect(),
            by_source: profile_of.clone(),
        };
        let mut segments = vec![new_segment()];
        let mut globals = Vec::new();
        let mut signals: Vec<&'static str> = Vec::new();
        let mut stage_counts = vec![StageCounts {
            name: "ingest".into(),
            kind: "ingest".into(),
            ..StageCounts::default()
        }];
        for (i, sc) in project.config.stages.iter().enumerate() {
            stage_counts.push(StageCounts {
                name: sc.kind().into(),
                kind: sc.kind().into(),
                ..StageCounts::default()
            });
            if let BuiltStage::Global(g) = sc.build(&ctx)? {
                signals.extend(g.signals());
                let method = match sc {
                    StageConfig::ExactDedup(_) => Method::Exact,
                    StageConfig::NearDedup(_) => Method::Near,
                    _ => Method::ObserveAll,
                };
                globals.push(GlobalSpec {
                    config: sc.clone(),
                    method,
                });
                segments.push(new_segment());
                continue;
            }
            let seg = segments.last_mut().context("no segment")?;
            for (k, stages) in effective.iter().enumerate() {
                let Some(esc) = &stages[i] else { continue };
                if let BuiltStage::Doc(s) = esc
                    .build(&ctx)
                    .with_context(|| format!("profile `{}`", profiles[k]))?
                {
                    signals.extend(s.signals());
                    seg.chains[k].push(s);
                }
            }
        }
        Ok(Pipeline {
            segments,
            globals,
            schema: shard_schema(signals.iter().copied()),
            stage_counts,
            ctx,
        })
    }

    fn rank(&self) -> LicenceRank {
        let p = self.ctx.policy.clone();
        Arc::new(move |l| p.licence_rank(l))
    }

    fn exact(&self, g: usize) -> Result<ExactDedup> {
        match &self.globals[g].config {
            StageConfig::ExactDedup(c) => {
                Ok(ExactDedup::new("exact_dedup", c.clone(), self.rank()))
            }
            other => bail!("global stage {g} is `{}`, not exact_dedup", other.kind()),
        }
    }

    fn near_config(&self, g: usize) -> Result<&NearDedupConfig> {
        match &self.globals[g].config {
            StageConfig::NearDedup(c) => {
                c.validate()
                    .map_err(|e| anyhow::anyhow!("stage `near_dedup`: {e}"))?;
                Ok(c)
            }
            other => bail!("global stage {g} is `{}`, not near_dedup", other.kind()),
        }
    }

    fn near(&self, g: usize) -> Result<NearDedup> {
        let c = self.near_config(g)?;
        Ok(NearDedup::new("near_dedup", c.clone(), self.rank()))
    }

    fn global(&self, g: usize) -> Result<Box<dyn GlobalStage>> {
        match self.globals[g].config.build(&self.ctx)? {
            BuiltStage::Global(s) => Ok(s),
            BuiltStage::Doc(_) => bail!("global stage {g} built as a per-document stage"),
        }
    }
}

fn phases_for(pipe: &Pipeline, tasks: usize, bucket_tasks: Option<usize>) -> Result<Vec<Phase>> {
    let mut phases = Vec::new();
    let mut push = |kind: PhaseKind, label: &str, tasks: usize| {
        let name = format!("{:02}-{label}", phases.len());
        phases.push(Phase { name, kind, tasks });
    };
    push(PhaseKind::Process { segment: 0 }, "ingest", tasks);
    for (g, spec) in pipe.globals.iter().enumerate() {
        let kind = spec.config.kind();
        if spec.method == Method::Near {
            // A task beyond the band count would hash no band.
            let bands = pipe.near_config(g)?.bands;
            push(
                PhaseKind::Buckets { global: g },
                &format!("{kind}-buckets"),
                bucket_tasks.unwrap_or(tasks).clamp(1, bands),
            );
        }
        push(
            PhaseKind::Cluster { global: g },
            &format!("{kind}-cluster"),
            1,
        );
        push(
            PhaseKind::Process { segment: g + 1 },
            &format!("{kind}-apply"),
            tasks,
        );
    }
    push(PhaseKind::Report, "report", 1);
    Ok(phases)
}

impl Plan {
    /// Plans a run of `project` (whose `zeef.toml` is `config`) with `tasks` tasks per
    /// parallel phase: lists the work units and the phases.
    pub fn new(project: &Project, config: &Path, tasks: usize) -> Result<Plan> {
        if tasks == 0 {
            bail!("the number of tasks must be at least 1");
        }
        let sources = SourcesFile::load(&project.sources_path())?;
        let mut units = Vec::new();
        for (i, s) in sources.sources.iter().enumerate() {
            for unit in work_units(s, &sources.base_dir)? {
                units.push(PlannedUnit { source: i, unit });
            }
        }
        let pipe = Pipeline::build(project)?;
        let config = std::fs::canonicalize(config)
            .with_context(|| format!("cannot resolve {}", config.display()))?;
        Ok(Plan {
            format: PLAN_FORMAT,
            zeef_version: env!("CARGO_PKG_VERSION").to_string(),
            config,
            config_hash: project.config_hash(),
            tasks,
            units,
            phases: phases_for(&pipe, tasks, project.config.run.bucket_tasks)?,
        })
    }

    /// Loads `plan.json` of a run folder.
    pub fn load(run_dir: &Path) -> Result<Plan> {
        let path = run_dir.join("plan.json");
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {} (is this a zeef run folder?)",
                path.display()
            )
        })?;
        let plan: Plan = serde_json::from_str(&text)
            .with_context(|| format!("{} is not a zeef plan", path.display()))?;
        if plan.format != PLAN_FORMAT {
            bail!(
                "{} has plan format {}; this zeef reads format {PLAN_FORMAT}",
                path.display(),
                plan.format
            );
        }
        Ok(plan)
    }

    /// Makes `run_dir` ready for this plan. A folder holding the same plan (same zeef version,
    /// configuration, input units and task count) is resumed: finished tasks and chunks stay. Anything else
    /// a run writes there is removed first. Returns whether it resumes.
    pub fn install(&self, run_dir: &Path) -> Result<bool> {
        std::fs::create_dir_all(run_dir)
            .with_context(|| format!("cannot create {}", run_dir.display()))?;
        if let Ok(old) = Plan::load(run_dir) {
            if old == *self {
                return Ok(true);
            }
        }
        let run_files = [
            "output",
            "excluded",
            "staging",
            "tasks",
            "slurm",
            "plan.json",
            "run.json",
        ];
        for stale in run_files.into_iter().chain(zeef_reports::REPORT_FILES) {
            remove_if_exists(&run_dir.join(stale))?;
        }
        write_atomic(
            &run_dir.join("plan.json"),
            &serde_json::to_vec_pretty(self)?,
        )?;
        Ok(false)
    }

    /// The phase named `name`.
    pub fn phase(&self, name: &str) -> Result<usize> {
        self.phases
            .iter()
            .position(|p| p.name == name)
            .with_context(|| {
                let names: Vec<&str> = self.phases.iter().map(|p| p.name.as_str()).collect();
                format!(
                    "no phase `{name}` in the plan (phases: {})",
                    names.join(", ")
                )
            })
    }
}

/// Removes a file or folder if it is there.
pub fn remove_if_exists(path: &Path) -> Result<()> {
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

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is damaged", path.display()))
}

/// Kills the process with SIGKILL at the named point when `ZEEF_FAULT=POINT:N` is set and this
/// is the N-th time the point is reached: for testing that runs survive being killed. Points:
/// `batch` (a batch processed, not yet written), `shard` (a batch written into an open
/// shard), `chunk` (a chunk committed), `edges` (a bucket task's edge file written, its
/// completion marker not), `phase` (a phase finished, the next not started).
pub fn fault_point(point: &str) {
    static SPEC: OnceLock<Option<(String, u64)>> = OnceLock::new();
    static HITS: AtomicU64 = AtomicU64::new(0);
    let spec = SPEC.get_or_init(|| {
        let v = std::env::var("ZEEF_FAULT").ok()?;
        let (name, n) = v.split_once(':')?;
        Some((name.to_string(), n.parse().ok()?))
    });
    if let Some((name, n)) = spec {
        if name == point && HITS.fetch_add(1, Ordering::SeqCst) + 1 == *n {
            eprintln!("zeef: ZEEF_FAULT: killing the process at `{point}` #{n}");
            let pid = std::process::id().to_string();
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid])
                .status();
            std::process::abort();
        }
    }
}

/// The run folder's task layout.
struct Layout<'a> {
    dir: &'a Path,
}

impl Layout<'_> {
    fn phase_dir(&self, phase: &Phase) -> PathBuf {
        self.dir.join("tasks").join(&phase.name)
    }
    fn task_dir(&self, phase: &Phase, task: usize) -> PathBuf {
        self.phase_dir(phase).join(format!("t{task:05}"))
    }
    fn done_marker(&self, phase: &Phase, task: usize) -> PathBuf {
        self.phase_dir(phase).join(format!("t{task:05}.done"))
    }
    fn chunk_dir(&self, phase: &Phase, task: usize, chunk: usize) -> PathBuf {
        self.task_dir(phase, task).join(format!("c{chunk:05}"))
    }
    /// The removal list of a cluster phase for the documents of task `task`.
    fn removal_list(&self, phase: &Phase, task: usize) -> PathBuf {
        self.phase_dir(phase)
            .join(format!("removal-t{task:05}.jsonl"))
    }
    /// The edge file of task `task` of a bucket phase.
    fn edge_file(&self, phase: &Phase, task: usize) -> PathBuf {
        self.phase_dir(phase).join(format!("edges-t{task:05}.bin"))
    }
    fn done(&self, phase: &Phase, task: usize) -> Result<Option<TaskDone>> {
        let m = self.done_marker(phase, task);
        if m.is_file() {
            Ok(Some(read_json(&m)?))
        } else {
            Ok(None)
        }
    }
    fn require_done(&self, phase: &Phase, task: usize) -> Result<TaskDone> {
        self.done(phase, task)?.with_context(|| {
            format!(
                "phase {} task {task} has not finished; run it first",
                phase.name
            )
        })
    }
    /// The manifests of a finished task's chunks, with each chunk's folder.
    fn chunks(&self, phase: &Phase, task: usize) -> Result<Vec<(PathBuf, ChunkManifest)>> {
        let done = self.require_done(phase, task)?;
        (0..done.chunks)
            .map(|c| {
                let d = self.chunk_dir(phase, task, c);
                let m = read_json(&d.join("manifest.json"))?;
                Ok((d, m))
            })
            .collect()
    }
}

/// The completion marker of a task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskDone {
    /// Chunks the task wrote.
    pub chunks: usize,
    /// Documents it read.
    pub documents: u64,
    /// Input records passed over as not documents, per source and kind (first phase only).
    /// Counted over the task's whole input, which a resumed task reads again from its start.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, BTreeMap<String, u64>>,
}

/// What a finished chunk holds, written last inside it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ChunkManifest {
    /// Documents the chunk read from its input.
    docs_in: u64,
    /// Shards of kept documents.
    kept: Vec<ShardInfo>,
    /// Shards of excluded documents.
    excluded: Vec<ShardInfo>,
    /// Counts of the chunk (documents read here, documents settled here).
    summary: RunSummary,
}

/// One entry of a removal list: what a global stage decided about a document.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RemovalEntry {
    id: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    signals: BTreeMap<String, f64>,
    /// What the stage records in the document's meta: for a removed duplicate, the kept copy
    /// and its own licence rank, which `zeef withdraw` needs to promote the right copy.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    meta: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exclusion: Option<Exclusion>,
}

/// Runs task `task` of phase `phase` unless it has finished; returns whether it ran.
pub fn run_task(
    plan: &Plan,
    project: &Project,
    run_dir: &Path,
    phase: usize,
    task: usize,
) -> Result<bool> {
    let ph = plan
        .phases
        .get(phase)
        .with_context(|| format!("no phase {phase} in the plan"))?;
    if task >= ph.tasks {
        bail!("phase {} has tasks 0..{}, not {task}", ph.name, ph.tasks);
    }
    if project.config_hash() != plan.config_hash {
        bail!(
            "the configuration changed since the run was planned; plan it again (zeef run or zeef slurm submit)"
        );
    }
    let layout = Layout { dir: run_dir };
    if layout.done(ph, task)?.is_some() {
        return Ok(false);
    }
    std::fs::create_dir_all(layout.phase_dir(ph))
        .with_context(|| format!("cannot create {}", layout.phase_dir(ph).display()))?;
    let pipe = Pipeline::build(project)?;
    let done = match ph.kind {
        PhaseKind::Process { segment } => {
            run_process(plan, project, &pipe, &layout, phase, segment, task)?
        }
        PhaseKind::Buckets { global } => run_buckets(plan, &pipe, &layout, phase, global, task)?,
        PhaseKind::Cluster { global } => run_cluster(plan, &pipe, &layout, phase, global)?,
        PhaseKind::Report => run_report(plan, project, &pipe, &layout)?,
    };
    write_atomic(
        &layout.done_marker(ph, task),
        &serde_json::to_vec_pretty(&done)?,
    )?;
    Ok(true)
}

/// The process phase of segment `segment`.
fn process_phase(plan: &Plan, segment: usize) -> Result<&Phase> {
    plan.phases
        .iter()
        .find(|p| p.kind == PhaseKind::Process { segment })
        .with_context(|| format!("no process phase for segment {segment}"))
}

fn buckets_phase(plan: &Plan, global: usize) -> Result<&Phase> {
    plan.phases
        .iter()
        .find(|p| p.kind == PhaseKind::Buckets { global })
        .with_context(|| format!("no bucket phase for global stage {global}"))
}

fn cluster_phase(plan: &Plan, global: usize) -> Result<&Phase> {
    plan.phases
        .iter()
        .find(|p| p.kind == PhaseKind::Cluster { global })
        .with_context(|| format!("no cluster phase for global stage {global}"))
}

type DocIter = Box<dyn Iterator<Item = Result<Document>>>;

/// Skipped-record counts of a task's input, per source name.
type SkipCounts = BTreeMap<String, ReadStats>;

/// The documents of a task's work units, in unit order, opened one unit at a time, with the
/// counts of the records its readers passed over.
fn unit_stream(project: &Project, plan: &Plan, task: usize) -> Result<(DocIter, SkipCounts)> {
    let sources = SourcesFile::load(&project.sources_path())?;
    let all: Vec<WorkUnit> = plan.units.iter().map(|u| u.unit.clone()).collect();
    let mut queue = VecDeque::new();
    let mut pos = 0;
    for unit in units_for_task(&all, task, plan.tasks) {
        while pos < all.len() && all[pos] != unit {
            pos += 1;
        }
        let planned = plan
            .units
            .get(pos)
            .context("work unit assignment does not match the plan")?;
        let source = sources
            .sources
            .get(planned.source)
            .context("sources.toml has fewer sources than the plan")?
            .clone();
        queue.push_back((source, unit));
        pos += 1;
    }
    let base = sources.base_dir.clone();
    let skips: SkipCounts = queue
        .iter()
        .map(|(s, _)| (s.name.clone(), ReadStats::new()))
        .collect();
    let stats = skips.clone();
    let mut current: Option<DocumentStream> = None;
    let docs: DocIter = Box::new(std::iter::from_fn(move || loop {
        if let Some(s) = current.as_mut() {
            match s.next() {
                Some(d) => return Some(d.map_err(anyhow::Error::from)),
                None => current = None,
            }
        }
        let (source, unit) = queue.pop_front()?;
        let counts = stats.get(&source.name).cloned().unwrap_or_default();
        match open_unit_with_stats(&source, &base, &unit, &counts) {
            Ok(s) => current = Some(s),
            Err(e) => return Some(Err(e.into())),
        }
    }));
    Ok((docs, skips))
}

/// The documents in a list of shard files, in order.
fn shard_stream(files: Vec<PathBuf>, batch_size: usize) -> DocIter {
    let mut files: VecDeque<PathBuf> = files.into();
    let mut current: Option<ShardReader> = None;
    let mut buffered: VecDeque<Document> = VecDeque::new();
    Box::new(std::iter::from_fn(move || loop {
        if let Some(d) = buffered.pop_front() {
            return Some(Ok(d));
        }
        if let Some(r) = current.as_mut() {
            match r.next() {
                Some(Ok(b)) => {
                    buffered.extend(b);
                    continue;
                }
                Some(Err(e)) => return Some(Err(e.into())),
                None => current = None,
            }
        }
        let path = files.pop_front()?;
        match ShardReader::open(&path, batch_size) {
            Ok(r) => current = Some(r),
            Err(e) => return Some(Err(e.into())),
        }
    }))
}

/// The kept shards a finished task of a process phase left, in chunk order.
fn kept_files(layout: &Layout, phase: &Phase, task: usize) -> Result<Vec<PathBuf>> {
    Ok(layout
        .chunks(phase, task)?
        .into_iter()
        .flat_map(|(d, m)| m.kept.into_iter().map(move |s| d.join(s.file)))
        .collect())
}

/// What opens a segment: the removal list of its global stage, or the stage itself.
enum Opener {
    Removal(HashMap<String, RemovalEntry>),
    Stage(Box<dyn GlobalStage>),
}

impl Opener {
    fn apply(&self, batch: &mut [Document]) {
        match self {
            Opener::Removal(map) => {
                for d in batch.iter_mut().filter(|d| d.is_kept()) {
                    if let Some(e) = map.get(&d.id) {
                        for (k, v) in &e.meta {
                            d.meta.insert(k.clone(), v.clone());
                        }
                        for (k, v) in &e.signals {
                            d.signals.insert(Cow::Owned(k.clone()), *v);
                        }
                        if let Some(x) = &e.exclusion {
                            d.exclude(&x.stage, x.reason, x.detail.clone());
                        }
                    }
                }
            }
            Opener::Stage(g) => apply_batch(g.as_ref(), batch),
        }
    }
}

fn load_opener(
    plan: &Plan,
    pipe: &Pipeline,
    layout: &Layout,
    global: usize,
    task: usize,
) -> Result<Opener> {
    let batch_size = 1024;
    match pipe.globals[global].method {
        Method::Exact | Method::Near => {
            let path = layout.removal_list(cluster_phase(plan, global)?, task);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let mut map = HashMap::new();
            for (i, line) in text.lines().enumerate() {
                let e: RemovalEntry = serde_json::from_str(line)
                    .with_context(|| format!("{}:{}: damaged entry", path.display(), i + 1))?;
                map.insert(e.id.clone(), e);
            }
            Ok(Opener::Removal(map))
        }
        Method::ObserveAll => {
            let mut stage = pipe.global(global)?;
            let before = process_phase(plan, global)?;
            for t in 0..before.tasks {
                for path in kept_files(layout, before, t)? {
                    for batch in ShardReader::open(&path, batch_size)? {
                        stage.observe(&batch?)?;
                    }
                }
            }
            stage.finish()?;
            Ok(Opener::Stage(stage))
        }
    }
}

/// Records, per chunk, what the next global stage needs: keys (which documents the chunk
/// holds, for exact dedup with their text hash) and, for near dedup, signatures.
enum Observer {
    Keys(ShardWriter),
    Near(Box<NearDedup>, ShardWriter),
    Nothing,
}

fn keys_writer(chunk_dir: &Path) -> Result<ShardWriter> {
    Ok(ShardWriter::new(
        chunk_dir,
        "keys",
        shard_schema([]),
        ShardLimits {
            rows_per_shard: usize::MAX,
            ..ShardLimits::default()
        },
    )?)
}

impl Observer {
    fn new(pipe: &Pipeline, global: Option<usize>, chunk_dir: &Path) -> Result<Observer> {
        let Some(g) = global else {
            return Ok(Observer::Nothing);
        };
        Ok(match pipe.globals[g].method {
            Method::Exact => Observer::Keys(keys_writer(chunk_dir)?),
            Method::Near => Observer::Near(Box::new(pipe.near(g)?), keys_writer(chunk_dir)?),
            Method::ObserveAll => Observer::Nothing,
        })
    }

    /// Whether [`Observer::observe`] needs the documents' [`entry_key`]s.
    fn wants_entry_keys(&self) -> bool {
        matches!(self, Observer::Keys(_))
    }

    /// Records what the next global stage needs of the kept documents; `keys` are their entry
    /// keys where [`Observer::wants_entry_keys`].
    fn observe(&mut self, kept: &[Document], keys: &[u128]) -> Result<()> {
        match self {
            Observer::Keys(w) => {
                // Exact dedup decides by text hash, priority, licence and id alone: a key stands
                // in for the document, with the hash as its text.
                let keys: Vec<Document> = kept
                    .iter()
                    .zip(keys)
                    .map(|(d, k)| exact_key(d, *k))
                    .collect();
                w.write(&keys)?;
            }
            Observer::Near(n, w) => {
                n.observe(kept)?;
                let ids: Vec<Document> = kept
                    .iter()
                    .map(|d| Document {
                        id: d.id.clone(),
                        ..Document::default()
                    })
                    .collect();
                w.write(&ids)?;
            }
            Observer::Nothing => {}
        }
        Ok(())
    }

    fn finish(self, chunk_dir: &Path) -> Result<()> {
        match self {
            Observer::Keys(w) => {
                w.finish()?;
            }
            Observer::Near(n, w) => {
                w.finish()?;
                n.save_signatures(&chunk_dir.join("signatures.bin"))?;
            }
            Observer::Nothing => {}
        }
        Ok(())
    }
}

/// The exact-dedup key of a text: xxh3-128 of its words joined by single spaces, so copies that
/// differ only in line breaks, wrapping or trailing spaces are the same text.
fn entry_key(text: &str) -> u128 {
    let mut joined = String::with_capacity(text.len());
    for w in text.split_whitespace() {
        if !joined.is_empty() {
            joined.push(' ');
        }
        joined.push_str(w);
    }
    text_hash(&joined)
}

fn exact_key(d: &Document, key: u128) -> Document {
    Document {
        id: d.id.clone(),
        text: format!("{key:032x}"),
        source: d.source.clone(),
        license: d.license.clone(),
        priority: d.priority,
        ..Document::default()
    }
}

fn next_batch(stream: &mut DocIter, n: usize) -> Result<Vec<Document>> {
    let mut batch = Vec::with_capacity(n);
    for d in stream.by_ref().take(n) {
        batch.push(d?);
    }
    Ok(batch)
}

/// Runs each document of `docs` through its source's chain, in parallel. Returns what stages
/// removed from documents the chain kept: (document index, stage name, words, bytes).
fn process_segment<'a>(seg: &'a Segment, docs: &mut [Document]) -> Vec<(usize, &'a str, u64, u64)> {
    let per_doc: Vec<Vec<(&'a str, u64, u64)>> = docs
        .par_iter_mut()
        .map(|doc| {
            let mut cut = Vec::new();
            let mut words = doc.word_count() as u64;
            for stage in seg.chain(doc) {
                if !doc.is_kept() {
                    break;
                }
                let (len, ptr) = (doc.text.len(), doc.text.as_ptr());
                stage.process(doc);
                // A stage that changes the text replaces it (or at least its length).
                if doc.text.len() != len || doc.text.as_ptr() != ptr {
                    let now = doc.word_count() as u64;
                    let bytes = (len as u64).saturating_sub(doc.text.len() as u64);
                    if now < words || bytes > 0 {
                        cut.push((stage.name(), words.saturating_sub(now), bytes));
                    }
                    words = now;
                }
            }
            if doc.is_kept() {
                cut
            } else {
                Vec::new()
            }
        })
        .collect();
    per_doc
        .into_iter()
        .enumerate()
        .flat_map(|(i, cut)| cut.into_iter().map(move |(s, w, b)| (i, s, w, b)))
        .collect()
}

fn chunk_summary(pipe: &Pipeline) -> RunSummary {
    RunSummary {
        stages: pipe.stage_counts.clone(),
        ..RunSummary::default()
    }
}

#[allow(clippy::too_many_arguments)]
fn run_process(
    plan: &Plan,
    project: &Project,
    pipe: &Pipeline,
    layout: &Layout,
    phase: usize,
    segment: usize,
    task: usize,
) -> Result<TaskDone> {
    let ph = &plan.phases[phase];
    let cfg = &project.config.run;
    let last = segment + 1 == pipe.segments.len();
    let observes = (!last).then_some(segment);
    let tdir = layout.task_dir(ph, task);
    std::fs::create_dir_all(&tdir).with_context(|| format!("cannot create {}", tdir.display()))?;

    // Finished chunks stay; anything else in the task folder is a chunk cut short.
    let mut chunk = 0;
    let mut skip = 0u64;
    loop {
        let m = layout.chunk_dir(ph, task, chunk).join("manifest.json");
        if !m.is_file() {
            break;
        }
        skip += read_json::<ChunkManifest>(&m)?.docs_in;
        chunk += 1;
    }
    for entry in
        std::fs::read_dir(&tdir).with_context(|| format!("cannot list {}", tdir.display()))?
    {
        let p = entry?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let finished = name
            .strip_prefix('c')
            .and_then(|n| n.parse::<usize>().ok())
            .is_some_and(|c| c < chunk);
        if !finished {
            remove_if_exists(&p)?;
        }
    }
    if chunk > 0 {
        eprintln!(
            "zeef: {} task {task}: resuming after {chunk} finished chunk(s) ({skip} documents)",
            ph.name
        );
    }

    let (mut stream, skips) = if segment == 0 {
        unit_stream(project, plan, task)?
    } else {
        let before = process_phase(plan, segment - 1)?;
        (
            shard_stream(kept_files(layout, before, task)?, cfg.batch_size),
            SkipCounts::new(),
        )
    };
    let opener = match segment {
        0 => None,
        s => Some(load_opener(plan, pipe, layout, s - 1, task)?),
    };
    for i in 0..skip {
        match stream.next() {
            Some(d) => drop(d?),
            None => bail!(
                "{} task {task}: the input has {i} documents, fewer than its finished chunks read ({skip}); the input changed since",
                ph.name
            ),
        }
    }

    let stages = &pipe.segments[segment];
    let out_limits = ShardLimits {
        rows_per_shard: cfg.shard_rows,
        ..ShardLimits::default()
    };
    let kept_limits = if last {
        out_limits
    } else {
        ShardLimits {
            rows_per_shard: usize::MAX,
            ..ShardLimits::default()
        }
    };
    let mut progress = Progress::new(format!("{} task {}/{}", ph.name, task + 1, ph.tasks));
    let mut documents = skip;
    let mut batch = next_batch(&mut stream, cfg.batch_size)?;
    while !batch.is_empty() {
        let final_dir = layout.chunk_dir(ph, task, chunk);
        let tmp = final_dir.with_file_name(format!("c{chunk:05}.tmp"));
        remove_if_exists(&tmp)?;
        let mut kept_w = ShardWriter::new(&tmp, "kept", pipe.schema.clone(), kept_limits)?;
        let mut excl_w = ShardWriter::new(&tmp, "excluded", pipe.schema.clone(), out_limits)?;
        let mut observer = Observer::new(pipe, observes, &tmp)?;
        let mut summary = chunk_summary(pipe);
        let mut docs_in = 0u64;
        for _ in 0..cfg.checkpoint_batches {
            if batch.is_empty() {
                break;
            }
            docs_in += batch.len() as u64;
            progress.add(batch.len() as u64);
            if segment == 0 {
                for d in &batch {
                    summary.read(d);
                }
            }
            if let Some(o) = &opener {
                o.apply(&mut batch);
            }
            // Exact dedup compares documents as they entered this segment, before the cleaning
            // of their source's profile: a law copied into a news feed is the same text, even
            // though the legal and the web rules leave different lines of it.
            let entry_keys: Vec<u128> = if observer.wants_entry_keys() {
                batch.iter().map(|d| entry_key(&d.text)).collect()
            } else {
                Vec::new()
            };
            for (i, stage, words, bytes) in process_segment(stages, &mut batch) {
                summary.removed(stage, &batch[i].source, words, bytes);
            }
            fault_point("batch");
            let kept_keys: Vec<u128> = entry_keys
                .iter()
                .zip(&batch)
                .filter(|(_, d)| d.is_kept())
                .map(|(k, _)| *k)
                .collect();
            let (kept, gone): (Vec<Document>, Vec<Document>) =
                batch.into_iter().partition(Document::is_kept);
            for d in &gone {
                summary.settle(d);
            }
            excl_w.write(&gone)?;
            if last {
                for d in &kept {
                    summary.settle(d);
                }
            } else {
                observer.observe(&kept, &kept_keys)?;
            }
            kept_w.write(&kept)?;
            fault_point("shard");
            batch = next_batch(&mut stream, cfg.batch_size)?;
        }
        let manifest = ChunkManifest {
            docs_in,
            kept: kept_w.finish()?,
            excluded: excl_w.finish()?,
            summary,
        };
        observer.finish(&tmp)?;
        write_atomic(
            &tmp.join("manifest.json"),
            &serde_json::to_vec_pretty(&manifest)?,
        )?;
        std::fs::rename(&tmp, &final_dir)
            .with_context(|| format!("cannot rename {} into place", tmp.display()))?;
        documents += docs_in;
        chunk += 1;
        fault_point("chunk");
    }
    progress.finish();
    Ok(TaskDone {
        chunks: chunk,
        documents,
        skipped: skips
            .into_iter()
            .map(|(name, s)| (name, s.skipped()))
            .filter(|(_, s)| !s.is_empty())
            .collect(),
    })
}

fn run_cluster(
    plan: &Plan,
    pipe: &Pipeline,
    layout: &Layout,
    phase: usize,
    global: usize,
) -> Result<TaskDone> {
    let ph = &plan.phases[phase];
    let before = process_phase(plan, global)?;
    let mut per_task: Vec<Vec<PathBuf>> = Vec::new();
    for t in 0..before.tasks {
        per_task.push(
            layout
                .chunks(before, t)?
                .into_iter()
                .map(|(d, _)| d)
                .collect(),
        );
    }
    let chunk_dirs: Vec<PathBuf> = per_task.iter().flatten().cloned().collect();
    let mut progress = Progress::new(format!("{} ({} chunks)", ph.name, chunk_dirs.len()));
    let mut entries: BTreeMap<String, RemovalEntry> = BTreeMap::new();
    let mut near_list: Option<RemovalList> = None;
    let mut documents = 0u64;
    match pipe.globals[global].method {
        Method::Exact => {
            let mut stage = pipe.exact(global)?;
            let files: Vec<PathBuf> = chunk_dirs
                .iter()
                .map(|d| d.join("keys-00000.parquet"))
                .collect();
            for batch in shard_batches(&files)? {
                let batch = batch?;
                documents += batch.len() as u64;
                progress.add(batch.len() as u64);
                stage.observe(&batch)?;
            }
            stage.finish()?;
            for batch in shard_batches(&files)? {
                for mut d in batch? {
                    // The key's meta is empty: whatever is there after `apply` is the verdict's.
                    d.meta.clear();
                    stage.apply(&mut d);
                    if let Some(e) = d.exclusion() {
                        entries.insert(
                            d.id.clone(),
                            RemovalEntry {
                                id: d.id.clone(),
                                signals: BTreeMap::new(),
                                meta: d.meta.clone(),
                                exclusion: Some(e.clone()),
                            },
                        );
                    }
                }
            }
        }
        Method::Near => {
            let buckets = buckets_phase(plan, global)?;
            let edge_files: Vec<PathBuf> = (0..buckets.tasks)
                .map(|t| {
                    layout.require_done(buckets, t)?;
                    Ok(layout.edge_file(buckets, t))
                })
                .collect::<Result<_>>()?;
            let (list, stats) = near_removals(
                "near_dedup",
                pipe.near_config(global)?,
                &signature_files(&chunk_dirs),
                &edge_files,
            )?;
            documents = stats.documents;
            progress.add(documents);
            near_list = Some(list);
        }
        Method::ObserveAll => {}
    }
    // One list per task of the next phase, holding only its documents (in its order), so no
    // task loads the decisions about every document of the run.
    for (t, dirs) in per_task.iter().enumerate() {
        let mut out = Vec::new();
        let any = !entries.is_empty() || near_list.as_ref().is_some_and(|l| !l.is_empty());
        if any {
            let files: Vec<PathBuf> = dirs.iter().map(|d| d.join("keys-00000.parquet")).collect();
            for batch in shard_batches(&files)? {
                for d in batch? {
                    let entry = match &near_list {
                        Some(list) => near_entry(list, &d.id),
                        None => entries.get(&d.id).cloned(),
                    };
                    if let Some(e) = entry {
                        serde_json::to_writer(&mut out, &e)?;
                        out.push(b'\n');
                    }
                }
            }
        }
        write_atomic(&layout.removal_list(ph, t), &out)?;
    }
    progress.finish();
    Ok(TaskDone {
        chunks: 0,
        documents,
        skipped: BTreeMap::new(),
    })
}

/// What a near-dedup removal list decides about document `id`, if anything: the verdict of
/// [`RemovalList::apply`] on a kept document.
fn near_entry(list: &RemovalList, id: &str) -> Option<RemovalEntry> {
    let mut d = Document {
        id: id.to_string(),
        ..Document::default()
    };
    list.apply(&mut d);
    if d.signals.is_empty() && d.is_kept() {
        return None;
    }
    let exclusion = d.exclusion().cloned();
    Some(RemovalEntry {
        signals: d.signals.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        meta: d.meta,
        id: d.id,
        exclusion,
    })
}

/// The signature file of every chunk in `chunk_dirs`.
fn signature_files(chunk_dirs: &[PathBuf]) -> Vec<PathBuf> {
    chunk_dirs
        .iter()
        .map(|d| d.join("signatures.bin"))
        .collect()
}

/// The chunk folders of every finished task of a process phase, task by task.
fn all_chunk_dirs(layout: &Layout, phase: &Phase) -> Result<Vec<PathBuf>> {
    let mut dirs = Vec::new();
    for t in 0..phase.tasks {
        dirs.extend(layout.chunks(phase, t)?.into_iter().map(|(d, _)| d));
    }
    Ok(dirs)
}

/// Task `task` of a near-dedup bucket phase: the verified candidate pairs of its share of the
/// bands, over the signatures of every task, in an edge file the cluster task joins.
fn run_buckets(
    plan: &Plan,
    pipe: &Pipeline,
    layout: &Layout,
    phase: usize,
    global: usize,
    task: usize,
) -> Result<TaskDone> {
    let ph = &plan.phases[phase];
    let before = process_phase(plan, global)?;
    let files = signature_files(&all_chunk_dirs(layout, before)?);
    let mut progress = Progress::new(format!("{} task {}/{}", ph.name, task + 1, ph.tasks));
    let stats = near_edges(
        "near_dedup",
        pipe.near_config(global)?,
        &files,
        task,
        ph.tasks,
        &layout.edge_file(ph, task),
    )?;
    progress.add(stats.documents);
    progress.finish();
    fault_point("edges");
    Ok(TaskDone {
        chunks: 0,
        documents: stats.documents,
        skipped: BTreeMap::new(),
    })
}

/// Batches of every shard in `files`, in order.
fn shard_batches(
    files: &[PathBuf],
) -> Result<impl Iterator<Item = zeef_core::Result<Vec<Document>>>> {
    let readers = files
        .iter()
        .map(|f| ShardReader::open(f, 4096))
        .collect::<zeef_core::Result<Vec<_>>>()?;
    Ok(readers.into_iter().flatten())
}

/// Moves shards into `dir` as `part-00000.parquet`, ... in list order. Moving again after an
/// interruption finds the shards already moved in their place.
fn place_shards(
    dir: &Path,
    shards: &[(PathBuf, u64)],
    schema: &SchemaRef,
) -> Result<Vec<ShardInfo>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut placed = Vec::new();
    for (i, (src, rows)) in shards.iter().enumerate() {
        let file = format!("part-{i:05}.parquet");
        let dst = dir.join(&file);
        if src.is_file() {
            std::fs::rename(src, &dst)
                .with_context(|| format!("cannot move {} to {}", src.display(), dst.display()))?;
        } else if !dst.is_file() {
            bail!("{} is missing", src.display());
        }
        placed.push(ShardInfo { file, rows: *rows });
    }
    if placed.is_empty() {
        // Readers always find the schema: an empty run still has one (empty) shard.
        placed = ShardWriter::new(dir, "part", schema.clone(), ShardLimits::default())?.finish()?;
    }
    Ok(placed)
}

fn run_report(
    plan: &Plan,
    project: &Project,
    pipe: &Pipeline,
    layout: &Layout,
) -> Result<TaskDone> {
    let mut summary = RunSummary {
        zeef_version: env!("CARGO_PKG_VERSION").to_string(),
        config_hash: project.config_hash(),
        stages: pipe.stage_counts.clone(),
        reference_date: project
            .config
            .stages
            .iter()
            .find_map(|s| s.reference_date())
            .map(String::from),
        ..RunSummary::default()
    };
    let mut kept = Vec::new();
    let mut excluded = Vec::new();
    let mut staging = Vec::new();
    let mut documents = 0;
    for ph in &plan.phases {
        let PhaseKind::Process { segment } = ph.kind else {
            continue;
        };
        let last = segment + 1 == pipe.segments.len();
        for t in 0..ph.tasks {
            if segment == 0 {
                let done = layout.require_done(ph, t)?;
                for (name, kinds) in &done.skipped {
                    for (kind, n) in kinds {
                        for c in [
                            summary.sources.entry(name.clone()).or_default(),
                            &mut summary.totals,
                        ] {
                            *c.records_skipped.entry(kind.clone()).or_default() += n;
                        }
                    }
                }
            }
            for (d, m) in layout.chunks(ph, t)? {
                summary.merge(&m.summary);
                if segment == 0 {
                    documents += m.docs_in;
                }
                for s in m.excluded.iter().filter(|s| s.rows > 0) {
                    excluded.push((d.join(&s.file), s.rows));
                }
                for s in &m.kept {
                    if last {
                        if s.rows > 0 {
                            kept.push((d.join(&s.file), s.rows));
                        }
                    } else {
                        staging.push(d.join(&s.file));
                    }
                }
                staging.push(d.join("keys-00000.parquet"));
                staging.push(d.join("signatures.bin"));
            }
        }
    }
    for ph in plan
        .phases
        .iter()
        .filter(|p| matches!(p.kind, PhaseKind::Buckets { .. }))
    {
        for t in 0..ph.tasks {
            staging.push(layout.edge_file(ph, t));
        }
    }
    summary.output_shards = place_shards(&layout.dir.join("output"), &kept, &pipe.schema)?;
    summary.excluded_shards = place_shards(&layout.dir.join("excluded"), &excluded, &pipe.schema)?;
    summary.check_conservation()?;
    write_atomic(
        &layout.dir.join("run.json"),
        &serde_json::to_vec_pretty(&summary)?,
    )?;
    crate::reporting::write_reports(project, layout.dir, &summary)?;
    // What later phases read is not part of the run's result.
    for p in staging {
        remove_if_exists(&p)?;
    }
    Ok(TaskDone {
        chunks: 0,
        documents,
        skipped: BTreeMap::new(),
    })
}

/// Progress of one phase, from its completion markers.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseStatus {
    /// The phase's name.
    pub name: String,
    /// Its task count.
    pub tasks: usize,
    /// Tasks finished.
    pub done: usize,
    /// Finished chunks of tasks still running or cut short.
    pub chunks_in_progress: usize,
}

/// Per-phase progress of a run folder.
pub fn status(run_dir: &Path) -> Result<Vec<PhaseStatus>> {
    let plan = Plan::load(run_dir)?;
    let layout = Layout { dir: run_dir };
    let mut out = Vec::new();
    for ph in &plan.phases {
        let mut done = 0;
        let mut chunks = 0;
        for t in 0..ph.tasks {
            if layout.done_marker(ph, t).is_file() {
                done += 1;
            } else {
                let mut c = 0;
                while layout.chunk_dir(ph, t, c).join("manifest.json").is_file() {
                    c += 1;
                }
                chunks += c;
            }
        }
        out.push(PhaseStatus {
            name: ph.name.clone(),
            tasks: ph.tasks,
            done,
            chunks_in_progress: chunks,
        });
    }
    Ok(out)
}
