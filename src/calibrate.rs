//! `zeef calibrate`: thresholds measured on text a steward trusts, instead of copied constants.
//!
//! FineWeb-2 chose its per-language thresholds from the signal distributions of reference text;
//! calibrate does the same per profile. It runs the trusted sources through the cleaning stages
//! of their profile with every threshold switched off (a document a threshold would exclude
//! goes on, so every signal of every document is measured), and proposes, for each threshold
//! the stages declare ([`zeef_filters::THRESHOLDS`]), the value that keeps a chosen share of
//! that text. A proposal only ever relaxes a threshold: where the trusted text already passes
//! the recipe's value, the recipe's value stays. Documents that a stage without thresholds
//! excludes (another language, a confidentiality marking) are left out of the distributions
//! and counted. The proposal is then run, next to the profile it starts from, over every source
//! of the project, so the steward sees what it would change everywhere.

use crate::config::{BuildContext, BuiltStage, Project, StageConfig, ZeefConfig};
use crate::profiles::ProfileConfig;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Arc;
use zeef_core::{Document, Stage, Verdict};
use zeef_filters::{Bound, THRESHOLDS};
use zeef_ingest::{open_unit, work_units, SourcesFile};

/// What to calibrate on.
#[derive(Debug, Clone)]
pub struct Options {
    /// The trusted sources (names in `sources.toml`); they must share one profile.
    pub trusted: Vec<String>,
    /// The share of the trusted documents the proposal keeps, e.g. 0.99.
    pub keep: f64,
    /// Documents read per source (the first ones, in source order); 0 reads every document.
    pub sample: usize,
    /// The name of the proposed profile.
    pub name: String,
    /// The profile to start from instead of the trusted sources' own (e.g. `web`, to see what
    /// the recipes would need to keep a source).
    pub from: Option<String>,
}

/// One proposed threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// `stage.setting` or `stage.setting[n]`.
    pub key: String,
    /// The value the profile it starts from has.
    pub current: f64,
    /// The proposed value.
    pub proposed: f64,
    /// Trusted documents the current value keeps, of those measured.
    pub kept_now: usize,
    /// Trusted documents the proposed value keeps, of those measured.
    pub kept_proposed: usize,
    /// Trusted documents with the signal.
    pub measured: usize,
}

/// Documents and words one source keeps under a profile.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Kept {
    /// Documents read.
    pub documents: usize,
    /// Documents kept.
    pub kept: usize,
    /// Words read.
    pub words: u64,
    /// Words in the kept documents after cleaning.
    pub words_kept: u64,
}

/// The result of a calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The profile the trusted sources have, which the proposal extends.
    pub base: String,
    /// Trusted documents measured.
    pub measured: usize,
    /// Trusted documents left out because a stage without thresholds excluded them, per
    /// stage and reason.
    pub left_out: BTreeMap<String, usize>,
    /// The thresholds that change.
    pub proposals: Vec<Proposal>,
    /// Per source: (its profile, kept under its profile, kept under the proposal).
    pub sources: Vec<(String, String, Kept, Kept)>,
    /// The proposed profile as `zeef.toml` text, with this report as comments.
    pub toml: String,
}

fn build_chain(
    stages: &[Option<StageConfig>],
    ctx: &BuildContext,
) -> Result<Vec<(String, Box<dyn Stage>)>> {
    let mut out = Vec::new();
    for sc in stages.iter().flatten() {
        // Rights and dedup are not cleaning: what a profile cannot change, calibrate leaves out.
        if crate::profiles::FIXED.contains(&sc.kind()) {
            continue;
        }
        if let BuiltStage::Doc(s) = sc.build(ctx)? {
            out.push((sc.kind().to_string(), s));
        }
    }
    Ok(out)
}

/// Reads up to `sample` documents of source `src` (all with 0).
fn read_source(
    sources: &SourcesFile,
    src: &zeef_ingest::SourceConfig,
    sample: usize,
) -> Result<Vec<Document>> {
    let limit = if sample == 0 { usize::MAX } else { sample };
    let mut docs = Vec::new();
    'units: for unit in work_units(src, &sources.base_dir)? {
        for d in open_unit(src, &sources.base_dir, &unit)? {
            let d = d?;
            // Records the reader could not parse say nothing about thresholds.
            if d.is_kept() {
                docs.push(d);
            }
            if docs.len() >= limit {
                break 'units;
            }
        }
    }
    Ok(docs)
}

