use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use zeef::config::Project;

/// zeef: a clean-data pipeline for licensed Dutch text.
///
/// It reads sources declared with their licence and rights holder, checks every document
/// against a licence policy, cleans and deduplicates it, and writes Parquet shards with every
/// excluded document and its reason, plus a report.
#[derive(Parser)]
#[command(name = "zeef", version, about, long_about)]
struct Cli {
    /// Worker threads (default: all cores). The output does not depend on it.
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole pipeline on the bundled Dutch demo corpus.
    Demo {
        /// Where to write the run.
        #[arg(long, default_value = "zeef-demo")]
        out: PathBuf,
    },
    /// Write a commented starting project into DIR.
    Init {
        /// The project folder.
        dir: PathBuf,
    },
    /// Run a project's pipeline.
    Run {
        /// The project's zeef.toml.
        #[arg(long, default_value = "zeef.toml")]
        config: PathBuf,
        /// The run folder (default: `run.out` of zeef.toml).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Tasks per parallel phase, as on a cluster (the same N gives the same shards).
        #[arg(long, default_value_t = 1)]
        tasks: usize,
    },
    /// Run on a Slurm cluster: submit, follow, and the per-task entry point.
    Slurm {
        #[command(subcommand)]
        command: zeef::slurm::SlurmCommand,
    },
    /// Run one stage over JSONL documents on stdin; JSONL with signals and verdict on stdout.
    Apply {
        /// A stage type (see README), or `dedup` for exact then near dedup.
        stage: String,
        /// Take the stage's settings and policy from this zeef.toml (default: built-in defaults).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Withdraw documents from a finished run as a new dataset version; the old one is kept.
    #[command(group(clap::ArgGroup::new("what").required(true).multiple(false)))]
    Withdraw {
        /// The run folder to withdraw from.
        run: PathBuf,
        /// Every document under this agreement.
        #[arg(long, group = "what")]
        agreement: Option<String>,
        /// Every document of this rights holder.
        #[arg(long, group = "what")]
        rights_holder: Option<String>,
        /// The document ids listed in this file, one per line.
        #[arg(long, group = "what")]
        ids: Option<PathBuf>,
        /// Every document whose URL is on this domain or its subdomains.
        #[arg(long, group = "what")]
        domain: Option<String>,
        /// The consent ledger to record the withdrawal in (for --agreement and --rights-holder).
        #[arg(long)]
        ledger: Option<PathBuf>,
        /// The date of the withdrawal (YYYY-MM-DD; default today).
        #[arg(long)]
        date: Option<String>,
        /// The new version's folder (default: RUN-withdrawn-DATE).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check the source manifest: every source's files, bytes and problems.
    Sources {
        #[command(subcommand)]
        command: SourcesCommand,
    },
    /// Write the reports of a finished run again (report.html, report.json, manifest.json,
    /// datasheet.md, ai-act-summary.md/.json), counted from its shards.
    Report {
        /// The run folder.
        dir: PathBuf,
    },
    #[cfg(feature = "pretrain")]
    #[command(flatten)]
    Pretrain(zeef::pretrain_cli::PretrainCommand),
    /// Check a run folder: shards against manifest.json and its Merkle root, and every kept
    /// document against the licence policy and the consent ledger as of today. Exits non-zero
    /// with a list of findings.
    Audit {
        /// The run folder.
        dir: PathBuf,
        /// The licence policy (default: the one the run used).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// The consent ledger (default: the one the run used).
        #[arg(long)]
        ledger: Option<PathBuf>,
        /// Check consent as of this date (YYYY-MM-DD; default today).
        #[arg(long)]
        date: Option<String>,
    },
    /// The life of one document: source and locator, licence decision, signals, verdict,
    /// dedup cluster, and the shard it is in.
    Trace {
        /// The document id.
        id: String,
        /// The run folder.
        #[arg(long, default_value = ".")]
        run: PathBuf,
    },
    /// Whether a text, or a near-duplicate of it, is in a run's dataset, and under which
    /// agreement; shows no text of the dataset.
    #[command(group(clap::ArgGroup::new("what").required(true).multiple(true)))]
    Lookup {
        /// The run folder.
        #[arg(long, default_value = ".")]
        run: PathBuf,
        /// A text to look up.
        #[arg(long, group = "what")]
        text: Option<String>,
        /// A file of texts: JSON Lines with a `text` field (.jsonl), else one text per file.
        #[arg(long, group = "what")]
        file: Vec<PathBuf>,
        /// Print the answer as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Propose a profile whose thresholds keep a chosen share of sources you trust, and show
    /// what it would keep and remove on every source of the project.
    Calibrate {
        /// The project's zeef.toml.
        #[arg(long, default_value = "zeef.toml")]
        config: PathBuf,
        /// A trusted source (name in sources.toml); repeat for more, all of one profile.
        #[arg(long = "trust", required = true)]
        trust: Vec<String>,
        /// The share of the trusted documents the proposal keeps.
        #[arg(long, default_value_t = 0.99)]
        keep: f64,
        /// Documents read per source, from the start (0: all).
        #[arg(long, default_value_t = 0)]
        sample: usize,
        /// The name of the proposed profile.
        #[arg(long, default_value = "calibrated")]
        name: String,
        /// Start from this profile instead of the trusted sources' own.
        #[arg(long)]
        from: Option<String>,
        /// Write the proposed profile (with its report as comments) here instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum SourcesCommand {
    /// Validate sources.toml and print, per source, how many files and bytes it matches.
    Check {
        /// The project's zeef.toml.
        #[arg(long, default_value = "zeef.toml")]
        config: PathBuf,
    },
}

fn sources_check(config: &Path) -> Result<()> {
    let project = Project::load(config)?;
    let manifest = zeef_ingest::SourcesFile::load(&project.sources_path())?;
    let mut failed = 0;
    for source in &manifest.sources {
        match zeef_ingest::check_source(source, &manifest.base_dir) {
            Ok(check) => {
                print!("{check}");
                if !check.is_ok() {
                    failed += 1;
                }
            }
            Err(e) => {
                println!("{}: error: {e}", source.name);
                failed += 1;
            }
        }
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} sources have problems",
            manifest.sources.len()
        );
    }
    println!("{} sources ok", manifest.sources.len());
    Ok(())
}

fn demo_config() -> Result<PathBuf> {
    let dir = match std::env::var_os("ZEEF_DEMO_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo"),
    };
    let config = dir.join("zeef.toml");
    if !config.is_file() {
        anyhow::bail!(
            "the demo corpus is not at {} (run from a zeef checkout, or set ZEEF_DEMO_DIR)",
            dir.display()
        );
    }
    Ok(config)
}

fn run_project(config: &Path, out: Option<&Path>, tasks: usize) -> Result<()> {
    let project = Project::load(config)?;
    let outcome = zeef::runner::run_tasks(&project, config, out, tasks)?;
    print!(
        "{}",
        zeef::summary::render(
            &outcome.dir,
            &outcome.summary,
            project.config.run.max_words_removed_share
        )
    );
    Ok(())
}

fn main_inner(cli: Cli) -> Result<()> {
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("cannot start the thread pool")?;
    }
    match cli.command {
        Command::Demo { out } => {
            let config = demo_config()?;
            eprintln!("zeef: running the demo pipeline of {}", config.display());
            run_project(&config, Some(&out), 1)
        }
        Command::Init { dir } => {
            zeef::init::init(&dir)?;
            println!(
                "wrote a starting project to {0}\nrun it with: zeef run --config {0}",
                dir.join("zeef.toml").display()
            );
            Ok(())
        }
        Command::Run { config, out, tasks } => run_project(&config, out.as_deref(), tasks),
        Command::Slurm { command } => zeef::slurm::main(command),
        Command::Apply { stage, config } => {
            let project = config.as_deref().map(Project::load).transpose()?;
            let stdin = std::io::stdin().lock();
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            zeef::apply::apply(&stage, project.as_ref(), stdin, stdout)
        }
        Command::Withdraw {
            run,
            agreement,
            rights_holder,
            ids,
            domain,
            ledger,
            date,
            out,
        } => {
            use zeef::withdraw::{default_out, read_ids, withdraw, Selector};
            let date = match date {
                Some(d) => zeef_licensing::Date::parse(&d).map_err(anyhow::Error::msg)?,
                None => zeef_licensing::Date::today(),
            };
            let selector = match (agreement, rights_holder, ids, domain) {
                (Some(a), ..) => Selector::Agreement(a),
                (_, Some(r), ..) => Selector::RightsHolder(r),
                (_, _, Some(f), _) => Selector::Ids(read_ids(&f)?),
                (.., Some(d)) => Selector::Domain(d.to_ascii_lowercase()),
                _ => anyhow::bail!("say what to withdraw"),
            };
            let out = out.unwrap_or_else(|| default_out(&run, &date));
            let r = withdraw(&run, &out, &selector, &date, ledger.as_deref())?;
            println!(
                "withdrew {}: {} documents ({} words) removed from {} output shard(s), {} duplicate(s) promoted",
                r.selector,
                r.documents_removed,
                r.words_removed,
                r.shards_affected.len(),
                r.promoted.len()
            );
            if r.tokenized {
                println!(
                    "token shards that used withdrawn text: {}",
                    r.token_shards_affected.join(", ")
                );
            } else {
                println!("the run was not tokenized: no token shards or checkpoints used it");
            }
            for a in &r.ledger_updated {
                println!("recorded in the ledger: {a} withdrawn on {date}");
            }
            println!(
                "new version: {}
report:      {}",
                out.display(),
                out.join("withdrawal.json").display()
            );
            Ok(())
        }
        Command::Sources {
            command: SourcesCommand::Check { config },
        } => sources_check(&config),
        Command::Report { dir } => {
            zeef::reporting::rewrite_reports(&dir)?;
            for f in zeef_reports::REPORT_FILES {
                println!("{}", dir.join(f).display());
            }
            Ok(())
        }
        Command::Audit {
            dir,
            policy,
            ledger,
            date,
        } => {
            let date = match date {
                Some(d) => zeef_licensing::Date::parse(&d).map_err(anyhow::Error::msg)?,
                None => zeef_licensing::Date::today(),
            };
            let opts = zeef::audit::AuditOptions {
                policy,
                ledger,
                date,
            };
            let report = zeef::audit::audit(&dir, &opts)?;
            println!("audit of {}", dir.display());
            for c in &report.checked {
                println!("  checked: {c}");
            }
            if report.findings.is_empty() {
                println!("passed: no findings");
                return Ok(());
            }
            println!("{} finding(s):", report.findings.len());
            for f in &report.findings {
                println!("  - {f}");
            }
            anyhow::bail!("audit failed with {} finding(s)", report.findings.len())
        }
        Command::Calibrate {
            config,
            trust,
            keep,
            sample,
            name,
            from,
            out,
        } => {
            let project = Project::load(&config)?;
            let cal = zeef::calibrate::calibrate(
                &project,
                &zeef::calibrate::Options {
                    trusted: trust,
                    keep,
                    sample,
                    name,
                    from,
                },
            )?;
            match out {
                Some(path) => {
                    zeef::runner::write_atomic(&path, cal.toml.as_bytes())?;
                    eprintln!("zeef: wrote the proposed profile to {}", path.display());
                }
                None => print!("{}", cal.toml),
            }
            Ok(())
        }
        Command::Trace { id, run } => {
            print!("{}", zeef::trace::trace(&run, &id)?);
            Ok(())
        }
        Command::Lookup {
            run,
            text,
            file,
            json,
        } => {
            let mut queries = Vec::new();
            if let Some(t) = text {
                queries.push(zeef::lookup::Query {
                    label: "--text".into(),
                    text: t,
                });
            }
            for f in &file {
                queries.extend(zeef::lookup::read_queries(f)?);
            }
            let answers = zeef::lookup::lookup(&run, &queries)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&answers)?);
            } else {
                print!("{}", zeef::lookup::render(&answers));
            }
            Ok(())
        }
        #[cfg(feature = "pretrain")]
        Command::Pretrain(c) => zeef::pretrain_cli::run(c),
    }
}

fn main() -> ExitCode {
    // clap exits with 2 on usage errors by itself.
    let cli = Cli::parse();
    match main_inner(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("zeef: error: {e:#}");
            ExitCode::from(1)
        }
    }
}
