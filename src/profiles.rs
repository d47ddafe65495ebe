//! Per-source profiles: which cleaning stages run for a source, with which settings.
//!
//! Curated sources (legislation, rulings, books, news archives) are not web crawl: rules tuned
//! on crawl remove their good text. A source in `sources.toml` names a profile
//! (`profile = "legal"`, default `web`); zeef ships the profiles in `profiles.toml` beside this
//! file, and a project defines its own or extends these in `zeef.toml`:
//!
//! ```toml
//! [profile.statute]
//! extends = "legal"            # start from a built-in (or another project) profile
//! description = "Consolidated statutes"
//! skip = ["bad_words"]          # stage types not run for these sources
//! [profile.statute.c4]          # settings over those of the `[[stage]]` of that type
//! min_num_sentences = 2
//! ```
//!
//! A project profile with a built-in profile's name replaces it. Rights stages (licence,
//! consent, opt-out) and global stages (dedup) are the same for every source: a profile that
//! names them is an error, as is an unknown stage type or setting.

use crate::config::StageConfig;
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The profile of a source that names none: the published recipes as they are.
pub const DEFAULT_PROFILE: &str = "web";

/// Stage types a profile may not skip or change: rights are decided the same way for every
/// source, and global stages decide across sources.
pub(crate) const FIXED: &[&str] = &[
    "licence",
    "consent",
    "opt_out",
    "exact_dedup",
    "near_dedup",
    "line_dedup",
];

/// One `[profile.NAME]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileConfig {
    /// What kind of text the profile is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A profile whose skips and settings this one starts from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Stage types not run for sources with this profile.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skip: Vec<String>,
    /// Settings per stage type, over those of the configured `[[stage]]`.
    #[serde(flatten)]
    pub stages: BTreeMap<String, toml::Table>,
}

#[derive(Deserialize)]
struct ProfilesFile {
    profile: BTreeMap<String, ProfileConfig>,
}

/// The built-in profiles (`src/profiles.toml`).
pub fn builtin() -> &'static BTreeMap<String, ProfileConfig> {
    static BUILTIN: OnceLock<BTreeMap<String, ProfileConfig>> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        toml::from_str::<ProfilesFile>(include_str!("profiles.toml"))
            .map(|f| f.profile)
            // The file is part of the binary and a unit test parses it.
            .unwrap_or_default()
    })
}

/// A profile with `extends` resolved: what a source with it runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// The profile's name.
    pub name: String,
    /// What it is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Stage types skipped.
    pub skip: Vec<String>,
    /// Settings per stage type.
    pub stages: BTreeMap<String, toml::Table>,
}

