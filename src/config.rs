//! `zeef.toml`: the run's stages and thresholds, and where its other files are.

use crate::profiles::{ProfileConfig, DEFAULT_PROFILE};
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use zeef_core::{GlobalStage, Stage};
use zeef_dedup::{
    ExactDedup, ExactDedupConfig, LicenceRank, LineDedup, LineDedupConfig, NearDedup,
    NearDedupConfig,
};
use zeef_filters::{
    BadWords, BadWordsConfig, C4Config, Confidential, ConfidentialConfig, Decontaminate,
    DecontaminateConfig, FinewebQuality, FinewebQualityConfig, GopherQuality, GopherQualityConfig,
    GopherRepetition, GopherRepetitionConfig, Language, LanguageConfig, MinLength, MinLengthConfig,
    Normalise, NormaliseConfig, Pii, PiiConfig, UrlBlocklist, UrlBlocklistConfig, C4,
};
use zeef_licensing::{
    ConsentConfig, ConsentStage, Date, Ledger, LicenceStage, OptOutConfig, OptOutStage, OptOuts,
    Policy,
};

fn default_out() -> PathBuf {
    PathBuf::from("zeef-out")
}
fn default_batch_size() -> usize {
    1024
}
fn default_shard_rows() -> usize {
    200_000
}
fn default_checkpoint_batches() -> usize {
    256
}
fn default_max_words_removed_share() -> f64 {
    0.05
}

/// The `[run]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// The run folder, relative to `zeef.toml`.
    #[serde(default = "default_out")]
    pub out: PathBuf,
    /// Documents per batch: the unit of parallel work and of memory.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// Rows per output shard.
    #[serde(default = "default_shard_rows")]
    pub shard_rows: usize,
    /// Batches between checkpoints inside a task: a killed task resumes from its last one.
    #[serde(default = "default_checkpoint_batches")]
    pub checkpoint_batches: usize,
    /// Tasks of the `near_dedup` bucket phase, each hashing its share of the LSH bands (default:
    /// the run's task count); at most the stage's `bands` are used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bucket_tasks: Option<usize>,
    /// The share of the words of kept documents that stages may remove (C4 line rules, ...)
    /// before the run warns that its cleaning cuts text, per source. Default 0.05.
    #[serde(default = "default_max_words_removed_share")]
    pub max_words_removed_share: f64,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            out: default_out(),
            batch_size: default_batch_size(),
            shard_rows: default_shard_rows(),
            checkpoint_batches: default_checkpoint_batches(),
            bucket_tasks: None,
            max_words_removed_share: default_max_words_removed_share(),
        }
    }
}

