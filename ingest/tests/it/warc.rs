//! The WARC/WET reader and HTML extraction on real pages.

use super::common::*;
use std::io::Read;
use zeef_core::document_id;
use zeef_ingest::{open_source_with_stats, ReadStats, SourceKind};

fn read_with_stats(
    kind: SourceKind,
    path: &str,
    base: &std::path::Path,
) -> (Vec<zeef_core::Document>, ReadStats) {
    let stats = ReadStats::new();
    let docs = open_source_with_stats(&source(kind, path), base, &stats)
        .expect("open")
        .map(|d| d.expect("document"))
        .collect();
    (docs, stats)
}

fn meta<'a>(d: &'a zeef_core::Document, k: &str) -> Option<&'a str> {
    d.meta.get(k).map(String::as_str)
}

/// The record id in a locator `file@offset#<id>`.
fn record_id(locator: &str) -> &str {
    locator
        .split_once('#')
        .map(|(_, id)| id)
        .expect("record id")
}

fn offset(locator: &str) -> usize {
    let at = locator.split_once('@').expect("@").1;
    at.split(['#', '+'])
        .next()
        .expect("offset")
        .parse()
        .expect("number")
}

#[test]
fn real_pages_become_documents_with_opt_out_signals() {
    let base = fixtures();
    let (docs, stats) = read_with_stats(SourceKind::Warc, "warc/libreoffice-help.warc.gz", &base);
    assert_eq!(
        docs.len(),
        7,
        "{:?}",
        docs.iter().map(|d| &d.locator).collect::<Vec<_>>()
    );
    assert_eq!(
        reasons(&docs),
        [
            None,
            None,
            None,
            None,
            None,
            Some("unsupported_content"),
            Some("unsupported_content")
        ]
    );
    let skipped = stats.skipped();
    assert_eq!(skipped.get("warc_request"), Some(&5));
    assert_eq!(skipped.get("warc_warcinfo"), Some(&1));
    assert_eq!(skipped.get("warc_metadata"), Some(&1));

    let d = &docs[0];
    assert_eq!(
        d.url.as_deref(),
        Some("https://help.libreoffice.org/7.4/nl/text/shared/optionen/macrosecurity.html")
    );
    assert_eq!(d.title.as_deref(), Some("Macrobeveiliging"));
    assert_eq!(d.date.as_deref(), Some("2024-03-01T12:00:00Z"));
    assert!(d.text.starts_with("Macrobeveiliging\n\nHet dialoogvenster Macrobeveiliging verschijnt als een document één of meerdere macro's bevat."), "{}", d.text);
    for boilerplate in [
        "LibreOffice 7.4 Help",
        "In alle modules zoeken",
        "Help content debug info",
        "Module",
        "Inhoud",
        "LibreOffice - Voorkeuren",
    ] {
        assert!(!d.text.contains(boilerplate), "{boilerplate} in {}", d.text);
    }
    assert_eq!(meta(d, "content-type"), Some("text/html"));
    assert_eq!(meta(d, "x-robots-tag"), None);
    assert!(
        d.locator.starts_with("warc/libreoffice-help.warc.gz@"),
        "{}",
        d.locator
    );
    assert_eq!(
        d.id,
        document_id("t", &format!("id={}", record_id(&d.locator)))
    );

    assert_eq!(meta(&docs[1], "x-robots-tag"), Some("noai, noimageai"));
    assert_eq!(meta(&docs[2], "meta:tdm-reservation"), Some("1"));
    assert_eq!(
        meta(&docs[2], "meta:tdm-policy"),
        Some("https://help.libreoffice.org/tdm-policy.json")
    );
    assert_eq!(meta(&docs[3], "tdm-reservation"), Some("1"));
    assert_eq!(
        meta(&docs[3], "tdm-policy"),
        Some("https://help.libreoffice.org/tdm-policy.json")
    );
    assert_eq!(meta(&docs[4], "meta:robots"), Some("noai, noimageai"));
    assert!(
        docs[4].text.contains("plakken"),
        "chunked body decoded: {}",
        docs[4].text
    );
    assert_eq!(
        docs[5].exclusion().map(|e| e.reason),
        Some(zeef_core::Reason::UnsupportedContent)
    );
    assert!(
        detail(&docs[5]).ends_with("not a text document: HTTP status 301"),
        "{}",
        detail(&docs[5])
    );
    assert!(
        detail(&docs[6]).ends_with("not a text document: content type `image/png`"),
        "{}",
        detail(&docs[6])
    );
    assert_eq!(docs[6].text, "");
    assert_eq!(
        docs[6].url.as_deref(),
        Some("https://help.libreoffice.org/7.4/nl/media/logo.png")
    );

    // The offset in a locator is the gzip member holding the record.
    let bytes = std::fs::read(base.join("warc/libreoffice-help.warc.gz")).expect("fixture");
    for d in &docs {
        let mut member = Vec::new();
        flate2::read::GzDecoder::new(&bytes[offset(&d.locator)..])
            .read_to_end(&mut member)
            .expect("member");
        let member = String::from_utf8_lossy(&member);
        assert!(member.starts_with("WARC/1.0\r\n"));
        assert!(member.contains(record_id(&d.locator)), "{}", d.locator);
    }
}