/// Resolves profile `name` against the project's profiles, then the built-in ones.
pub fn resolve(name: &str, project: &BTreeMap<String, ProfileConfig>) -> Result<Profile> {
    let mut chain = Vec::new();
    let mut next = Some(name.to_string());
    while let Some(n) = next {
        if chain
            .iter()
            .any(|(m, _): &(String, &ProfileConfig)| *m == n)
        {
            bail!("profile `{name}`: `extends` loops back to `{n}`");
        }
        let p = project
            .get(&n)
            .or_else(|| builtin().get(&n))
            .ok_or_else(|| {
                let mut known: Vec<&String> = project.keys().chain(builtin().keys()).collect();
                known.sort();
                known.dedup();
                anyhow!(
                    "profile `{n}` is not defined (built-in or in zeef.toml: {})",
                    known
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        next = p.extends.clone();
        chain.push((n, p));
    }
    let mut out = Profile {
        name: name.to_string(),
        description: None,
        skip: Vec::new(),
        stages: BTreeMap::new(),
    };
    // From the root of `extends` to the profile itself, so the profile's own settings win.
    for (n, p) in chain.iter().rev() {
        if p.description.is_some() {
            out.description.clone_from(&p.description);
        }
        for s in &p.skip {
            check_kind(n, s)?;
            if !out.skip.contains(s) {
                out.skip.push(s.clone());
            }
        }
        for (kind, table) in &p.stages {
            check_kind(n, kind)?;
            let into = out.stages.entry(kind.clone()).or_default();
            for (k, v) in table {
                if k == "type" {
                    bail!("profile `{n}`: [profile.{n}.{kind}] cannot set `type`");
                }
                into.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(out)
}

fn check_kind(profile: &str, kind: &str) -> Result<()> {
    if FIXED.contains(&kind) {
        bail!(
            "profile `{profile}` names `{kind}`: licence, consent, opt-out and dedup stages run the same for every source and a profile cannot skip or change them"
        );
    }
    if !StageConfig::KINDS.contains(&kind) {
        bail!(
            "profile `{profile}` names `{kind}`, which is not a stage type (one of {})",
            StageConfig::KINDS.join(", ")
        );
    }
    Ok(())
}

impl Profile {
    /// The stages a source with this profile runs: `stages` without the skipped ones, each with
    /// the profile's settings over its own. `None` for a skipped stage keeps positions aligned
    /// with the configured list.
    pub fn apply(&self, stages: &[StageConfig]) -> Result<Vec<Option<StageConfig>>> {
        stages
            .iter()
            .map(|sc| {
                let kind = sc.kind();
                if self.skip.iter().any(|s| s == kind) {
                    return Ok(None);
                }
                let Some(over) = self.stages.get(kind) else {
                    return Ok(Some(sc.clone()));
                };
                let mut table = toml::Table::try_from(sc)
                    .with_context(|| format!("stage `{kind}` cannot be written as TOML"))?;
                for (k, v) in over {
                    table.insert(k.clone(), v.clone());
                }
                let merged: StageConfig = toml::Value::Table(table).try_into().map_err(|e| {
                    anyhow!(
                        "profile `{}`, [profile.{}.{kind}]: {}",
                        self.name,
                        self.name,
                        e.to_string().trim()
                    )
                })?;
                Ok(Some(merged))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ZeefConfig;

    fn stages(text: &str) -> Vec<StageConfig> {
        ZeefConfig::parse(text).expect("config").stages
    }

    #[test]
    fn builtin_profiles_parse_and_apply_to_the_demo_stages() {
        let demo = stages(include_str!("../data/demo/zeef.toml"));
        for name in ["web", "legal", "book", "news", "reference"] {
            let p = resolve(name, &BTreeMap::new()).expect(name);
            let applied = p.apply(&demo).expect(name);
            assert_eq!(applied.len(), demo.len());
            // Rights and dedup stages are never skipped or changed.
            for (a, b) in applied.iter().zip(&demo) {
                if FIXED.contains(&b.kind()) {
                    assert_eq!(a.as_ref(), Some(b));
                }
            }
        }
        let legal = resolve("legal", &BTreeMap::new()).expect("legal");
        let applied = legal.apply(&demo).expect("legal");
        assert!(applied
            .iter()
            .flatten()
            .all(|s| s.kind() != "gopher_repetition"));
        let c4 = applied
            .iter()
            .flatten()
            .find_map(|s| match s {
                StageConfig::C4(c) => Some(c.clone()),
                _ => None,
            })
            .expect("c4 runs");
        assert!(!c4.filter_no_terminal_punct);
        assert_eq!(c4.min_num_sentences, 1);
        // `web` is the recipes, but for C4's bracket rule.
        let web = resolve("web", &BTreeMap::new())
            .expect("web")
            .apply(&demo)
            .expect("web");
        for (w, d) in web.iter().zip(&demo) {
            match (w, d) {
                (Some(StageConfig::C4(w)), StageConfig::C4(d)) => {
                    assert!(w.curly_bracket_removes_line && !d.curly_bracket_removes_line);
                    let mut w = w.clone();
                    w.curly_bracket_removes_line = false;
                    assert_eq!(&w, d);
                }
                (w, d) => assert_eq!(w.as_ref(), Some(d)),
            }
        }
    }

    #[test]
    fn project_profiles_extend_and_errors_name_the_problem() {
        let cfg = ZeefConfig::parse(
            "[[stage]]\ntype = \"licence\"\n[[stage]]\ntype = \"c4\"\nmin_num_sentences = 4\n\
             [profile.statute]\nextends = \"legal\"\nskip = [\"bad_words\"]\n[profile.statute.c4]\nmin_num_sentences = 2\n",
        )
        .expect("config");
        let p = resolve("statute", &cfg.profiles).expect("statute");
        assert!(p.skip.contains(&"gopher_repetition".to_string()));
        assert!(p.skip.contains(&"bad_words".to_string()));
        let applied = p.apply(&cfg.stages).expect("apply");
        match &applied[1] {
            Some(StageConfig::C4(c)) => {
                assert_eq!(c.min_num_sentences, 2);
                // From `legal`, under the project's own setting.
                assert!(!c.filter_no_terminal_punct);
            }
            other => panic!("{other:?}"),
        }
        // A profile the project defines fails when the configuration is parsed; a source's
        // unknown profile when it is resolved.
        let bad = |text: &str, name: &str| match ZeefConfig::parse(&format!(
            "[[stage]]\ntype = \"c4\"\n{text}"
        )) {
            Err(e) => e,
            Ok(cfg) => resolve(name, &cfg.profiles)
                .and_then(|p| p.apply(&cfg.stages))
                .expect_err(text)
                .to_string(),
        };
        assert!(bad("[profile.x]\nskip = [\"consent\"]\n", "x").contains("cannot skip"));
        assert!(bad("[profile.x.near_dedup]\nbands = 2\n", "x").contains("cannot skip or change"));
        assert!(bad("[profile.x.c5]\na = 1\n", "x").contains("not a stage type"));
        assert!(bad("[profile.x.c4]\nmin_sentences = 1\n", "x").contains("min_sentences"));
        assert!(bad(
            "[profile.x]\nextends = \"y\"\n[profile.y]\nextends = \"x\"\n",
            "x"
        )
        .contains("loops"));
        assert!(bad("", "nope").contains("not defined"));
    }
}
