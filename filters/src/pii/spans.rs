//! The labelled span set `data/pii/spans.tsv`, scored per kind.

use super::*;
use std::collections::BTreeMap;

/// One sentence: its plain text and the labelled spans (kind, start, end).
struct Labelled {
    source: String,
    text: String,
    spans: Vec<(String, usize, usize)>,
}

fn labelled() -> Vec<Labelled> {
    let mut out = Vec::new();
    for line in include_str!("../../data/pii/spans.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
    {
        let (source, marked) = line.split_once('\t').expect("source<TAB>text");
        let mut text = String::new();
        let mut spans = Vec::new();
        let mut rest = marked;
        while let Some(open) = rest.find("[[") {
            text.push_str(&rest[..open]);
            let inner = &rest[open + 2..];
            let close = inner.find("]]").expect("closing ]]");
            let (kind, value) = inner[..close].split_once(':').expect("kind:value");
            spans.push((kind.to_string(), text.len(), text.len() + value.len()));
            text.push_str(value);
            rest = &inner[close + 2..];
        }
        text.push_str(rest);
        out.push(Labelled {
            source: source.to_string(),
            text,
            spans,
        });
    }
    out
}

/// The labelled kind a match scores as: a name in a public role is a name.
fn kind_name(kind: PiiKind) -> &'static str {
    match kind {
        PiiKind::NamePublicRole => "name",
        k => k.signal().trim_start_matches("pii_"),
    }
}

/// Per kind: labelled spans found (every character replaced by a match of that kind), missed,
/// and matches that overlap no labelled span of their kind.
fn score(stage: &Pii, show: bool) -> BTreeMap<String, [usize; 3]> {
    let mut stats: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for l in labelled() {
        let found = stage.find(&l.text);
        for (kind, s, e) in &l.spans {
            let want = if kind == "bare" {
                "name"
            } else {
                kind.as_str()
            };
            let covered = (*s..*e).all(|i| {
                !l.text.is_char_boundary(i)
                    || found
                        .iter()
                        .any(|m| kind_name(m.kind) == want && m.start <= i && i < m.end)
            });
            let st = stats.entry(kind.clone()).or_default();
            if covered {
                st[0] += 1;
            } else {
                st[1] += 1;
                if show {
                    println!(
                        "missed {kind} {:?} in {}: {}",
                        &l.text[*s..*e],
                        l.source,
                        l.text
                    );
                }
            }
        }
        for m in &found {
            let k = kind_name(m.kind);
            let hit = l.spans.iter().any(|(kind, s, e)| {
                let want = if kind == "bare" {
                    "name"
                } else {
                    kind.as_str()
                };
                want == k && m.start < *e && *s < m.end
            });
            if !hit {
                stats.entry(k.to_string()).or_default()[2] += 1;
                if show {
                    println!(
                        "false {k} {:?} in {}: {}",
                        &l.text[m.start..m.end],
                        l.source,
                        l.text
                    );
                }
            }
        }
    }
    stats
}

fn table(stats: &BTreeMap<String, [usize; 3]>) {
    println!("kind        labelled  found  missed  false  precision  recall");
    for (kind, [tp, fneg, fp]) in stats {
        let precision = *tp as f64 / (*tp + *fp).max(1) as f64;
        let recall = *tp as f64 / (*tp + *fneg).max(1) as f64;
        println!(
            "{kind:<11} {:>8}  {tp:>5}  {fneg:>6}  {fp:>5}  {precision:>9.3}  {recall:>6.3}",
            tp + fneg
        );
    }
}

fn ratio(stats: &BTreeMap<String, [usize; 3]>, kinds: &[&str]) -> (f64, f64) {
    let (mut tp, mut fneg, mut fp) = (0, 0, 0);
    for k in kinds {
        if let Some([t, f, p]) = stats.get(*k) {
            tp += t;
            fneg += f;
            fp += p;
        }
    }
    (
        tp as f64 / (tp + fp).max(1) as f64,
        tp as f64 / (tp + fneg).max(1) as f64,
    )
}