#[test]
fn plain_warc_and_wet_read_the_same_way() {
    let base = fixtures();
    let (gz_docs, _) = read_with_stats(SourceKind::Warc, "warc/libreoffice-help.warc.gz", &base);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(
        &std::fs::read(base.join("warc/libreoffice-help.warc.gz")).expect("r")[..],
    )
    .read_to_end(&mut plain)
    .expect("gunzip");
    std::fs::write(dir.path().join("x.warc"), &plain).expect("w");
    let (docs, stats) = read_with_stats(SourceKind::Warc, "x.warc", dir.path());
    assert_eq!(stats.skipped_total(), 7);
    assert_eq!(docs.len(), gz_docs.len());
    for (a, b) in docs.iter().zip(&gz_docs) {
        assert_eq!(
            (&a.text, &a.url, &a.meta, &a.id),
            (&b.text, &b.url, &b.meta, &b.id)
        );
        assert!(plain[offset(&a.locator)..].starts_with(b"WARC/1.0\r\nWARC-Type: response"));
    }

    let (wet, stats) = read_with_stats(SourceKind::Wet, "warc/libreoffice-help.warc.wet.gz", &base);
    assert_eq!(stats.skipped().get("warc_warcinfo"), Some(&1));
    assert_eq!(reasons(&wet), [None, None]);
    assert!(wet[0]
        .url
        .as_deref()
        .is_some_and(|u| u.ends_with("autocorr_url.html")));
    assert_eq!(meta(&wet[0], "content-type"), Some("text/plain"));
    assert!(wet[1].text.contains("automatisch"), "{}", wet[1].text);
}

fn page(i: usize) -> Vec<u8> {
    http_html(
        "",
        &format!("<html><body><p>Pagina {i} met gewone Nederlandse tekst.</p></body></html>"),
    )
}

#[test]
fn wrong_content_length_is_malformed_and_the_next_record_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    // Plain: record 2 claims 10 bytes too many, record 4 10 too few; garbage before record 1.
    let mut plain = b"dit is geen WARC\r\n".to_vec();
    for (i, delta) in [(1, 0), (2, 10), (3, 0), (4, -10), (5, 0)] {
        plain.extend(warc_record(
            "response",
            &format!("https://a.nl/{i}"),
            &i.to_string(),
            &page(i),
            delta,
        ));
    }
    let mut bad_utf8 = page(6);
    bad_utf8.extend_from_slice(b"\xff\xfe");
    plain.extend(warc_record("response", "https://a.nl/6", "6", &bad_utf8, 0));
    std::fs::write(p.join("a.warc"), &plain).expect("w");
    let (docs, _) = read_with_stats(SourceKind::Warc, "a.warc", p);
    let urls: Vec<_> = docs
        .iter()
        .map(|d| d.url.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        reasons(&docs),
        [
            Some("malformed"),
            None,
            Some("malformed"),
            None,
            Some("malformed"),
            None,
            Some("malformed")
        ],
        "{urls:?}"
    );
    assert_eq!(
        detail(&docs[0]),
        "a.warc@0: expected a WARC record header, found other bytes"
    );
    assert!(
        detail(&docs[2]).contains("Content-Length"),
        "{}",
        detail(&docs[2])
    );
    assert!(
        detail(&docs[2]).starts_with("a.warc@"),
        "{}",
        detail(&docs[2])
    );
    assert_eq!(docs[3].url.as_deref(), Some("https://a.nl/3"));
    assert!(
        detail(&docs[4]).contains("Content-Length"),
        "{}",
        detail(&docs[4])
    );
    assert_eq!(docs[5].text, "Pagina 5 met gewone Nederlandse tekst.");
    assert!(
        detail(&docs[6]).contains("invalid UTF-8"),
        "{}",
        detail(&docs[6])
    );

    // Gzip per record: a too-long Content-Length ends inside its member; the next member is fine.
    let mut gz = Vec::new();
    for (i, delta) in [(1, 0), (2, 25), (3, 0)] {
        gz.extend(gzip(&warc_record(
            "response",
            &format!("https://a.nl/{i}"),
            &i.to_string(),
            &page(i),
            delta,
        )));
    }
    std::fs::write(p.join("b.warc.gz"), &gz).expect("w");
    let (docs, _) = read_with_stats(SourceKind::Warc, "b.warc.gz", p);
    assert_eq!(reasons(&docs), [None, Some("malformed"), None]);
    assert!(
        detail(&docs[1]).contains("record body ends after"),
        "{}",
        detail(&docs[1])
    );
}

