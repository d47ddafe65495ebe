//! WARC and WET files (ISO 28500; Common Crawl's layout): plain, gzip with one member per
//! record (several records per member, or one member for the whole file, are read too), or
//! Zstandard (`.warc.zst`: one frame per record, optionally after a dictionary in a skippable
//! frame). The compression is read from the first bytes of the file (gzip `1f 8b`, zstd
//! `28 b5 2f fd`, a zstd skippable frame `5? 2a 4d 18`), whatever its name: crawlers and
//! archives do not always name `.warc.gz` files so.
//!
//! Which records are documents:
//! - `response` records (HTTP): the payload after the HTTP headers, de-chunked and
//!   decompressed (`Content-Encoding: gzip`/`deflate`); HTML is reduced to its main text by
//!   [`crate::html`], `text/plain` is kept as is.
//! - `resource` records whose `WARC-Target-URI` is an `http://` or `https://` URL (a page
//!   stored without its HTTP envelope): the block, typed by the record's `Content-Type`.
//!   Resources with any other target are what the crawler wrote about itself (wget's
//!   `metadata://gnu.org/software/wget/warc/wget.log`, `wget_arguments.txt` and `MANIFEST.txt`,
//!   Heritrix's `dns:` and `file:` records): skipped and counted as `warc_resource`.
//! - `conversion` records (WET): the block, as UTF-8 text.
//! - Every other record type (`request`, `metadata`, `warcinfo`, `revisit`, `continuation`)
//!   describes a capture rather than being one: it is skipped and counted in
//!   [`crate::ReadStats`] as `warc_<type>` (`warc_other` for a type outside the standard). The
//!   run sums these counts per source into `records_skipped` in `run.json`.
//!
//! Every document record gives exactly one [`Document`]. A response that is not text (an
//! image, a PDF: any type other than `text/html`, `application/xhtml+xml` and `text/plain`),
//! or whose HTTP status is not 2xx (a redirect, an error page), is an excluded document with an
//! empty text, reason `unsupported_content` and a detail starting with `not a text document:` naming the
//! status or type, so the report counts what a crawl held besides text.
//!
//! Kept per document: `url` = `WARC-Target-URI`, `date` = `WARC-Date`, `title` = the HTML
//! `<title>`, locator `file@offset#<WARC-Record-ID>` (`offset` is the byte offset of the
//! record; for gzip the compressed offset of its gzip member, `member+n` for a record `n` bytes
//! into a member holding several; for zstd the offset in the decompressed stream, as a zstd
//! frame boundary cannot be found without decoding), id = hash of the record id. In `meta`: the HTTP headers
//! `x-robots-tag`, `tdm-reservation`, `tdm-policy` (repeated headers joined with `", "`), from
//! HTML `meta:robots`, `meta:tdm-reservation`, `meta:tdm-policy`, and `content-type` (the media
//! type of the payload).
//!
//! Damage: a record whose body is shorter than its `Content-Length`, or not followed by the
//! `\r\n\r\n` separator, is `malformed`; the reader then looks for the next `WARC/` header line
//! (in a `.gz`, in the next gzip member), so the rest of the file is still read. A gzip stream
//! that breaks ends the file with one `malformed` record naming the offset. Text that is not
//! valid in its declared charset is `malformed`; undeclared non-UTF-8 HTML is read as
//! Windows-1252, as browsers do.

use crate::html;
use crate::open::display_path;
use crate::record::{check_empty, malformed_doc, new_doc};
use crate::{ReadStats, SourceConfig};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use zeef_core::{Document, Error};

/// Longest WARC or HTTP header line, and longest header block, read before a record is called
/// malformed.
const MAX_HEADER_LINE: usize = 64 << 10;
const MAX_HEADER_BYTES: usize = 1 << 20;
/// HTTP header names kept in `meta` (lowercase), for the opt-out stage.
const KEPT_HEADERS: &[&str] = &["x-robots-tag", "tdm-reservation", "tdm-policy"];

/// Counts the bytes consumed from the file (the compressed offset of a gzip member).
struct Counted {
    inner: BufReader<File>,
    pos: u64,
}

impl Read for Counted {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl BufRead for Counted {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
        self.inner.consume(amt);
    }
}