/// Runs `chain` over `docs` with thresholds off: a threshold stage's exclusion is undone so
/// later stages still measure the document. Returns per document its signals, or the stage and
/// reason of a stage without thresholds that excluded it.
fn measure(
    chain: &[(String, Box<dyn Stage>)],
    docs: &[Document],
) -> Vec<Result<BTreeMap<String, f64>, String>> {
    docs.par_iter()
        .map(|d| {
            let mut d = d.clone();
            for (kind, stage) in chain {
                stage.process(&mut d);
                if let Some(e) = d.exclusion() {
                    if THRESHOLDS.iter().any(|t| t.stage == kind) {
                        d.verdict = Verdict::Keep;
                    } else {
                        return Err(format!("{} {}", e.stage, e.reason.code()));
                    }
                }
            }
            Ok(d.signals.iter().map(|(k, v)| (k.to_string(), *v)).collect())
        })
        .collect()
}

/// What `chain` keeps of `docs`, in documents and words.
fn keeps(chain: &[(String, Box<dyn Stage>)], docs: &[Document]) -> Kept {
    let per: Vec<(bool, u64, u64)> = docs
        .par_iter()
        .map(|d| {
            let words = d.word_count() as u64;
            let mut d = d.clone();
            for (_, stage) in chain {
                if !d.is_kept() {
                    break;
                }
                stage.process(&mut d);
            }
            let kept = d.is_kept();
            (kept, words, if kept { d.word_count() as u64 } else { 0 })
        })
        .collect();
    Kept {
        documents: per.len(),
        kept: per.iter().filter(|p| p.0).count(),
        words: per.iter().map(|p| p.1).sum(),
        words_kept: per.iter().map(|p| p.2).sum(),
    }
}

/// Settings that hold whole numbers.
fn is_integer(setting: &str) -> bool {
    matches!(
        setting,
        "min_words" | "min_doc_words" | "max_doc_words" | "min_stop_words" | "min_num_sentences"
    )
}

/// The value of a threshold that keeps `share` of `values`, relaxed outward to a round value:
/// whole numbers for counts, four decimals for ratios.
fn quantile_threshold(values: &mut [f64], share: f64, bound: Bound, integer: bool) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let keep = ((share * n as f64).ceil() as usize).clamp(1, n);
    let v = match bound {
        Bound::Max => values[keep - 1],
        Bound::Min => values[n - keep],
    };
    if integer {
        return match bound {
            Bound::Max => v.ceil(),
            Bound::Min => v.floor(),
        };
    }
    // Signals are stored rounded to four decimals while the stages compare the exact ratio: one
    // step of that rounding outward keeps the document whose ratio was rounded down.
    let steps = (v * 1e4).round();
    match bound {
        Bound::Max => (steps + 1.0) / 1e4,
        Bound::Min => (steps - 1.0).max(0.0) / 1e4,
    }
}