#[test]
fn truncated_gzip_keeps_what_was_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(fixtures().join("warc/libreoffice-help.warc.gz")).expect("fixture");
    std::fs::write(
        dir.path().join("cut.warc.gz"),
        &bytes[..bytes.len() * 2 / 3],
    )
    .expect("w");
    let (docs, _) = read_with_stats(SourceKind::Warc, "cut.warc.gz", dir.path());
    let last = docs.last().expect("docs");
    assert!(
        detail(last).contains("unreadable from here on"),
        "{}",
        detail(last)
    );
    assert!(docs.len() >= 3, "{}", docs.len());
    assert!(docs[..docs.len() - 1].iter().all(|d| d.is_kept()));
}

/// A WARC record with the headers wget 1.21 writes (no `Content-Type` override: `ct` is given).
fn wget_record(wtype: &str, uri: Option<&str>, id: &str, ct: &str, block: &[u8]) -> Vec<u8> {
    let target = uri
        .map(|u| format!("WARC-Target-URI: <{u}>\r\n"))
        .unwrap_or_default();
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {wtype}\r\nWARC-Record-ID: <urn:uuid:{id}>\r\nWARC-Date: 2024-05-02T08:30:00Z\r\n{target}Content-Type: {ct}\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

/// What `wget --warc-file=crawl https://multatuli.nl/...` writes: warcinfo, request, response,
/// a page stored as an http resource, and the crawler's own resources (log, arguments).
fn wget_warc() -> (Vec<Vec<u8>>, String, String) {
    let text_dir = fixtures().join("text");
    let read = |f: &str| std::fs::read_to_string(text_dir.join(f)).expect("fixture text");
    let (afscheid, noordzee) = (read("afscheid.txt"), read("aan_de_noordzee.txt"));
    let para = |t: &str| {
        t.split("\n\n")
            .filter(|p| p.len() > 120)
            .map(|p| format!("<p>{}</p>", p.replace('\n', " ")))
            .collect::<String>()
    };
    let html = format!(
        "<!DOCTYPE html><html lang=\"nl\"><head><title>Afscheid</title></head><body>{}</body></html>",
        para(&afscheid)
    );
    let uri = "https://multatuli.example.nl/ontboezemingen/afscheid.html";
    let records = vec![
        wget_record(
            "warcinfo",
            None,
            "info",
            "application/warc-fields",
            b"software: Wget/1.21.3 (linux-gnu)\r\nformat: WARC File Format 1.0\r\nrobots: classic\r\nwget-arguments: \"--warc-file=crawl\" \"https://multatuli.example.nl/\"\r\n",
        ),
        wget_record(
            "request",
            Some(uri),
            "req",
            "application/http;msgtype=request",
            b"GET /ontboezemingen/afscheid.html HTTP/1.1\r\nUser-Agent: Wget/1.21.3\r\nHost: multatuli.example.nl\r\n\r\n",
        ),
        wget_record(
            "response",
            Some(uri),
            "resp",
            "application/http;msgtype=response",
            &http_html("", &html),
        ),
        wget_record(
            "resource",
            Some("https://multatuli.example.nl/ontboezemingen/aan_de_noordzee.txt"),
            "page-resource",
            "text/plain; charset=utf-8",
            noordzee.as_bytes(),
        ),
        wget_record(
            "resource",
            Some("metadata://gnu.org/software/wget/warc/MANIFEST.txt"),
            "manifest",
            "text/plain",
            b"urn:uuid:info\n",
        ),
        wget_record(
            "resource",
            Some("metadata://gnu.org/software/wget/warc/wget_arguments.txt"),
            "args",
            "text/plain",
            b"\"--warc-file=crawl\" \"--recursive\" \"https://multatuli.example.nl/\" ",
        ),
        wget_record(
            "resource",
            Some("metadata://gnu.org/software/wget/warc/wget.log"),
            "log",
            "text/plain",
            b"--2024-05-02 08:30:00--  https://multatuli.example.nl/ontboezemingen/afscheid.html\nResolving multatuli.example.nl... 192.0.2.7\nHTTP request sent, awaiting response... 200 OK\nLength: 3017 (2,9K) [text/html]\nSaving to: 'afscheid.html'\n",
        ),
    ];
    (records, afscheid, noordzee)
}

#[test]
fn wget_warc_keeps_pages_and_counts_crawler_records_whatever_the_file_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let (records, afscheid, noordzee) = wget_warc();
    // gzip per record, named as if plain; the same bytes plain, named as if gzip; and zstd.
    let gz: Vec<u8> = records.iter().flat_map(|r| gzip(r)).collect();
    std::fs::write(p.join("crawl.warc"), &gz).expect("w");
    std::fs::write(p.join("plain.warc.gz"), records.concat()).expect("w");
    let zst: Vec<u8> = records
        .iter()
        .flat_map(|r| zstd::stream::encode_all(&r[..], 3).expect("zstd"))
        .collect();
    std::fs::write(p.join("crawl.warc.zst.bin"), &zst).expect("w");

    let first_line = |t: &str| t.lines().find(|l| !l.trim().is_empty()).map(str::to_string);
    let mut seen = Vec::new();
    for name in ["crawl.warc", "plain.warc.gz", "crawl.warc.zst.bin"] {
        let (docs, stats) = read_with_stats(SourceKind::Warc, name, p);
        assert_eq!(reasons(&docs), [None, None], "{name}: {docs:?}");
        assert_eq!(
            docs[0].url.as_deref(),
            Some("https://multatuli.example.nl/ontboezemingen/afscheid.html")
        );
        assert_eq!(docs[0].title.as_deref(), Some("Afscheid"));
        assert!(
            docs[0]
                .text
                .contains("'t Anker werd geligt; de breede lappen werden bijgezet;"),
            "{name}: {}",
            docs[0].text
        );
        assert!(!docs[0].text.contains("Wget"), "{}", docs[0].text);
        assert_eq!(docs[1].text, noordzee, "{name}");
        assert_eq!(meta(&docs[1], "content-type"), Some("text/plain"));
        assert!(docs[0].text.len() < afscheid.len() + 200);
        let skipped = stats.skipped();
        assert_eq!(
            skipped,
            [
                ("warc_request".to_string(), 1),
                ("warc_resource".to_string(), 3),
                ("warc_warcinfo".to_string(), 1),
            ]
            .into_iter()
            .collect(),
            "{name}"
        );
        assert!(
            docs.iter()
                .all(|d| !d.text.contains("HTTP request sent") && !d.text.contains("--recursive")),
            "{name}: the crawler's log became a document"
        );
        seen.push((
            docs.iter().map(|d| d.id.clone()).collect::<Vec<_>>(),
            first_line(&docs[1].text),
        ));
    }
    // The compression does not change what a record is.
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
    // Offsets in a gzip file are the members' compressed offsets, whatever its name.
    let (docs, _) = read_with_stats(SourceKind::Warc, "crawl.warc", p);
    let at = offset(&docs[0].locator);
    let mut member = Vec::new();
    flate2::read::GzDecoder::new(&gz[at..])
        .read_to_end(&mut member)
        .expect("a gzip member starts at the locator's offset");
    assert!(member.starts_with(b"WARC/1.0\r\nWARC-Type: response"));
}