/// The stream a record is read from: the plain file, one gzip member, or the whole file
/// through a zstd decoder.
enum Segment {
    Plain(Counted),
    // Boxed: the decoder's state is large with some flate2 backends.
    Member(Box<BufReader<flate2::bufread::GzDecoder<Counted>>>),
    Zstd(Box<BufReader<zstd::stream::read::Decoder<'static, Counted>>>),
}

/// How a WARC file is compressed, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Packing {
    Plain,
    Gzip,
    Zstd,
}

/// The zstd frame magic (little-endian 0xFD2FB528).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

pub(crate) fn packing(head: &[u8]) -> Packing {
    if head.starts_with(&[0x1f, 0x8b]) {
        Packing::Gzip
    } else if head.starts_with(&ZSTD_MAGIC) || is_skippable_frame(head) {
        Packing::Zstd
    } else {
        Packing::Plain
    }
}

/// A zstd skippable frame (magic 0x184D2A50..=0x184D2A5F), where `.warc.zst` keeps its
/// dictionary.
fn is_skippable_frame(head: &[u8]) -> bool {
    head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18]
}

/// A segment with a push-back buffer (for resynchronising after a wrong `Content-Length`) and
/// the count of bytes consumed from it.
struct Input {
    seg: Segment,
    back: Vec<u8>,
    back_pos: usize,
    /// Bytes consumed from the segment, minus those pushed back.
    pos: u64,
}

impl Read for Input {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(buf.len());
            buf[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Input {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.back_pos < self.back.len() {
            return Ok(&self.back[self.back_pos..]);
        }
        match &mut self.seg {
            Segment::Plain(r) => r.fill_buf(),
            Segment::Member(r) => r.fill_buf(),
            Segment::Zstd(r) => r.fill_buf(),
        }
    }
    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
        if self.back_pos < self.back.len() {
            self.back_pos += amt;
            if self.back_pos >= self.back.len() {
                self.back.clear();
                self.back_pos = 0;
            }
            return;
        }
        match &mut self.seg {
            Segment::Plain(r) => r.consume(amt),
            Segment::Member(r) => r.consume(amt),
            Segment::Zstd(r) => r.consume(amt),
        }
    }
}

impl Input {
    /// Puts bytes back in front of the stream.
    fn push_back(&mut self, bytes: &[u8]) {
        let mut v = bytes.to_vec();
        v.extend_from_slice(&self.back[self.back_pos..]);
        self.pos -= bytes.len() as u64;
        self.back = v;
        self.back_pos = 0;
    }
}