#[test]
fn labelled_spans() {
    let stage = Pii::new("pii", PiiConfig::default()).expect("pii");
    let stats = score(&stage, true);
    table(&stats);
    // `bare` surnames are scored for the record; their matches count for precision under
    // `name`.
    let bare = stats.get("bare").copied().unwrap_or_default();
    let name = stats.get("name").copied().unwrap_or_default();
    let precision = name[0] as f64 / (name[0] + name[2]).max(1) as f64;
    let recall = name[0] as f64 / (name[0] + name[1]).max(1) as f64;
    println!(
        "names: precision {precision:.3} recall {recall:.3} ({} bare surnames found of {})",
        bare[0],
        bare[0] + bare[1]
    );
    assert!(precision >= 0.95, "name precision {precision:.3}");
    // The privacy officer's target, without a lexicon. Names with neither a title, initials,
    // a tussenvoegsel, a role noun nor a first name on the built-in list (`Chiel Warners`,
    // `Angelique Hoorn`) stay out of reach without one.
    assert!(recall >= 0.95, "name recall {recall:.3}");
    let structured = ["bsn", "iban", "phone", "postcode", "email", "plate", "card"];
    let (p, r) = ratio(&stats, &structured);
    println!("structured identifiers: precision {p:.3} recall {r:.3}");
    assert!(r >= 0.99, "structured recall {r:.3}");
    for kind in structured {
        let [_, _, fp] = stats.get(kind).copied().unwrap_or_default();
        assert_eq!(fp, 0, "{kind}: a number replaced that is not labelled");
    }
    let (p, r) = ratio(&stats, &["address", "place", "birth_date"]);
    println!("addresses, places, dates of birth: precision {p:.3} recall {r:.3}");
    assert!(p >= 0.9 && r >= 0.9, "addresses/places: {p:.3} {r:.3}");
}

/// With the `deduce` lists, when they are where the project's shared data keeps them: prints
/// the same table (the lists are GPL/LGPL and never part of the repository, so this is a
/// measurement, not a requirement).
#[test]
fn labelled_spans_with_lexicon() {
    let dir = std::path::Path::new("/work/shared/data/lexicons/deduce");
    if !dir.is_dir() {
        println!("no lexicon at {}", dir.display());
        return;
    }
    let config = PiiConfig {
        name_lexicon_dir: Some(dir.to_path_buf()),
        ..PiiConfig::default()
    };
    let stage = Pii::new("pii", config).expect("lexicon loads");
    let stats = score(&stage, false);
    table(&stats);
    let (p, r) = ratio(&stats, &["name"]);
    assert!(
        p >= 0.95 && r >= 0.95,
        "names with the lexicon: {p:.3} {r:.3}"
    );
}

#[test]
fn bad_lexicon_dir_fails_the_stage() {
    let config = PiiConfig {
        name_lexicon_dir: Some("/nonexistent/lexicon".into()),
        ..PiiConfig::default()
    };
    let err = Pii::new("pii", config).err().expect("an error");
    assert_eq!(err.stage, "pii");
    assert!(err.to_string().contains("/nonexistent/lexicon"), "{err}");
}

#[test]
fn phone_notations() {
    let stage = Pii::new("pii", PiiConfig::default()).expect("pii");
    for phone in [
        "(06) 12 34 56 78",
        "06-12345678",
        "06 - 123 456 78",
        "+31 (0)20 123 4567",
        "0031 20 123 4567",
        "020-1234567",
        "+31 6 12345678",
        "(020) 123 45 67",
        "020 - 123 45 67",
    ] {
        let text = format!("Bel {phone} voor een afspraak.");
        let found = stage.find(&text);
        assert_eq!(
            found
                .iter()
                .map(|m| (m.kind, &text[m.start..m.end]))
                .collect::<Vec<_>>(),
            vec![(PiiKind::Phone, phone)],
            "{text}"
        );
    }
}

#[test]
fn bsn_anywhere_in_its_sentence() {
    let stage = Pii::new("pii", PiiConfig::default()).expect("pii");
    let text = "Het burgerservicenummer van Pauwelina de Vervoordeldonk, die sinds 1998 \
                in Zaandam woont en daar een eigen bedrijf heeft, is 366759863. Het \
                dossiernummer is 111222333.";
    let mut d = Document::new("s", "f:1", text);
    stage.process(&mut d);
    assert!(d.text.contains("is <BSN>."), "{}", d.text);
    assert!(d.text.contains("dossiernummer is 111222333"), "{}", d.text);
}