/// Calibrates the thresholds of the trusted sources' profile; see the module docs.
pub fn calibrate(project: &Project, opts: &Options) -> Result<Calibration> {
    if !(0.0 < opts.keep && opts.keep < 1.0) {
        bail!(
            "--keep is a share between 0 and 1 (e.g. 0.99), not {}",
            opts.keep
        );
    }
    if opts.trusted.is_empty() {
        bail!("name at least one trusted source (--trust NAME)");
    }
    let sources = SourcesFile::load(&project.sources_path())?;
    let profile_of = |name: &str| {
        sources
            .sources
            .iter()
            .find(|s| s.name == name)
            .map(|s| ZeefConfig::source_profile(s).to_string())
    };
    let mut base: Option<String> = None;
    for t in &opts.trusted {
        let p = profile_of(t)
            .with_context(|| format!("no source `{t}` in {}", project.sources_path().display()))?;
        match &base {
            Some(b) if *b != p && opts.from.is_none() => bail!(
                "the trusted sources have different profiles (`{b}` and `{p}`): calibrate one profile at a time"
            ),
            _ => base = Some(p),
        }
    }
    let base = match &opts.from {
        Some(f) => f.clone(),
        None => base.context("no trusted source")?,
    };
    let cfg = &project.config;
    let ctx = BuildContext {
        policy: Arc::new(zeef_licensing::Policy::load(&project.policy_path())?),
        dir: project.dir.clone(),
    };
    let base_stages = cfg.profile_stages(&base)?;
    let chain = build_chain(&base_stages, &ctx)?;

    // Read once: the trusted documents are measured and then evaluated with the others.
    let mut trusted_docs = Vec::new();
    let mut trusted_range = BTreeMap::new();
    for src in sources
        .sources
        .iter()
        .filter(|s| opts.trusted.contains(&s.name))
    {
        let start = trusted_docs.len();
        trusted_docs.extend(read_source(&sources, src, opts.sample)?);
        trusted_range.insert(src.name.clone(), start..trusted_docs.len());
    }
    // Each threshold may lose at most its part of what the proposal may lose in all.
    let active = THRESHOLDS
        .iter()
        .filter(|t| base_stages.iter().flatten().any(|s| s.kind() == t.stage))
        .count();
    let share = 1.0 - (1.0 - opts.keep) / active.max(1) as f64;
    // A relaxed threshold changes what later stages see (C4 keeps and trims a document it
    // excluded before), so the proposal is measured again until the trusted text it keeps is
    // what was asked for.
    let mut all: BTreeMap<String, Proposal> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut stages_now = base_stages.clone();
    let mut with = cfg.clone();
    let (mut measured, mut left_out) = (0, BTreeMap::new());
    for _ in 0..4 {
        let chain = build_chain(&stages_now, &ctx)?;
        let (props, m, l) = round(&stages_now, &chain, &trusted_docs, share)?;
        (measured, left_out) = (m, l);
        let changed = !props.is_empty();
        for p in props {
            match all.get_mut(&p.key) {
                Some(e) => {
                    e.proposed = p.proposed;
                    e.kept_proposed = p.kept_proposed;
                    e.measured = p.measured;
                }
                None => {
                    order.push(p.key.clone());
                    all.insert(p.key.clone(), p);
                }
            }
        }
        let ordered: Vec<Proposal> = order.iter().filter_map(|k| all.get(k).cloned()).collect();
        let profile = proposal_profile(&base, &base_stages, &ordered, opts)?;
        with.profiles.insert(opts.name.clone(), profile);
        stages_now = with.profile_stages(&opts.name)?;
        let k = keeps(&build_chain(&stages_now, &ctx)?, &trusted_docs);
        let left: usize = left_out.values().sum();
        if !changed || k.kept as f64 >= opts.keep * (k.documents - left) as f64 {
            break;
        }
    }
    let proposals: Vec<Proposal> = order.iter().filter_map(|k| all.remove(k)).collect();
    let profile = with
        .profiles
        .get(&opts.name)
        .cloned()
        .context("the proposed profile")?;
    let proposed_chain = build_chain(&stages_now, &ctx)?;

    let mut per_source = Vec::new();
    for s in &sources.sources {
        let read;
        let docs: &[Document] = match trusted_range.get(&s.name) {
            Some(r) => &trusted_docs[r.clone()],
            None => {
                read = read_source(&sources, s, opts.sample)?;
                &read
            }
        };
        let own = ZeefConfig::source_profile(s).to_string();
        let own_chain = if own == base {
            None
        } else {
            Some(build_chain(&cfg.profile_stages(&own)?, &ctx)?)
        };
        let now = keeps(own_chain.as_deref().unwrap_or(&chain), docs);
        let then = keeps(&proposed_chain, docs);
        per_source.push((s.name.clone(), own, now, then));
    }
    let mut cal = Calibration {
        base,
        measured,
        left_out,
        proposals,
        sources: per_source,
        toml: String::new(),
    };
    cal.toml = render(&cal, &profile, opts)?;
    Ok(cal)
}

/// One round of calibration over `stages`: the thresholds that must relax to keep `share` of
/// the trusted documents each, the documents measured, and those left out.
fn round(
    stages: &[Option<StageConfig>],
    chain: &[(String, Box<dyn Stage>)],
    docs: &[Document],
    share: f64,
) -> Result<(Vec<Proposal>, usize, BTreeMap<String, usize>)> {
    let mut left_out: BTreeMap<String, usize> = BTreeMap::new();
    let mut signals = Vec::new();
    for m in measure(chain, docs) {
        match m {
            Ok(s) => signals.push(s),
            Err(why) => *left_out.entry(why).or_default() += 1,
        }
    }
    if signals.is_empty() {
        bail!("no trusted document reached the quality stages (left out: {left_out:?})");
    }
    // Settings shared by two signals (the symbol ratio bounds `#` and ellipses) take the
    // laxer of their proposals.
    let mut by_key: BTreeMap<String, Proposal> = BTreeMap::new();
    let mut order = Vec::new();
    for t in THRESHOLDS {
        let Some(st) = stages.iter().flatten().find(|s| s.kind() == t.stage) else {
            continue;
        };
        let Some(current) = t.value_in(&serde_json::to_value(st)?) else {
            continue;
        };
        let mut values: Vec<f64> = signals
            .iter()
            .filter_map(|s| s.get(t.signal).copied())
            .collect();
        if values.is_empty() {
            continue;
        }
        let q = quantile_threshold(&mut values, share, t.bound, is_integer(t.setting));
        let proposed = match t.bound {
            Bound::Max => q.max(current),
            Bound::Min => q.min(current),
        };
        let count = |v: f64| values.iter().filter(|&&x| t.passes(x, v)).count();
        let key = t.key();
        let p = Proposal {
            key: key.clone(),
            current,
            proposed,
            kept_now: count(current),
            kept_proposed: count(proposed),
            measured: values.len(),
        };
        match by_key.get(&key) {
            Some(old) if laxer(t.bound, old.proposed, p.proposed) => {}
            Some(_) => {
                by_key.insert(key, p);
            }
            None => {
                order.push(key.clone());
                by_key.insert(key, p);
            }
        }
    }
    let proposals = order
        .iter()
        .filter_map(|k| by_key.remove(k))
        .filter(|p| p.proposed != p.current)
        .collect();
    Ok((proposals, signals.len(), left_out))
}