#[test]
fn zstd_warc_with_a_dictionary_frame_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (records, _, noordzee) = wget_warc();
    // The `.warc.zst` convention: a skippable frame (magic 0x184D2A5D) holding the dictionary,
    // zstd-compressed itself, then one frame per record compressed with it. A raw-content
    // dictionary (the first records' bytes) is enough to make the frames depend on it.
    let dict = records.concat()[..2048].to_vec();
    let packed = zstd::stream::encode_all(&dict[..], 3).expect("zstd");
    let mut file = 0x184D_2A5Du32.to_le_bytes().to_vec();
    file.extend((packed.len() as u32).to_le_bytes());
    file.extend(&packed);
    for r in &records {
        let mut c = zstd::bulk::Compressor::with_dictionary(3, &dict).expect("compressor");
        file.extend(c.compress(r).expect("compress"));
    }
    std::fs::write(dir.path().join("d.warc.zst"), &file).expect("w");
    let (docs, stats) = read_with_stats(SourceKind::Warc, "d.warc.zst", dir.path());
    assert_eq!(reasons(&docs), [None, None]);
    assert_eq!(docs[1].text, noordzee);
    assert_eq!(stats.skipped_total(), 5);

    // Without its dictionary the frames cannot be read: one malformed record, no panic.
    std::fs::write(
        dir.path().join("nodict.warc.zst"),
        &file[8 + packed.len()..],
    )
    .expect("w");
    let (docs, _) = read_with_stats(SourceKind::Warc, "nodict.warc.zst", dir.path());
    assert_eq!(reasons(&docs), [Some("malformed")], "{docs:?}");
    assert!(
        detail(&docs[0]).starts_with("nodict.warc.zst@"),
        "{}",
        detail(&docs[0])
    );
}