/// Reads one line with its line ending (at most `max` bytes kept; the rest of a longer line is
/// consumed). `Ok(None)` at end of stream.
fn read_raw_line(r: &mut impl BufRead, max: usize) -> std::io::Result<Option<(Vec<u8>, bool)>> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok((!line.is_empty() || too_long).then_some((line, too_long)));
        }
        let (take, done) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        let room = max.saturating_sub(line.len());
        if take > room {
            too_long = true;
        }
        line.extend_from_slice(&avail[..take.min(room)]);
        r.consume(take);
        if done {
            return Ok(Some((line, too_long)));
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Parses `Name: value` header lines (continuation lines folded in) into lowercase names, in
/// order.
fn parse_headers(block: &[u8]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for raw in block.split(|&b| b == b'\n') {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() {
            continue;
        }
        let text = String::from_utf8_lossy(line);
        if line[0] == b' ' || line[0] == b'\t' {
            if let Some((_, v)) = out.last_mut() {
                v.push(' ');
                v.push_str(text.trim());
            }
            continue;
        }
        if let Some((n, v)) = text.split_once(':') {
            out.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Streams the documents of one WARC or WET file.
pub struct WarcReader {
    source: SourceConfig,
    file: String,
    stats: ReadStats,
    packing: Packing,
    /// The file between gzip members.
    idle: Option<Counted>,
    input: Option<Input>,
    /// Offset of the current segment in the file (its gzip member's compressed offset).
    seg_offset: u64,
    /// A file that cannot be read from its start: one malformed record with this detail.
    pending: Option<String>,
    done: bool,
}

/// A zstd decoder over the rest of the file, with the dictionary of a leading skippable frame
/// (itself possibly zstd-compressed, as the `.warc.zst` convention allows).
fn zstd_decoder(
    mut counted: Counted,
) -> Result<zstd::stream::read::Decoder<'static, Counted>, String> {
    let head = counted.fill_buf().map_err(|e| format!("unreadable: {e}"))?;
    if !is_skippable_frame(head) {
        return zstd::stream::read::Decoder::with_buffer(counted)
            .map_err(|e| format!("zstd stream cannot be opened: {e}"));
    }
    let mut frame = [0u8; 8];
    counted
        .read_exact(&mut frame)
        .map_err(|e| format!("zstd dictionary frame is cut short: {e}"))?;
    let size = u32::from_le_bytes([frame[4], frame[5], frame[6], frame[7]]);
    let mut dict = Vec::new();
    (&mut counted)
        .take(u64::from(size))
        .read_to_end(&mut dict)
        .map_err(|e| format!("zstd dictionary frame is unreadable: {e}"))?;
    if dict.len() as u64 != u64::from(size) {
        return Err(format!(
            "zstd dictionary frame holds {} of its {size} bytes",
            dict.len()
        ));
    }
    if dict.starts_with(&ZSTD_MAGIC) {
        dict = zstd::stream::decode_all(&dict[..])
            .map_err(|e| format!("zstd dictionary cannot be decompressed: {e}"))?;
    }
    zstd::stream::read::Decoder::with_dictionary(counted, &dict)
        .map_err(|e| format!("zstd dictionary is not usable: {e}"))
}

/// A record as read: its WARC headers and (bounded) block.
struct Record {
    headers: Vec<(String, String)>,
    block: Vec<u8>,
}

enum Step {
    /// A document (kept or excluded).
    Doc(Box<Document>),
    /// A record that is not a document, or a blank line; read on.
    Skip,
    /// The segment ended.
    End,
}

impl WarcReader {
    /// Opens `path`; its first bytes say how it is compressed.
    pub fn open(
        source: &SourceConfig,
        path: &Path,
        base_dir: &Path,
        stats: &ReadStats,
    ) -> Result<Self, Error> {
        let io_err = |e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        };
        let f = File::open(path).map_err(io_err)?;
        let mut counted = Counted {
            inner: BufReader::with_capacity(1 << 20, f),
            pos: 0,
        };
        let packing = packing(counted.fill_buf().map_err(io_err)?);
        let mut r = WarcReader {
            source: source.clone(),
            file: display_path(path, base_dir),
            stats: stats.clone(),
            packing,
            idle: None,
            input: None,
            seg_offset: 0,
            pending: None,
            done: false,
        };
        let seg = match packing {
            Packing::Gzip => {
                r.idle = Some(counted);
                return Ok(r);
            }
            Packing::Plain => Segment::Plain(counted),
            Packing::Zstd => match zstd_decoder(counted) {
                Ok(d) => Segment::Zstd(Box::new(BufReader::with_capacity(256 << 10, d))),
                Err(why) => {
                    r.pending = Some(format!("{}@0: {why}", r.file));
                    return Ok(r);
                }
            },
        };
        r.input = Some(Input {
            seg,
            back: Vec::new(),
            back_pos: 0,
            pos: 0,
        });
        Ok(r)
    }

    fn locator(&self, rel: u64, record_id: Option<&str>) -> String {
        let at = if self.packing != Packing::Gzip {
            format!("{}@{}", self.file, self.seg_offset + rel)
        } else if rel == 0 {
            format!("{}@{}", self.file, self.seg_offset)
        } else {
            format!("{}@{}+{rel}", self.file, self.seg_offset)
        };
        match record_id {
            Some(id) => format!("{at}#{id}"),
            None => at,
        }
    }

    /// Starts the next gzip member; false at the end of the file.
    fn next_member(&mut self) -> Result<bool, String> {
        let Some(mut counted) = self.idle.take() else {
            return Ok(false);
        };
        match counted.fill_buf() {
            Ok([]) => return Ok(false),
            Ok(_) => {}
            Err(e) => return Err(format!("{}@{}: unreadable: {e}", self.file, counted.pos)),
        }
        self.seg_offset = counted.pos;
        self.input = Some(Input {
            seg: Segment::Member(Box::new(BufReader::with_capacity(
                256 << 10,
                flate2::bufread::GzDecoder::new(counted),
            ))),
            back: Vec::new(),
            back_pos: 0,
            pos: 0,
        });
        Ok(true)
    }

    /// Ends the current segment, keeping the file for the next member.
    fn end_segment(&mut self) {
        if let Some(input) = self.input.take() {
            if let Segment::Member(m) = input.seg {
                self.idle = Some(m.into_inner().into_inner());
            }
        }
    }

    /// Scans forward to the next line starting with `WARC/` and pushes it back.
    fn resync(input: &mut Input) -> std::io::Result<()> {
        while let Some((line, _)) = read_raw_line(input, MAX_HEADER_LINE)? {
            if line.starts_with(b"WARC/") {
                input.push_back(&line);
                break;
            }
        }
        Ok(())
    }

    fn step(&mut self) -> Step {
        let Some(mut input) = self.input.take() else {
            return Step::End;
        };
        let step = self.step_in(&mut input);
        if !self.done {
            self.input = Some(input);
        }
        step
    }

    fn step_in(&mut self, input: &mut Input) -> Step {
        let start = input.pos;
        let first = match read_raw_line(input, MAX_HEADER_LINE) {
            Ok(None) => return Step::End,
            Ok(Some((l, _))) => l,
            Err(e) => return self.broken(start, e),
        };
        if trim_eol(&first).is_empty() {
            return Step::Skip;
        }
        if !first.starts_with(b"WARC/") {
            let locator = self.locator(start, None);
            let detail = format!("{locator}: expected a WARC record header, found other bytes");
            let doc = malformed_doc(&self.source, locator, None, &first, detail);
            if let Err(e) = Self::resync(input) {
                return self.broken(start, e);
            }
            return Step::Doc(Box::new(doc));
        }
        // Header block.
        let mut block = Vec::new();
        loop {
            match read_raw_line(input, MAX_HEADER_LINE) {
                Ok(Some((l, _))) if trim_eol(&l).is_empty() => break,
                Ok(Some((l, _))) if block.len() + l.len() <= MAX_HEADER_BYTES => {
                    block.extend_from_slice(&l)
                }
                Ok(Some(_)) | Ok(None) => {
                    let locator = self.locator(start, None);
                    let detail =
                        format!("{locator}: WARC header block is unterminated or too long");
                    let doc = malformed_doc(&self.source, locator, None, &block, detail);
                    if let Err(e) = Self::resync(input) {
                        return self.broken(start, e);
                    }
                    return Step::Doc(Box::new(doc));
                }
                Err(e) => return self.broken(start, e),
            }
        }
        let headers = parse_headers(&block);
        let record_id = header(&headers, "warc-record-id").map(str::to_string);
        let rid = record_id.as_deref();
        let locator = self.locator(start, rid);
        let Some(len) = header(&headers, "content-length").and_then(|v| v.parse::<u64>().ok())
        else {
            let detail = format!("{locator}: no valid Content-Length");
            let doc = malformed_doc(&self.source, locator, rid, &block, detail);
            if let Err(e) = Self::resync(input) {
                return self.broken(start, e);
            }
            return Step::Doc(Box::new(doc));
        };
        let wtype = header(&headers, "warc-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let is_doc = match wtype.as_str() {
            "response" | "conversion" => true,
            "resource" => header(&headers, "warc-target-uri").is_some_and(is_fetched_url),
            _ => false,
        };
        let max = self.source.max_record_bytes as u64;
        // Read the body: whole when it is a document that fits, else skipped without buffering.
        let keep = is_doc && len <= max;
        let mut body = Vec::new();
        let got = if keep {
            body.reserve(len as usize);
            (&mut *input).take(len).read_to_end(&mut body)
        } else {
            std::io::copy(&mut (&mut *input).take(len), &mut std::io::sink()).map(|n| n as usize)
        };
        let got = match got {
            Ok(n) => n as u64,
            Err(e) => return self.broken(start, e),
        };
        if got < len {
            let detail = format!(
                "{locator}: record body ends after {got} of {len} bytes (Content-Length); truncated record or wrong Content-Length"
            );
            return Step::Doc(Box::new(malformed_doc(
                &self.source,
                locator,
                rid,
                &body,
                detail,
            )));
        }
        // The separator; on a mismatch, the Content-Length was wrong: find the next record.
        let mut sep = Vec::with_capacity(4);
        if let Err(e) = (&mut *input).take(4).read_to_end(&mut sep) {
            return self.broken(start, e);
        }
        // A complete separator, the end of the stream (possibly after part of one), or the
        // bare `\n\n` some writers use.
        let sep_ok = (sep.len() < 4 && b"\r\n\r\n".starts_with(&sep))
            || sep == b"\r\n\r\n"
            || sep.starts_with(b"\n\n");
        if sep.starts_with(b"\n\n") && sep.len() > 2 {
            let rest = sep[2..].to_vec();
            input.push_back(&rest);
        }
        if !sep_ok {
            // Too long a Content-Length swallowed the next header: give it back.
            let mut tail = body.clone();
            tail.extend_from_slice(&sep);
            if let Some(k) = memchr::memmem::find(&tail, b"\r\n\r\nWARC/") {
                input.push_back(&tail[k + 4..]);
                body.truncate(k.min(body.len()));
            } else if let Err(e) = Self::resync(input) {
                return self.broken(start, e);
            }
            let detail = format!(
                "{locator}: Content-Length {len} does not match the record (no \\r\\n\\r\\n after the body)"
            );
            return Step::Doc(Box::new(malformed_doc(
                &self.source,
                locator,
                rid,
                &body,
                detail,
            )));
        }
        if !is_doc {
            let key = match wtype.as_str() {
                "request" | "metadata" | "warcinfo" | "revisit" | "resource" | "continuation" => {
                    format!("warc_{wtype}")
                }
                _ => "warc_other".to_string(),
            };
            self.stats.skip(&key);
            return Step::Skip;
        }
        if len > max {
            let detail =
                format!("{locator}: record of {len} bytes exceeds max_record_bytes = {max}");
            return Step::Doc(Box::new(malformed_doc(
                &self.source,
                locator,
                rid,
                b"",
                detail,
            )));
        }
        let rec = Record {
            headers,
            block: body,
        };
        Step::Doc(Box::new(self.document(&wtype, rec, locator)))
    }

    /// A broken stream: one malformed record, and the file ends.
    fn broken(&mut self, start: u64, e: std::io::Error) -> Step {
        self.done = true;
        self.input = None;
        self.idle = None;
        let locator = self.locator(start, None);
        let detail = format!("{locator}: unreadable from here on: {e}");
        Step::Doc(Box::new(malformed_doc(
            &self.source,
            locator,
            None,
            b"",
            detail,
        )))
    }

    fn document(&self, wtype: &str, rec: Record, locator: String) -> Document {
        let s = &self.source;
        let rid = header(&rec.headers, "warc-record-id");
        let url = header(&rec.headers, "warc-target-uri")
            .map(|u| u.trim_start_matches('<').trim_end_matches('>').to_string());
        let date = header(&rec.headers, "warc-date").map(str::to_string);
        let mut meta = BTreeMap::new();
        let payload = match wtype {
            "response" => match http_payload(&rec.block, s.max_record_bytes) {
                Ok(p) => p,
                Err(why) => {
                    let detail = format!("{locator}: {why}");
                    let mut d = malformed_doc(s, locator, rid, b"", detail);
                    d.url = url;
                    d.date = date;
                    return d;
                }
            },
            _ => {
                let ct = if wtype == "conversion" {
                    header(&rec.headers, "content-type")
                        .unwrap_or("text/plain")
                        .to_string()
                } else {
                    header(&rec.headers, "content-type")
                        .unwrap_or("")
                        .to_string()
                };
                Payload {
                    status: 200,
                    headers: vec![("content-type".into(), ct)],
                    body: rec.block,
                }
            }
        };
        for name in KEPT_HEADERS {
            let values: Vec<&str> = payload
                .headers
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .collect();
            if !values.is_empty() {
                meta.insert(name.to_string(), values.join(", "));
            }
        }
        let content_type = header(&payload.headers, "content-type").unwrap_or("");
        let (mime, charset) = split_content_type(content_type);
        let mime = if mime.is_empty() {
            sniff_mime(&payload.body)
        } else {
            mime
        };
        if !mime.is_empty() {
            meta.insert("content-type".into(), mime.clone());
        }
        let not_text = if !(200..300).contains(&payload.status) {
            Some(format!("HTTP status {}", payload.status))
        } else if !matches!(
            mime.as_str(),
            "text/html" | "application/xhtml+xml" | "text/plain"
        ) {
            Some(format!(
                "content type `{}`",
                if mime.is_empty() { "unknown" } else { &mime }
            ))
        } else {
            None
        };
        let finish = |mut d: Document, meta| {
            d.url = url.clone();
            d.date = date.clone();
            d.meta = meta;
            d
        };
        if let Some(why) = not_text {
            let detail = format!("{locator}: not a text document: {why}");
            let mut d = malformed_doc(s, locator, rid, b"", detail.clone());
            d.verdict = zeef_core::Verdict::Excluded(zeef_core::Exclusion {
                stage: crate::record::INGEST.to_string(),
                reason: zeef_core::Reason::UnsupportedContent,
                detail,
            });
            return finish(d, meta);
        }
        let is_html = mime != "text/plain";
        let charset = charset.or_else(|| {
            if is_html {
                html::sniff_charset(&payload.body)
            } else {
                None
            }
        });
        let text = match decode_text(&payload.body, charset.as_deref()) {
            Ok(t) => t,
            Err(why) => {
                let detail = format!("{locator}: {why}");
                return finish(malformed_doc(s, locator, rid, &payload.body, detail), meta);
            }
        };
        let (text, title) = if is_html {
            let page = html::extract(&text);
            meta.extend(page.meta);
            (page.text, page.title)
        } else {
            let t = if text.contains('\r') {
                text.replace("\r\n", "\n")
            } else {
                text
            };
            (t, None)
        };
        let mut d = finish(new_doc(s, locator.clone(), rid, text), meta);
        d.title = title;
        check_empty(&mut d, &locator);
        d
    }
}

/// Whether a `WARC-Target-URI` names a page fetched over HTTP(S) (angle brackets, which
/// WARC/1.0 writers put around it, allowed).
fn is_fetched_url(uri: &str) -> bool {
    let u = uri.trim().trim_start_matches('<');
    let scheme = u.split_once(':').map_or("", |(s, _)| s);
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

/// An HTTP response: status, headers (lowercase names), decoded body.
struct Payload {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Splits an HTTP response block into status, headers and body (de-chunked, decompressed).
fn http_payload(block: &[u8], max: usize) -> Result<Payload, String> {
    let (head_end, body_start) = match memchr::memmem::find(block, b"\r\n\r\n") {
        Some(k) => (k, k + 4),
        None => match memchr::memmem::find(block, b"\n\n") {
            Some(k) => (k, k + 2),
            None => return Err("HTTP response without the end of its headers".into()),
        },
    };
    let head = &block[..head_end];
    let status_end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    let status_line = String::from_utf8_lossy(trim_eol(&head[..status_end]));
    if !status_line.starts_with("HTTP/") {
        return Err(format!(
            "not an HTTP response (status line `{}`)",
            status_line.chars().take(60).collect::<String>()
        ));
    }
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| format!("HTTP status line `{status_line}` has no status code"))?;
    let headers = parse_headers(&head[status_end.min(head.len())..]);
    let mut body = block[body_start.min(block.len())..].to_vec();
    if header(&headers, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    {
        body = dechunk(&body).ok_or("broken chunked transfer encoding")?;
    }
    match header(&headers, "content-encoding").map(|v| v.trim().to_ascii_lowercase()) {
        None => {}
        Some(e) if e.is_empty() || e == "identity" => {}
        Some(e) if e == "gzip" || e == "x-gzip" || e == "deflate" => {
            let mut out = Vec::new();
            let limit = max as u64 + 1;
            let r = if e == "deflate" {
                flate2::read::ZlibDecoder::new(&body[..])
                    .take(limit)
                    .read_to_end(&mut out)
            } else {
                flate2::read::MultiGzDecoder::new(&body[..])
                    .take(limit)
                    .read_to_end(&mut out)
            };
            r.map_err(|err| format!("Content-Encoding {e} cannot be decoded: {err}"))?;
            if out.len() > max {
                return Err(format!(
                    "decompressed body exceeds max_record_bytes = {max}"
                ));
            }
            body = out;
        }
        Some(e) => return Err(format!("unsupported Content-Encoding `{e}`")),
    }
    Ok(Payload {
        status,
        headers,
        body,
    })
}

/// Decodes a chunked body; `None` if the framing is broken.
fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let nl = memchr::memchr(b'\n', b)?;
        let size_line = std::str::from_utf8(trim_eol(&b[..nl])).ok()?;
        let size_hex = size_line.split(';').next()?.trim();
        let size = usize::from_str_radix(size_hex, 16).ok()?;
        b = &b[nl + 1..];
        if size == 0 {
            return Some(out);
        }
        if b.len() < size {
            return None;
        }
        out.extend_from_slice(&b[..size]);
        b = &b[size..];
        b = b
            .strip_prefix(b"\r\n")
            .or_else(|| b.strip_prefix(b"\n"))
            .unwrap_or(b);
    }
}

/// `text/html; charset=UTF-8` → (`text/html`, `Some("utf-8")`).
fn split_content_type(ct: &str) -> (String, Option<String>) {
    let mut parts = ct.split(';');
    let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("charset"))
            .then(|| v.trim().trim_matches(['"', '\'']).to_ascii_lowercase())
    });
    (mime, charset)
}