/// Whether `a` is at least as lax as `b` for a threshold with `bound`.
fn laxer(bound: Bound, a: f64, b: f64) -> bool {
    match bound {
        Bound::Max => a >= b,
        Bound::Min => a <= b,
    }
}

/// The proposed profile: `extends` the base, with the changed settings.
fn proposal_profile(
    base: &str,
    base_stages: &[Option<StageConfig>],
    proposals: &[Proposal],
    opts: &Options,
) -> Result<ProfileConfig> {
    let mut stages: BTreeMap<String, toml::Table> = BTreeMap::new();
    for p in proposals {
        let Some(t) = THRESHOLDS.iter().find(|t| t.key() == p.key) else {
            continue;
        };
        let table = stages.entry(t.stage.to_string()).or_default();
        let value = if t.n == 0 {
            if is_integer(t.setting) {
                toml::Value::Integer(p.proposed as i64)
            } else {
                toml::Value::Float(p.proposed)
            }
        } else {
            // A list of [n, value] pairs: the base's list with this entry replaced.
            let list = match table.get(t.setting) {
                Some(v) => v.clone(),
                None => {
                    let st = base_stages
                        .iter()
                        .flatten()
                        .find(|s| s.kind() == t.stage)
                        .context("stage of a proposal")?;
                    let tbl = toml::Table::try_from(st)?;
                    tbl.get(t.setting).cloned().context("list setting")?
                }
            };
            let mut items = list.as_array().cloned().unwrap_or_default();
            for item in &mut items {
                if let Some(pair) = item.as_array_mut() {
                    if pair.first().and_then(toml::Value::as_integer) == Some(t.n as i64) {
                        if let Some(slot) = pair.get_mut(1) {
                            *slot = toml::Value::Float(p.proposed);
                        }
                    }
                }
            }
            toml::Value::Array(items)
        };
        table.insert(t.setting.to_string(), value);
    }
    Ok(ProfileConfig {
        description: Some(format!(
            "{base}, with thresholds calibrated by `zeef calibrate` on {} (keep {:.1}%)",
            opts.trusted.join(", "),
            100.0 * opts.keep
        )),
        extends: Some(base.to_string()),
        skip: Vec::new(),
        stages,
    })
}

fn pct(a: usize, b: usize) -> f64 {
    100.0 * a as f64 / b.max(1) as f64
}

