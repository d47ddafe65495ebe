//! Runs a configured pipeline locally: plans it (see [`crate::plan`]) and executes every
//! task of every phase in order, in this process. A run folder that holds the same plan is
//! resumed: finished tasks and chunks are skipped. Batches keep their order and every stage
//! decides per document or by an order-free rule, so the shards are byte-identical whatever
//! the thread count, and identical to a Slurm run with the same number of tasks.

use crate::config::Project;
use crate::plan::{fault_point, run_task, Plan};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use zeef_core::RunSummary;

pub use crate::plan::write_atomic;

/// What a finished run left behind.
pub struct RunOutcome {
    /// The run folder.
    pub dir: PathBuf,
    /// Its summary, as written to `run.json`.
    pub summary: RunSummary,
}

/// The run folder of `project`: `out`, or `run.out` of its configuration.
pub fn run_dir(project: &Project, out: Option<&Path>) -> PathBuf {
    match out {
        Some(o) => o.to_path_buf(),
        None => project.dir.join(&project.config.run.out),
    }
}

/// Runs the project's pipeline into `out` (or the configured run folder) as one task per phase.
pub fn run(project: &Project, out: Option<&Path>) -> Result<RunOutcome> {
    let config = project.dir.join("zeef.toml");
    run_tasks(project, &config, out, 1)
}

/// Runs the project's pipeline (configured in `config`) with `tasks` tasks per parallel phase,
/// resuming the run folder if it holds the same plan.
pub fn run_tasks(
    project: &Project,
    config: &Path,
    out: Option<&Path>,
    tasks: usize,
) -> Result<RunOutcome> {
    let dir = run_dir(project, out);
    // Resolve every source before writing anything, so a typo fails fast and names the path.
    let sources = zeef_ingest::SourcesFile::load(&project.sources_path())?;
    for s in &sources.sources {
        zeef_ingest::resolve_files(s, &sources.base_dir)?;
    }
    let plan = Plan::new(project, config, tasks)?;
    if plan.install(&dir)? {
        eprintln!(
            "zeef: resuming the run in {} (same plan: finished tasks are kept; remove the folder to start over)",
            dir.display()
        );
    }
    for (p, phase) in plan.phases.iter().enumerate() {
        for t in 0..phase.tasks {
            run_task(&plan, project, &dir, p, t)?;
        }
        fault_point("phase");
    }
    let path = dir.join("run.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let summary = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a zeef run summary", path.display()))?;
    Ok(RunOutcome { dir, summary })
}