/// A media type from the first bytes, when the response declares none.
fn sniff_mime(body: &[u8]) -> String {
    let head = &body[..body.len().min(1024)];
    let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
    let t = lower.trim_start();
    if t.starts_with("<!doctype html") || t.starts_with("<html") || lower.contains("<body") {
        "text/html".into()
    } else {
        String::new()
    }
}

/// Decodes a payload in its charset (UTF-8 when none is declared, Windows-1252 if it is not
/// valid UTF-8).
fn decode_text(body: &[u8], charset: Option<&str>) -> Result<String, String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    match charset {
        None => Ok(match std::str::from_utf8(body) {
            Ok(t) => t.to_string(),
            Err(_) => html::decode_cp1252(body),
        }),
        Some("utf-8" | "utf8") => std::str::from_utf8(body)
            .map(str::to_string)
            .map_err(|e| format!("invalid UTF-8 at byte {} of the payload", e.valid_up_to())),
        Some(
            "windows-1252" | "cp1252" | "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1"
            | "us-ascii" | "ascii",
        ) => Ok(html::decode_cp1252(body)),
        Some("iso-8859-15" | "iso8859-15" | "latin9" | "latin-9") => Ok(html::decode_latin9(body)),
        Some(other) => Err(format!("unsupported charset `{other}`")),
    }
}