#[test]
fn pseudonyms_keep_a_person_and_read_as_dutch() {
    let text = "De heer B.P. Kiewiet, wonende te Zaandam, was aanwezig. Kiewiet verklaarde dat \
                mevrouw Van der Schans niet kwam; Van der Schans woont aan de Dorpsstraat 14a.";
    let config = |key: Option<&str>| PiiConfig {
        mode: PiiMode::Pseudonym,
        pseudonym_key: key.map(str::to_string),
        ..PiiConfig::default()
    };
    let run = |config: PiiConfig, id: &str| {
        let stage = Pii::new("pii", config).expect("pii");
        let mut d = Document::new("s", id, text);
        stage.process(&mut d);
        d.text
    };
    let a = run(config(None), "f:1");
    assert!(
        !a.contains("Kiewiet") && !a.contains("Schans") && !a.contains("Zaandam"),
        "{a}"
    );
    assert!(!a.contains('<'), "no placeholders in pseudonym mode: {a}");
    // The same surname gets the same fake in both mentions.
    let stage = Pii::new("pii", config(None)).expect("pii");
    let names: Vec<String> = stage
        .find(text)
        .iter()
        .filter(|m| m.kind == PiiKind::Name)
        .map(|m| fake(PiiKind::Name, &text[m.start..m.end], "f:1"))
        .collect();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(
        names[0].to_lowercase().ends_with(&names[1].to_lowercase()),
        "{names:?}"
    );
    assert_eq!(
        names[2].to_lowercase(),
        names[3].to_lowercase(),
        "{names:?}"
    );
    // Per document without a key, the same across documents with one.
    assert_ne!(run(config(None), "f:1"), run(config(None), "f:2"));
    assert_eq!(run(config(Some("k")), "f:1"), run(config(Some("k")), "f:2"));
    assert_ne!(
        run(config(Some("k")), "f:1"),
        run(config(Some("other")), "f:1")
    );
    // The old name of the mode still reads.
    let old: PiiConfig = serde_json::from_str(r#"{"mode": "pseudonymise"}"#).expect("alias");
    assert_eq!(old.mode, PiiMode::Pseudonym);
}

#[test]
fn public_officials_are_counted_and_kept_only_when_asked() {
    // A signature line of a real decree and a real sentence of a ruling in which civil
    // servants are named near, but not as, an office (`de door de minister genoemde heren`).
    let text = "De Staatssecretaris van Sociale Zaken en Werkgelegenheid, J. F. Hoogervorst\n\n\
                Bij de ruiming waren behalve de door de minister genoemde heren Bastiaansen, Osta \
                en Vrielink van RVV ook de heer Westerlaken als beëdigd taxateur aanwezig.";
    let run = |public_officials| {
        let config = PiiConfig {
            public_officials,
            ..PiiConfig::default()
        };
        let stage = Pii::new("pii", config).expect("pii");
        let mut d = Document::new("laws", "f:1", text);
        stage.process(&mut d);
        d
    };
    let masked = run(PublicOfficials::Mask);
    assert!(!masked.text.contains("Hoogervorst"), "{}", masked.text);
    assert_eq!(masked.signal("pii_name_public_role"), Some(1.0));
    assert_eq!(masked.signal("pii_name"), Some(4.0), "{}", masked.text);
    let kept = run(PublicOfficials::Keep);
    assert!(kept.text.contains(", J. F. Hoogervorst\n"), "{}", kept.text);
    assert_eq!(kept.signal("pii_name_public_role"), Some(1.0));
    assert_eq!(kept.signal("pii_name"), Some(4.0));
    for name in ["Bastiaansen", "Osta", "Vrielink", "Westerlaken"] {
        assert!(!kept.text.contains(name), "{name}: {}", kept.text);
    }
    // The setting reads from a configuration; the public-role kind is not a kind to list.
    let config: PiiConfig =
        serde_json::from_str(r#"{"public_officials": "keep"}"#).expect("keep reads");
    assert_eq!(config.public_officials, PublicOfficials::Keep);
    assert!(serde_json::from_str::<PiiConfig>(r#"{"kinds": ["name_public_role"]}"#).is_err());
    let round: PiiConfig =
        serde_json::from_str(&serde_json::to_string(&PiiConfig::default()).expect("writes"))
            .expect("the default configuration reads back");
    assert_eq!(round, PiiConfig::default());
}

#[test]
fn lists_roles_and_coordination() {
    let stage = Pii::new("pii", PiiConfig::default()).expect("pii");
    let names = |text: &str| -> Vec<String> {
        stage
            .find(text)
            .iter()
            .filter(|m| matches!(m.kind, PiiKind::Name | PiiKind::NamePublicRole))
            .map(|m| text[m.start..m.end].to_string())
            .collect()
    };
    // Sentences of the labelled set (rulings, Alpino).
    assert_eq!(
        names(
            "Bij de ruiming waren behalve de door de minister genoemde heren Bastiaansen, Osta \
             en Vrielink van RVV ook de heer Westerlaken als beëdigd taxateur aanwezig."
        ),
        ["Bastiaansen", "Osta", "Vrielink", "Westerlaken"]
    );
    assert_eq!(
        names(
            "Hij verwees zijn broer Ralf en Rubens Barrichello naar de andere twee podiumplaatsen."
        ),
        ["Ralf", "Rubens Barrichello"]
    );
    assert_eq!(
        names("Chester Burton Atkins werd geboren op 20 juni 1924 in Luttrell (Tennessee)."),
        ["Chester Burton Atkins"]
    );
    // Not names: a salutation, nationality nouns, a heading's `Van`, a Spanish institution.
    for text in [
        "Dames en heren, de vergadering is geopend.",
        "Een kind van vreemde nationaliteit wordt Nederlander, als de vader Nederlander is.",
        "Van de Bewindvoerders wordt een verslag gevraagd; de bewindvoerders stemmen in.",
        "Reino de España y la Generalitat de Catalunya, para el Gobierno del Reino de los Países Bajos.",
    ] {
        assert_eq!(names(text), Vec::<String>::new(), "{text}");
    }
}