fn render(cal: &Calibration, profile: &ProfileConfig, opts: &Options) -> Result<String> {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Proposed by `zeef calibrate --trust {} --keep {}{}`: the profile `{}` with the thresholds that keep {:.1}% of {} trusted documents.",
        opts.trusted.join(" --trust "),
        opts.keep,
        opts.from.as_deref().map(|f| format!(" --from {f}")).unwrap_or_default(),
        cal.base,
        100.0 * opts.keep,
        cal.measured
    );
    if !cal.left_out.is_empty() {
        let _ = writeln!(
            s,
            "# Left out (excluded by a stage without thresholds): {}",
            cal.left_out
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let _ = writeln!(s, "#\n# threshold                              now      proposed   trusted documents kept (now -> proposed)");
    for p in &cal.proposals {
        let _ = writeln!(
            s,
            "# {:<38} {:<8} {:<10} {} -> {} of {} ({:.2}% -> {:.2}%)",
            p.key,
            p.current,
            p.proposed,
            p.kept_now,
            p.kept_proposed,
            p.measured,
            pct(p.kept_now, p.measured),
            pct(p.kept_proposed, p.measured)
        );
    }
    if cal.proposals.is_empty() {
        let _ = writeln!(
            s,
            "# (every threshold already keeps the trusted text: nothing to change)"
        );
    }
    let _ = writeln!(
        s,
        "#\n# What it changes on every source of the project (documents and words kept):"
    );
    let _ = writeln!(
        s,
        "# {:<16} {:<10} {:>22} {:>22}",
        "source",
        "profile",
        "with its profile",
        &format!("with {}", opts.name)
    );
    for (name, own, now, then) in &cal.sources {
        let _ = writeln!(
            s,
            "# {:<16} {:<10} {:>7} docs {:>6.1}% words {:>7} docs {:>6.1}% words",
            name,
            own,
            format!("{:.1}%", pct(now.kept, now.documents)),
            100.0 * now.words_kept as f64 / now.words.max(1) as f64,
            format!("{:.1}%", pct(then.kept, then.documents)),
            100.0 * then.words_kept as f64 / then.words.max(1) as f64,
        );
    }
    for (name, _, _, then) in cal.sources.iter().filter(|x| opts.trusted.contains(&x.0)) {
        let words = then.words_kept as f64 / then.words.max(1) as f64;
        if words < opts.keep {
            let _ = writeln!(
                s,
                "# Note: {name} keeps {:.1}% of its words. Thresholds exclude whole documents; what else is lost, line rules (C4's terminal punctuation and short lines, ...) removed from kept documents: those are settings, not thresholds, and a profile such as `legal` or `book` turns them off.",
                100.0 * words
            );
        }
    }
    let _ = writeln!(s, "# To use it: paste this into zeef.toml and set `profile = \"{}\"` on the sources it fits.\n", opts.name);
    let mut wrapper = toml::Table::new();
    let mut profiles = toml::Table::new();
    profiles.insert(opts.name.clone(), toml::Value::try_from(profile)?);
    wrapper.insert("profile".into(), toml::Value::Table(profiles));
    s.push_str(&toml::to_string(&wrapper)?);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_relax_outward_to_round_values() {
        let mut v: Vec<f64> = (1..=100).map(|i| f64::from(i) / 100.0).collect();
        // Keep 99 of 100 below a maximum: the 99th value, one rounding step up.
        assert_eq!(quantile_threshold(&mut v, 0.99, Bound::Max, false), 0.9901);
        // Keep 99 of 100 above a minimum: the second value, one rounding step down.
        assert_eq!(quantile_threshold(&mut v, 0.99, Bound::Min, false), 0.0199);
        let mut w = vec![3.0, 7.0, 12.5, 50.0];
        assert_eq!(quantile_threshold(&mut w, 0.75, Bound::Max, true), 13.0);
        assert_eq!(quantile_threshold(&mut w, 1.0, Bound::Min, true), 3.0);
    }

    #[test]
    fn demo_laws_calibrated_from_the_web_recipes_keep_99_percent() {
        let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/zeef.toml");
        let project = Project::load(&demo).expect("demo project");
        let cal = calibrate(
            &project,
            &Options {
                trusted: vec!["laws".into()],
                keep: 0.99,
                sample: 0,
                name: "calibrated".into(),
                from: Some("web".into()),
            },
        )
        .expect("calibrate");
        assert_eq!(cal.base, "web");
        assert_eq!(cal.measured, 40);
        assert!(!cal.proposals.is_empty());
        // Every proposal relaxes, and keeps more of the laws than the recipe did.
        for p in &cal.proposals {
            assert!(p.kept_proposed > p.kept_now, "{p:?}");
        }
        let (_, own, _, then) = cal
            .sources
            .iter()
            .find(|s| s.0 == "laws")
            .expect("laws evaluated");
        assert_eq!(own, "legal");
        assert!(
            then.kept as f64 >= 0.99 * then.documents as f64,
            "the proposal keeps {} of {} laws",
            then.kept,
            then.documents
        );
        // Every source of the project is shown.
        assert_eq!(cal.sources.len(), 8);
        // What it writes is a profile zeef.toml accepts, with the report as comments.
        let text = format!(
            "[[stage]]\ntype = \"gopher_repetition\"\n[[stage]]\ntype = \"c4\"\n{}",
            cal.toml
        );
        let cfg = ZeefConfig::parse(&text).expect("the proposal parses");
        let applied = cfg.profile_stages("calibrated").expect("applies");
        assert!(matches!(&applied[1], Some(StageConfig::C4(c)) if c.min_num_sentences == 4));
        assert!(cal.toml.contains("# laws"));
    }
}