/// The stage registry: one row per stage type, from which the configuration enum, its type
/// names, its defaults and its builder are all generated. Adding a stage is its own module
/// and one row here. A row is `Variant(Config) => "type", default, |name, config, ctx| build;`
/// where `default` is an expression of the stage's default configuration or `None` for a
/// stage with a required setting, and `build` returns a [`BuiltStage`] or an error.
macro_rules! stage_registry {
    ($(
        $(#[$doc:meta])*
        $variant:ident($cfg:ty) => $kind:literal, $default:expr,
            |$name:ident, $c:ident, $ctx:ident| $build:expr;
    )*) => {
        /// One configured stage. Every stage type is a variant here, and
        /// [`StageConfig::build`] matches exhaustively, so a stage that can be configured but
        /// not built does not compile.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
        pub enum StageConfig {
            $($(#[$doc])* $variant($cfg),)*
        }

        impl StageConfig {
            /// The stage type, which is also its name in verdicts.
            pub fn kind(&self) -> &'static str {
                match self { $(StageConfig::$variant(..) => $kind,)* }
            }

            /// The stage types `zeef apply` and the config accept.
            pub const KINDS: &'static [&'static str] = &[$($kind),*];

            /// The stage with its default settings (`None` for an unknown type, or one that
            /// has a required setting).
            pub fn default_for(kind: &str) -> Option<StageConfig> {
                match kind {
                    $($kind => {
                        let d: Option<$cfg> = $default;
                        d.map(StageConfig::$variant)
                    })*
                    _ => None,
                }
            }

            /// Builds the runtime stage; loading what it needs (a ledger, a list) can fail.
            pub fn build(&self, ctx: &BuildContext) -> Result<BuiltStage> {
                match self {
                    $(StageConfig::$variant(config) => {
                        let ($name, $c, $ctx): (&str, &$cfg, &BuildContext) = ($kind, config, ctx);
                        $build
                    })*
                }
            }
        }
    };
}

/// The `licence` stage has no settings of its own: the policy is `policy.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenceConfig {}

fn rank(ctx: &BuildContext) -> LicenceRank {
    let p = ctx.policy.clone();
    Arc::new(move |l| p.licence_rank(l))
}

stage_registry! {
    /// Licence check against `policy.toml`.
    Licence(LicenceConfig) => "licence", Some(LicenceConfig {}),
        |name, _c, ctx| Ok(doc(LicenceStage::new(name, ctx.policy.as_ref().clone())));
    /// Agreement check against the consent ledger.
    Consent(ConsentConfig) => "consent", Some(ConsentConfig::default()),
        |name, c, ctx| {
            let ledger = Ledger::load(&ctx.dir.join(&c.ledger))?;
            let date = c.reference_date.clone().unwrap_or_else(Date::today);
            Ok(doc(ConsentStage::new(name, Arc::new(ledger), ctx.policy.clone(), date)))
        };
    /// TDMRep, robots `noai` and domain opt-outs.
    OptOut(OptOutConfig) => "opt_out", Some(OptOutConfig::default()),
        |name, c, ctx| Ok(doc(OptOutStage::new(name, Arc::new(OptOuts::load(c, &ctx.dir)?))));
    /// Unicode NFC, mojibake repair, control characters, whitespace, wrapped lines.
    Normalise(NormaliseConfig) => "normalise", Some(NormaliseConfig::default()),
        |name, c, _ctx| Ok(doc(Normalise::new(name, c.clone())));
    /// Language identification.
    Language(LanguageConfig) => "language", Some(LanguageConfig::default()),
        |name, c, _ctx| Ok(doc(Language::new(name, c.clone())));
    /// Minimum number of words.
    MinLength(MinLengthConfig) => "min_length", Some(MinLengthConfig::default()),
        |name, c, _ctx| Ok(doc(MinLength::new(name, c.clone())));
    /// Gopher quality rules (word count and length, symbols, bullets, stop words).
    GopherQuality(GopherQualityConfig) => "gopher_quality", Some(GopherQualityConfig::default()),
        |name, c, _ctx| Ok(doc(GopherQuality::new(name, c.clone())));
    /// Gopher repetition rules (duplicate lines, paragraphs and n-grams).
    GopherRepetition(GopherRepetitionConfig) => "gopher_repetition",
        Some(GopherRepetitionConfig::default()),
        |name, c, _ctx| Ok(doc(GopherRepetition::new(name, c.clone()).map_err(|e| stage_err(name, e))?));
    /// C4 line rules with Dutch boilerplate phrases.
    C4(C4Config) => "c4", Some(C4Config::default()),
        |name, c, _ctx| Ok(doc(C4::new(name, c.clone()).map_err(|e| stage_err(name, e))?));
    /// FineWeb line rules.
    FinewebQuality(FinewebQualityConfig) => "fineweb_quality", Some(FinewebQualityConfig::default()),
        |name, c, _ctx| Ok(doc(FinewebQuality::new(name, c.clone())));
    /// Dutch bad-word ratio (LDNOOBW).
    BadWords(BadWordsConfig) => "bad_words", Some(BadWordsConfig::default()),
        |name, c, _ctx| Ok(doc(BadWords::new(name, c.clone())));
    /// URL and domain blocklist.
    UrlBlocklist(UrlBlocklistConfig) => "url_blocklist", Some(UrlBlocklistConfig::default()),
        |name, c, ctx| {
            let mut c = c.clone();
            c.domains_file = c.domains_file.map(|f| ctx.dir.join(f));
            Ok(doc(UrlBlocklist::new(name, c).map_err(|e| stage_err(name, e))?))
        };
    /// Markings of confidential government documents.
    Confidential(ConfidentialConfig) => "confidential", Some(ConfidentialConfig::default()),
        |name, c, _ctx| Ok(doc(Confidential::new(name, c.clone())));
    /// Personal data replaced by placeholders or pseudonyms.
    Pii(PiiConfig) => "pii", Some(PiiConfig::default()),
        |name, c, ctx| {
            // A lexicon path is relative to zeef.toml, like every path of the project.
            let mut c = c.clone();
            c.name_lexicon_dir = c.name_lexicon_dir.map(|d| ctx.dir.join(d));
            Ok(doc(Pii::new(name, c).map_err(|e| stage_err(name, e))?))
        };
    /// 13-gram overlap with evaluation sets (it needs one: no default).
    Decontaminate(DecontaminateConfig) => "decontaminate", None,
        |name, c, ctx| {
            let mut c = c.clone();
            c.eval_dir = ctx.dir.join(&c.eval_dir);
            Ok(doc(Decontaminate::new(name, c).map_err(|e| stage_err(name, e))?))
        };
    /// Exact duplicates by xxh3-128 of the text (runs over the whole run).
    ExactDedup(ExactDedupConfig) => "exact_dedup", Some(ExactDedupConfig::default()),
        |name, c, ctx| Ok(BuiltStage::Global(Box::new(ExactDedup::new(name, c.clone(), rank(ctx)))));
    /// Near duplicates by MinHash-LSH (runs over the whole run).
    NearDedup(NearDedupConfig) => "near_dedup", Some(NearDedupConfig::default()),
        |name, c, ctx| {
            c.validate().map_err(|e| stage_err(name, e))?;
            Ok(BuiltStage::Global(Box::new(NearDedup::new(name, c.clone(), rank(ctx)))))
        };
    /// Lines or paragraphs repeated across documents (runs over the whole run).
    LineDedup(LineDedupConfig) => "line_dedup", Some(LineDedupConfig::default()),
        |name, c, _ctx| {
            c.validate().map_err(|e| stage_err(name, e))?;
            Ok(BuiltStage::Global(Box::new(LineDedup::new(name, c.clone()))))
        };
}

/// A stage ready to run.
pub enum BuiltStage {
    /// Per document.
    Doc(Box<dyn Stage>),
    /// Over all kept documents.
    Global(Box<dyn GlobalStage>),
}

impl StageConfig {
    /// The reference date of a consent stage: the configured one or today.
    pub fn reference_date(&self) -> Option<Date> {
        match self {
            StageConfig::Consent(c) => Some(c.reference_date.clone().unwrap_or_else(Date::today)),
            _ => None,
        }
    }
}

fn doc(stage: impl Stage + 'static) -> BuiltStage {
    BuiltStage::Doc(Box::new(stage))
}

fn stage_err(name: &str, e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("stage `{name}`: {e}")
}

/// What building a stage may need besides its own configuration.
pub struct BuildContext {
    /// The licence policy.
    pub policy: Arc<Policy>,
    /// The folder relative paths of stage configurations are resolved against.
    pub dir: PathBuf,
}

fn default_sources() -> PathBuf {
    PathBuf::from("sources.toml")
}
fn default_policy() -> PathBuf {
    PathBuf::from("policy.toml")
}

/// `zeef.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZeefConfig {
    /// The source manifest, relative to `zeef.toml`.
    #[serde(default = "default_sources")]
    pub sources: PathBuf,
    /// The licence policy, relative to `zeef.toml`.
    #[serde(default = "default_policy")]
    pub policy: PathBuf,
    /// Run settings.
    #[serde(default)]
    pub run: RunConfig,
    /// The stages, in order.
    #[serde(default, rename = "stage")]
    pub stages: Vec<StageConfig>,
    /// Source profiles defined or replaced by the project (`[profile.NAME]`); see
    /// [`crate::profiles`].
    #[serde(
        default,
        rename = "profile",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub profiles: BTreeMap<String, ProfileConfig>,
    /// Where, when and by whom the dataset is published (`[publication]`): fills Croissant,
    /// the dataset card and section 1.1 of the AI Act summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<zeef_reports::Publication>,
}

