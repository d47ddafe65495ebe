//! Running a plan on a Slurm cluster: one array job per phase (task `i` of the phase is array
//! index `i`), chained with `--dependency=afterok`, each task calling `zeef slurm task`.
//! Tasks resume like local ones, so a failed or cancelled job can simply be submitted again.

use crate::config::Project;
use crate::plan::{run_task, status, write_atomic, Phase, PhaseKind, Plan};
use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `zeef slurm ...`.
#[derive(Subcommand)]
pub enum SlurmCommand {
    /// Plan a run, write one sbatch script per phase into RUN/slurm/ and submit them.
    Submit(SubmitArgs),
    /// Per-phase progress of a run folder, from its completion markers.
    Status {
        /// The run folder.
        run: PathBuf,
    },
    /// Run one task of one phase (what the sbatch scripts call).
    Task {
        /// The run folder.
        run: PathBuf,
        /// The phase's name (see plan.json).
        #[arg(long)]
        phase: String,
        /// The task number (default: $SLURM_ARRAY_TASK_ID).
        #[arg(long)]
        task: Option<usize>,
    },
}

/// Options of `zeef slurm submit`.
#[derive(Args, Clone, Debug)]
pub struct SubmitArgs {
    /// The project's zeef.toml.
    #[arg(long, default_value = "zeef.toml")]
    pub config: PathBuf,
    /// The run folder (default: `run.out` of zeef.toml); must be on a file system every node sees.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Tasks per parallel phase (array size).
    #[arg(long)]
    pub tasks: usize,
    /// Slurm partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// Time limit per task (Slurm format, e.g. 02:00:00).
    #[arg(long)]
    pub time: Option<String>,
    /// Memory per task (Slurm format, e.g. 8G).
    #[arg(long)]
    pub mem: Option<String>,
    /// Account to charge.
    #[arg(long)]
    pub account: Option<String>,
    /// CPUs per task; zeef uses that many threads.
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: usize,
    /// Memory of the dedup phases that hold every document's key or signature: the cluster
    /// tasks and the near-dedup bucket tasks (default: --mem).
    #[arg(long)]
    pub cluster_mem: Option<String>,
    /// Memory of the report task, which keeps a small row per document of the run
    /// (default: --cluster-mem, then --mem).
    #[arg(long)]
    pub report_mem: Option<String>,
    /// Time limit of the dedup cluster and bucket phases (default: --time).
    #[arg(long)]
    pub cluster_time: Option<String>,
    /// Partition of the dedup cluster and bucket phases, e.g. one with large-memory nodes
    /// (default: --partition).
    #[arg(long)]
    pub cluster_partition: Option<String>,
    /// Only write the scripts.
    #[arg(long)]
    pub dry_run: bool,
}

/// Runs a `zeef slurm` command.
pub fn main(command: SlurmCommand) -> Result<()> {
    match command {
        SlurmCommand::Submit(args) => submit(&args),
        SlurmCommand::Status { run } => {
            print!("{}", render_status(&run)?);
            Ok(())
        }
        SlurmCommand::Task { run, phase, task } => {
            let task = match task {
                Some(t) => t,
                None => std::env::var("SLURM_ARRAY_TASK_ID")
                    .context("no --task and no SLURM_ARRAY_TASK_ID")?
                    .parse()
                    .context("SLURM_ARRAY_TASK_ID is not a number")?,
            };
            let plan = Plan::load(&run)?;
            let project = Project::load(&plan.config)?;
            let p = plan.phase(&phase)?;
            if !run_task(&plan, &project, &run, p, task)? {
                eprintln!("zeef: {phase} task {task} had already finished");
            }
            Ok(())
        }
    }
}

/// Quotes a word for bash.
fn sh(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

fn abs(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).with_context(|| format!("cannot resolve {}", path.display()))
}

