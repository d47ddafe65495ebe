//! Curated text survives cleaning: the demo's stage list, run with each source's profile over
//! whole real sources (`tests/data/curated`), keeps their documents and their words, and the
//! same text run through the web recipes shows what the profiles prevent.

use std::path::{Path, PathBuf};
use zeef_core::{read_all, Reason, RunSummary};

mod common;
use common::{ok, zeef};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/curated")
}

/// A project with the demo's cleaning stages (rights first, no dedup: this measures cleaning)
/// over the curated fixtures, each source with `profile` or, with `None`, its own.
fn project(dir: &Path, profile: Option<&str>) -> PathBuf {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo");
    let zeef = std::fs::read_to_string(demo.join("zeef.toml")).expect("demo zeef.toml");
    let cleaning = zeef
        .split("# Over the whole run")
        .next()
        .expect("demo stages")
        .replace("out = \"../../zeef-demo\"", "out = \"run\"");
    std::fs::write(dir.join("zeef.toml"), cleaning).expect("zeef.toml");
    for f in ["policy.toml", "consent.csv"] {
        std::fs::copy(demo.join(f), dir.join(f)).expect("copy");
    }
    let p = |own: &str| profile.unwrap_or(own).to_string();
    let f = fixtures();
    let sources = format!(
        r#"
[[source]]
name = "laws"
kind = "jsonl"
path = "{laws}"
licence = "LicenseRef-NL-Auteurswet-Art11"
rights_holder = "Staat der Nederlanden"
id_field = "id"
profile = "{legal}"

[[source]]
name = "rechtspraak"
kind = "jsonl"
path = "{rulings}"
licence = "LicenseRef-NL-Auteurswet-Art11"
rights_holder = "De Rechtspraak"
id_field = "id"
profile = "{legal}"

[[source]]
name = "gutenberg"
kind = "text"
path = "{book}"
licence = "LicenseRef-PublicDomain"
rights_holder = "public domain (Project Gutenberg #24675)"
profile = "{book_profile}"
"#,
        laws = f.join("laws-sample.jsonl.gz").display(),
        rulings = f.join("rulings.jsonl.gz").display(),
        book = f.join("ontboezemingen.txt.gz").display(),
        legal = p("legal"),
        book_profile = p("book"),
    );
    std::fs::write(dir.join("sources.toml"), sources).expect("sources.toml");
    dir.join("zeef.toml")
}

fn run(profile: Option<&str>) -> (tempfile::TempDir, RunSummary) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path(), profile);
    ok(zeef()
        .args(["run", "--config"])
        .arg(&config)
        .output()
        .expect("run zeef"));
    let text = std::fs::read_to_string(dir.path().join("run/run.json")).expect("run.json");
    let s = serde_json::from_str(&text).expect("run.json parses");
    (dir, s)
}

fn share(a: u64, b: u64) -> f64 {
    a as f64 / b.max(1) as f64
}

#[test]
fn profiles_keep_curated_text_that_the_web_recipes_cut() {
    let (dir, s) = run(None);
    s.check_conservation().expect("conserved");

    // The 55 rulings and the book: every document, and at least 99% of the words.
    for name in ["rechtspraak", "gutenberg"] {
        let c = &s.sources[name];
        assert_eq!(c.documents_kept, c.documents_read, "{name}: {c:?}");
        let words = share(c.words_kept, c.words_read);
        assert!(words >= 0.99, "{name} keeps {words:.4} of its words");
    }
    assert_eq!(s.sources["rechtspraak"].documents_read, 55);

    // The laws whose text is Dutch: at least 95% of documents and of words. The treaties in
    // English or French leave for their language, and only for it.
    let laws = &s.sources["laws"];
    let excluded = read_all(&dir.path().join("run/excluded")).expect("excluded");
    let foreign: Vec<_> = excluded
        .iter()
        .filter(|d| d.source == "laws")
        .filter(|d| {
            d.exclusion()
                .is_some_and(|e| e.reason == Reason::WrongLanguage)
        })
        .collect();
    let foreign_words: u64 = foreign.iter().map(|d| d.word_count() as u64).sum();
    let dutch = laws.documents_read - foreign.len() as u64;
    assert!(
        dutch >= 100,
        "{dutch} Dutch laws of {}",
        laws.documents_read
    );
    let docs = share(laws.documents_kept, dutch);
    let words = share(laws.words_kept, laws.words_read - foreign_words);
    assert!(docs >= 0.95, "Dutch laws kept: {docs:.4}");
    assert!(words >= 0.95, "words of Dutch laws kept: {words:.4}");

    // No line rule cut the kept text: what stages removed is counted, and it is next to nothing.
    for (name, c) in &s.sources {
        let cut = share(c.words_removed(), c.words_kept + c.words_removed());
        assert!(cut < 0.01, "{name}: {cut:.4} of its kept words removed");
    }
    // The report and the manifest say which profile each source ran with, and what it changed.
    let html = std::fs::read_to_string(dir.path().join("run/report.html")).expect("report");
    assert!(html.contains("Source profiles") && html.contains("gopher_repetition"));
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("run/manifest.json")).expect("manifest"),
    )
    .expect("manifest parses");
    let sources = manifest["run"]["sources"].as_array().expect("sources");
    let laws_info = sources
        .iter()
        .find(|x| x["name"] == "laws")
        .expect("laws in the manifest");
    assert_eq!(laws_info["profile"], "legal");
    let stages = laws_info["stages"].as_array().expect("stages");
    assert!(stages
        .iter()
        .any(|st| st["type"] == "gopher_repetition" && st["skipped"] == true));
    assert!(stages
        .iter()
        .any(|st| st["type"] == "c4" && st["filter_no_terminal_punct"] == false));

    // The same text through the web recipes: C4 cuts the verse and dialogue out of the book
    // and the rulings apart (normalisation has rejoined their wrapped lines, so FineWeb no
    // longer excludes the book outright), and run.json and the report say so.
    let (web_dir, web) = run(Some("web"));
    let book = &web.sources["gutenberg"];
    assert!(share(book.words_kept, book.words_read) < 0.9, "{book:?}");
    let r = &web.sources["rechtspraak"];
    let cut = r.words_removed_by_stage.get("c4").copied().unwrap_or(0);
    assert!(
        share(cut, r.words_kept + r.words_removed()) > 0.1,
        "c4 removed {cut} words of the rulings"
    );
    // The stage's total is the sum over the sources.
    let per_source: u64 = web
        .sources
        .values()
        .filter_map(|c| c.words_removed_by_stage.get("c4"))
        .sum();
    let c4 = web
        .stages
        .iter()
        .find(|st| st.name == "c4")
        .expect("c4 counts");
    assert_eq!(c4.words_removed, per_source);
    let html = std::fs::read_to_string(web_dir.path().join("run/report.html")).expect("report");
    assert!(
        html.contains("Words removed from kept documents")
            && html.contains("more than <code>run.max_words_removed_share</code>"),
        "the report warns about the words C4 removed"
    );
}