/// A loaded configuration with its paths resolved.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder of `zeef.toml`.
    pub dir: PathBuf,
    /// The configuration.
    pub config: ZeefConfig,
    /// The text of every configuration file, for the run's configuration hash.
    pub texts: Vec<(String, String)>,
}

impl ZeefConfig {
    /// Parses `zeef.toml` text.
    pub fn parse(text: &str) -> std::result::Result<Self, String> {
        let config: ZeefConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::BTreeSet::new();
        for s in &config.stages {
            if !seen.insert(s.kind()) {
                return Err(format!("stage `{}` is configured twice", s.kind()));
            }
        }
        if config.run.batch_size == 0
            || config.run.shard_rows == 0
            || config.run.checkpoint_batches == 0
            || config.run.bucket_tasks == Some(0)
        {
            return Err(
                "run.batch_size, run.shard_rows, run.checkpoint_batches and run.bucket_tasks must be at least 1"
                    .into(),
            );
        }
        if !(0.0..=1.0).contains(&config.run.max_words_removed_share) {
            return Err("run.max_words_removed_share is a share between 0 and 1".into());
        }
        // Every profile the project defines must apply to its stages, so a wrong setting fails
        // here rather than when the first source that uses it is read.
        for name in config.profiles.keys() {
            config.profile_stages(name).map_err(|e| format!("{e:#}"))?;
        }
        if let Some(p) = &config.publication {
            let problems = p.problems();
            if !problems.is_empty() {
                return Err(problems.join("; "));
            }
        }
        Ok(config)
    }

