//! Writes the reports of a finished run: gathers what the run was made from (configuration,
//! input files, sources) and hands it to `zeef_reports`.

use crate::config::{Project, StageConfig};
use anyhow::{Context, Result};
use std::path::Path;
use zeef_core::RunSummary;
use zeef_ingest::SourcesFile;
use zeef_reports::{InputFile, RunContext, SourceInfo};

fn input(role: &str, source: Option<&str>, path: &Path, project_dir: &Path) -> Result<InputFile> {
    let (sha256, bytes) = zeef_reports::manifest::sha256_file(path)
        .with_context(|| format!("cannot hash input {}", path.display()))?;
    let shown = path.strip_prefix(project_dir).unwrap_or(path);
    Ok(InputFile {
        role: role.into(),
        source: source.map(String::from),
        path: shown.display().to_string(),
        bytes,
        sha256,
    })
}

/// The settings every stage runs with for sources of `profile`, as the manifest records them.
fn effective_stages(
    cfg: &crate::config::ZeefConfig,
    profile: &str,
) -> Result<Vec<serde_json::Value>> {
    cfg.profile_stages(profile)?
        .into_iter()
        .zip(&cfg.stages)
        .map(|(effective, configured)| {
            Ok(match effective {
                Some(sc) => serde_json::to_value(sc)?,
                None => serde_json::json!({"type": configured.kind(), "skipped": true}),
            })
        })
        .collect()
}

/// What the run was made from, for the manifest.
pub fn run_context(project: &Project) -> Result<RunContext> {
    let dir = &project.dir;
    let cfg = &project.config;
    let sources = SourcesFile::load(&project.sources_path())?;
    let policy = zeef_licensing::Policy::load(&project.policy_path())?;
    let ledger = cfg.stages.iter().find_map(|s| match s {
        StageConfig::Consent(c) => Some(dir.join(&c.ledger)),
        _ => None,
    });
    let mut inputs = Vec::new();
    // zeef.toml is whatever file the project was loaded from; its text is what counts.
    if let Some((_, text)) = project.texts.first() {
        inputs.push(InputFile {
            role: "config".into(),
            source: None,
            path: "zeef.toml".into(),
            bytes: text.len() as u64,
            sha256: zeef_reports::manifest::sha256_hex(text.as_bytes()),
        });
    }
    inputs.push(input("sources", None, &project.sources_path(), dir)?);
    inputs.push(input("policy", None, &project.policy_path(), dir)?);
    if let Some(l) = &ledger {
        inputs.push(input("ledger", None, l, dir)?);
    }
    let mut infos = Vec::new();
    for s in &sources.sources {
        for f in zeef_ingest::resolve_files(s, &sources.base_dir)? {
            inputs.push(input("data", Some(&s.name), &f, dir)?);
        }
        let profile = crate::config::ZeefConfig::source_profile(s);
        infos.push(SourceInfo {
            name: s.name.clone(),
            kind: s.kind.to_string(),
            licence: s.licence.clone(),
            rights_holder: s.rights_holder.clone(),
            agreement: s.agreement.clone(),
            profile: Some(profile.to_string()),
            stages: effective_stages(cfg, profile)?,
        });
    }
    Ok(RunContext {
        project_dir: dir.display().to_string(),
        config: serde_json::to_value(cfg)?,
        sources: infos,
        inputs,
        policy: project.policy_path().display().to_string(),
        ledger: ledger.map(|l| l.display().to_string()),
        purpose: Some(policy.purpose.clone()),
    })
}

/// Writes report.html, report.json, manifest.json, datasheet.md and the AI Act summary of a
/// finished run.
pub fn write_reports(project: &Project, dir: &Path, summary: &RunSummary) -> Result<()> {
    let ctx = run_context(project)?;
    zeef_reports::write_all(dir, summary, &ctx)
        .with_context(|| format!("cannot write the reports of {}", dir.display()))?;
    Ok(())
}

/// Writes the reports of a run folder again from its run.json and manifest.json.
pub fn rewrite_reports(dir: &Path) -> Result<()> {
    let summary = crate::audit::load_summary(dir)?;
    let manifest = zeef_reports::manifest::load(dir)?;
    zeef_reports::write_all(dir, &summary, &manifest.run)
        .with_context(|| format!("cannot write the reports of {}", dir.display()))?;
    Ok(())
}