impl Iterator for WarcReader {
    type Item = Result<Document, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            if let Some(detail) = self.pending.take() {
                self.done = true;
                let locator = self.locator(0, None);
                return Some(Ok(malformed_doc(&self.source, locator, None, b"", detail)));
            }
            if self.input.is_none() {
                if self.packing != Packing::Gzip {
                    self.done = true;
                    return None;
                }
                match self.next_member() {
                    Ok(true) => {}
                    Ok(false) => {
                        self.done = true;
                        return None;
                    }
                    Err(detail) => {
                        self.done = true;
                        let locator = self.locator(0, None);
                        return Some(Ok(malformed_doc(&self.source, locator, None, b"", detail)));
                    }
                }
            }
            match self.step() {
                Step::Doc(d) => return Some(Ok(*d)),
                Step::Skip => {}
                Step::End => {
                    if self.packing == Packing::Gzip {
                        self.end_segment();
                    } else {
                        self.done = true;
                        return None;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_and_content_types() {
        assert_eq!(
            dechunk(b"5\r\nhallo\r\n7;x=y\r\n wereld\r\n0\r\n\r\n").as_deref(),
            Some(&b"hallo wereld"[..])
        );
        assert_eq!(dechunk(b"ff\r\nkort"), None);
        assert_eq!(
            split_content_type("Text/HTML; Charset=\"UTF-8\""),
            ("text/html".to_string(), Some("utf-8".to_string()))
        );
        assert_eq!(decode_text(b"caf\xe9", None).as_deref(), Ok("café"));
        assert!(decode_text(b"caf\xe9", Some("utf-8")).is_err());
        assert!(decode_text(b"x", Some("shift_jis")).is_err());
    }
}