    /// The stages a source with profile `name` runs (`None` where the profile skips one).
    pub fn profile_stages(&self, name: &str) -> Result<Vec<Option<StageConfig>>> {
        crate::profiles::resolve(name, &self.profiles)?.apply(&self.stages)
    }

    /// The profile of a source: its own, or the default.
    pub fn source_profile(source: &zeef_ingest::SourceConfig) -> &str {
        source.profile.as_deref().unwrap_or(DEFAULT_PROFILE)
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

impl Project {
    /// Loads `zeef.toml` and checks that the files it names exist.
    pub fn load(path: &Path) -> Result<Project> {
        let text = read(path)?;
        let config =
            ZeefConfig::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."));
        let mut texts = vec![("zeef.toml".to_string(), text)];
        for p in [&config.sources, &config.policy] {
            let full = dir.join(p);
            if !full.is_file() {
                bail!(
                    "{}: `{}` names {}, which does not exist",
                    path.display(),
                    p.display(),
                    full.display()
                );
            }
            texts.push((p.display().to_string(), read(&full)?));
        }
        Ok(Project { dir, config, texts })
    }

    /// Path of `sources.toml`.
    pub fn sources_path(&self) -> PathBuf {
        self.dir.join(&self.config.sources)
    }

    /// Path of `policy.toml`.
    pub fn policy_path(&self) -> PathBuf {
        self.dir.join(&self.config.policy)
    }

    /// xxh3-64 over the configuration files, hex: two runs with the same hash had the same
    /// configuration.
    pub fn config_hash(&self) -> String {
        let mut all = Vec::new();
        for (name, text) in &self.texts {
            all.extend_from_slice(name.as_bytes());
            all.push(0);
            all.extend_from_slice(text.as_bytes());
            all.push(0);
        }
        format!(
            "{:016x}",
            xxhash_rust::xxh3::xxh3_64_with_seed(&all, zeef_core::HASH_SEED)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_parse_with_defaults_and_reject_unknown_keys() {
        let c = ZeefConfig::parse(
            "[[stage]]\ntype = \"licence\"\n[[stage]]\ntype = \"min_length\"\nmin_words = 10\n[[stage]]\ntype = \"exact_dedup\"\n",
        )
        .expect("parse");
        assert_eq!(c.stages.len(), 3);
        assert_eq!(
            c.stages[1],
            StageConfig::MinLength(MinLengthConfig { min_words: 10 })
        );
        let err = ZeefConfig::parse("[[stage]]\ntype = \"min_length\"\nmin_wrds = 10\n")
            .expect_err("unknown key");
        assert!(err.contains("min_wrds"), "{err}");
        let err = ZeefConfig::parse("[[stage]]\ntype = \"nope\"\n").expect_err("unknown type");
        assert!(err.contains("nope"), "{err}");
        let err = ZeefConfig::parse("[publication]\nurl = \"example.org\"\n").expect_err("url");
        assert!(err.contains("publication.url"), "{err}");
        let err = ZeefConfig::parse("[publication]\nauthor = \"TNO\"\n").expect_err("key");
        assert!(err.contains("author"), "{err}");
        for kind in StageConfig::KINDS {
            // Decontamination needs an evaluation set: it has no default.
            let expected = (*kind != "decontaminate").then_some(*kind);
            assert_eq!(StageConfig::default_for(kind).map(|s| s.kind()), expected);
        }
    }
}