/// The sbatch script of one phase.
fn script(args: &SubmitArgs, zeef: &Path, run: &Path, ph: &Phase) -> String {
    let (phase, tasks) = (ph.name.as_str(), ph.tasks);
    let mut s = String::from("#!/bin/bash\n");
    let logs = run.join("slurm/logs");
    let mut opt = |k: &str, v: &str| {
        let _ = writeln!(s, "#SBATCH --{k}={v}");
    };
    opt("job-name", &format!("zeef-{phase}"));
    opt("array", &format!("0-{}", tasks.saturating_sub(1)));
    opt("ntasks", "1");
    opt("cpus-per-task", &args.cpus_per_task.to_string());
    opt("output", &format!("{}/{phase}-%a.log", logs.display()));
    // The report task takes these settings too: it is one task, and merges every task's counts.
    let holds_all = !matches!(ph.kind, PhaseKind::Process { .. });
    let pick = |general: &Option<String>, cluster: &Option<String>| {
        if holds_all {
            cluster.clone().or_else(|| general.clone())
        } else {
            general.clone()
        }
    };
    for (k, v) in [
        ("partition", pick(&args.partition, &args.cluster_partition)),
        ("time", pick(&args.time, &args.cluster_time)),
        (
            "mem",
            match ph.kind {
                PhaseKind::Report => args.report_mem.clone(),
                _ => None,
            }
            .or_else(|| pick(&args.mem, &args.cluster_mem)),
        ),
        ("account", args.account.clone()),
    ] {
        if let Some(v) = v {
            opt(k, &v);
        }
    }
    let _ = write!(
        s,
        "set -euo pipefail\nexport ZEEF_QUIET=1\nexec {} --threads {} slurm task {} --phase {} --task \"$SLURM_ARRAY_TASK_ID\"\n",
        sh(&zeef.display().to_string()),
        args.cpus_per_task.max(1),
        sh(&run.display().to_string()),
        sh(phase),
    );
    s
}

/// Plans the run, writes the scripts and, unless `--dry-run`, submits them.
pub fn submit(args: &SubmitArgs) -> Result<()> {
    let project = Project::load(&args.config)?;
    let run = crate::runner::run_dir(&project, args.out.as_deref());
    let plan = Plan::new(&project, &args.config, args.tasks)?;
    let resumed = plan.install(&run)?;
    let run = abs(&run)?;
    let zeef = std::env::current_exe().context("cannot find the zeef executable")?;
    let dir = run.join("slurm");
    std::fs::create_dir_all(dir.join("logs"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    let mut scripts = Vec::new();
    for phase in &plan.phases {
        let path = dir.join(format!("{}.sbatch", phase.name));
        write_atomic(&path, script(args, &zeef, &run, phase).as_bytes())?;
        scripts.push(path);
    }
    if resumed {
        println!(
            "resuming the run in {} (finished tasks are skipped)",
            run.display()
        );
    }
    if args.dry_run {
        for s in &scripts {
            println!("{}", s.display());
        }
        println!("dry run: nothing submitted");
        return Ok(());
    }
    let mut previous: Option<String> = None;
    let mut jobs = Vec::new();
    for (phase, script) in plan.phases.iter().zip(&scripts) {
        let mut cmd = Command::new("sbatch");
        cmd.arg("--parsable");
        if let Some(id) = &previous {
            cmd.arg(format!("--dependency=afterok:{id}"));
        }
        let out = cmd
            .arg(script)
            .output()
            .context("cannot run sbatch (is Slurm installed and on PATH?)")?;
        if !out.status.success() {
            bail!(
                "sbatch {} failed: {}",
                script.display(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let text = String::from_utf8_lossy(&out.stdout);
        // `--parsable` prints `ID` or `ID;CLUSTER`.
        let id = text
            .trim()
            .split(';')
            .next()
            .filter(|id| !id.is_empty())
            .with_context(|| format!("sbatch printed no job id for {}", script.display()))?
            .to_string();
        println!("{:<28} job {id} ({} tasks)", phase.name, phase.tasks);
        jobs.push(serde_json::json!({"phase": phase.name, "job": id, "tasks": phase.tasks}));
        previous = Some(id);
    }
    write_atomic(&dir.join("jobs.json"), &serde_json::to_vec_pretty(&jobs)?)?;
    println!("follow it with: zeef slurm status {}", run.display());
    Ok(())
}

/// The text `zeef slurm status` prints.
pub fn render_status(run: &Path) -> Result<String> {
    let phases = status(run)?;
    let mut out = String::new();
    let mut finished = 0;
    for p in &phases {
        let state = if p.done == p.tasks {
            finished += 1;
            "done"
        } else if p.done > 0 || p.chunks_in_progress > 0 {
            "running"
        } else {
            "waiting"
        };
        let _ = write!(
            out,
            "{:<28} {:>5}/{:<5} tasks  {state}",
            p.name, p.done, p.tasks
        );
        if p.chunks_in_progress > 0 {
            let _ = write!(
                out,
                " ({} chunks of unfinished tasks)",
                p.chunks_in_progress
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{finished}/{} phases done{}",
        phases.len(),
        if finished == phases.len() {
            format!("; results in {}", run.display())
        } else {
            String::new()
        }
    );
    Ok(out)
}
