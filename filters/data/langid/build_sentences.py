#!/usr/bin/env python3
"""Rebuild filters/data/langid/sentences.jsonl (and, with --split dev, the tuning set).

Single sentences of real text in Dutch, Afrikaans, West Frisian, German and English, in three
length buckets (5-9, 10-14 and 15 or more words), at most N_PER_BUCKET per language and bucket.
Deterministic: documents are read in a fixed order, put in `test` or `dev` by a hash of their id
(West Frisian: by source, see below) and sampled with random.Random(SEED).

Inputs (licences in README.md):
  nl  /work/shared/data/ud/alpino/nl_alpino-ud-dev.conllu            (news, CC-BY-SA-4.0)
      /work/shared/data/ud/lassysmall/nl_lassysmall-ud-dev.conllu    (Wikipedia, CC-BY-SA-4.0)
  af  /work/shared/data/ud/afrikaans/af_afribooms-ud-train.conllu    (government, CC-BY-SA-4.0)
  fy  test: Thunderbird's West Frisian language pack, Debian thunderbird-l10n-fy-nl (MPL-2.0),
            strings that Firefox's pack does not also hold;
      dev:  Firefox ESR's West Frisian language pack, Debian firefox-esr-l10n-fy-nl (MPL-2.0)
        apt-get download thunderbird-l10n-fy-nl firefox-esr-l10n-fy-nl
        for f in *.deb; do dpkg-deb -x $f x; done
        (mkdir tb && cd tb && unzip ../x/usr/lib/thunderbird/extensions/langpack-fy-NL@*.xpi)
        (mkdir ff && cd ff && unzip ../x/usr/lib/firefox-esr/browser/extensions/langpack-fy-NL@*.xpi)
  de  LibreOffice help, Debian libreoffice-help-de (MPL-2.0)
  en  LibreOffice help, Debian libreoffice-help-en-us (MPL-2.0)
        apt-get download libreoffice-help-de libreoffice-help-en-us
        for f in libreoffice-help-*.deb; do dpkg-deb -x $f lo; done

Usage: python3 build_sentences.py [--split test|dev] --l10n DIR --lo DIR [--out FILE]
  (DIR of --l10n holds tb/ and ff/; DIR of --lo is the extracted lo/ root)
"""
import argparse
import glob
import hashlib
import html
import html.parser
import json
import os
import random
import re

SEED = 20261204
N_PER_BUCKET = 150  # at most; AfriBooms has fewer short sentences
BUCKETS = [(5, 9, "5-9"), (10, 14, "10-14"), (15, 10**9, "15+")]
SHARED = "/work/shared/data"

WS = re.compile(r"\s+")
SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-ÖØ-Þ0-9'\"‘“(])")


def split_of(doc_id):
    return "test" if hashlib.sha1(doc_id.encode()).digest()[0] < 128 else "dev"


def prose(s):
    """A sentence worth testing: 25..400 chars, mostly letters, no markup or command line."""
    if not 25 <= len(s) <= 400:
        return False
    chars = [c for c in s if not c.isspace()]
    letters = sum(c.isalpha() for c in chars)
    if letters < 0.8 * len(chars):
        return False
    if re.search(r"(^|\s)--?\w|[{}<>=|\\_/$%&@#]|\w\(\d\)|https?:|www\.|\.\w{2,4}\b(?<!\.)", s):
        return False
    return True


def sentences(text):
    return [WS.sub(" ", s).strip() for s in SPLIT.split(WS.sub(" ", text).strip())]


def conllu_docs(path, doc_of):
    docs, order, sid = {}, [], None
    for line in open(path, encoding="utf-8"):
        if line.startswith("# sent_id = "):
            sid = line[len("# sent_id = ") :].strip()
        elif line.startswith("# text = "):
            d = doc_of(sid)
            if d not in docs:
                docs[d] = []
                order.append(d)
            docs[d].append(line[len("# text = ") :].strip())
    return [(d, docs[d]) for d in order]


def nl_alpino():
    return conllu_docs(
        f"{SHARED}/ud/alpino/nl_alpino-ud-dev.conllu", lambda s: "alpino:" + s.split("\\")[0]
    )


def nl_lassysmall():
    # sent_id = wiki-5716.p.3.s.1: the Wikipedia article is the document.
    return conllu_docs(
        f"{SHARED}/ud/lassysmall/nl_lassysmall-ud-dev.conllu",
        lambda s: "lassysmall:" + s.split(".")[0],
    )


def af_afribooms():
    # AfriBooms has no document ids: 20 consecutive sentences make one "document".
    return conllu_docs(
        f"{SHARED}/ud/afrikaans/af_afribooms-ud-train.conllu",
        lambda s: "afribooms:%d" % (int(s.split("-s")[1]) // 20),
    )


def l10n_values(root):
    """(file, value) of every string of a Mozilla language pack (.ftl, .properties, .dtd)."""
    out = []
    for p in sorted(glob.glob(f"{root}/**/*", recursive=True)):
        rel = os.path.relpath(p, root)
        if p.endswith(".ftl"):
            for line in open(p, encoding="utf-8"):
                if line.startswith("#") or not line.strip():
                    continue
                m = re.match(r"^\s*\.?[\w-]+\s*=\s*(.*)$", line)
                if m:
                    out.append([rel, m.group(1).strip()])
                elif line[:1] in " \t" and out and not line.strip()[:1] in "*[}.":
                    out[-1][1] += " " + line.strip()  # a value continued on the next line
        elif p.endswith(".properties"):
            for line in open(p, encoding="utf-8"):
                m = re.match(r"^\s*[\w.\-]+\s*[=:]\s*(.*)$", line)
                if m and not line.startswith("#"):
                    out.append([rel, m.group(1).strip()])
        elif p.endswith(".dtd"):
            for m in re.finditer(r'<!ENTITY\s+\S+\s+"([^"]*)"', open(p, encoding="utf-8").read()):
                out.append([rel, m.group(1)])
    return out


def l10n_sentences(root):
    """Sentences of the pack's strings without placeholders or markup, per file."""
    docs = {}
    for rel, v in l10n_values(root):
        if re.search(r"[{}<>&%$]|\\n", v):
            continue
        docs.setdefault(rel, []).extend(sentences(v))
    return sorted(docs.items())


class HelpText(html.parser.HTMLParser):
    """Text of the <p> elements of a LibreOffice help page, without hidden (per-OS) variants."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "area", "base", "col", "embed", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.paras, self.cur = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        hidden = any(k == "hidden" for k, _ in attrs) or bool(self.stack and self.stack[-1][1])
        self.stack.append((tag, hidden))
        if tag == "p" and self.cur is None:
            self.cur = []

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        if tag == "p" and self.cur is not None:
            self.paras.append("".join(self.cur))
            self.cur = None

    def handle_data(self, data):
        if self.cur is not None and not (self.stack and self.stack[-1][1]):
            self.cur.append(data)


ENGLISH = re.compile(r"\b(?:the|of|and|to|is|are|for|with|this|that)\b")


def libreoffice(lo, lang, prefix):
    out = []
    root = f"{lo}/usr/share/libreoffice/help/{lang}"
    for p in sorted(glob.glob(f"{root}/**/*.html", recursive=True)):
        parser = HelpText()
        # The head's last <script> tag is not closed properly: parse the body only.
        page = open(p, encoding="utf-8").read()
        parser.feed(page[page.find("<body") :])
        sents = [s for para in parser.paras for s in sentences(html.unescape(para))]
        if lang == "de":
            # Untranslated English passages: a label fix, the German units must be German.
            sents = [s for s in sents if len(ENGLISH.findall(s)) < 2]
        out.append((prefix + os.path.relpath(p, root), sents))
    return out


def bucket_of(s):
    n = len(s.split())
    for lo, hi, name in BUCKETS:
        if lo <= n <= hi:
            return name
    return None


def sample(sources, split, rng, exclude=frozenset()):
    """N_PER_BUCKET units per bucket, drawn evenly from the sources; no text twice, none of
    `exclude`."""
    rows = []
    k = len(sources)
    for _, _, b in BUCKETS:
        for j, (docs, in_split) in enumerate(sources):
            n = N_PER_BUCKET // k + (j < N_PER_BUCKET % k)
            pool, seen = [], set()
            for d, ss in docs:
                if not in_split(d):
                    continue
                for s in ss:
                    if prose(s) and bucket_of(s) == b and s not in seen and s not in exclude:
                        seen.add(s)
                        pool.append((d, s))
            rng.shuffle(pool)
            # A source with fewer sentences of a length gives all it has (Afrikaans 5-9 words).
            rows.extend((d, s, b) for d, s in pool[:n])
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="test", choices=["test", "dev"])
    ap.add_argument("--l10n", default="/tmp/fy")
    ap.add_argument("--lo", default="/tmp/fy/lo")
    ap.add_argument("--out")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    out = a.out or os.path.join(here, "sentences.jsonl" if a.split == "test" else "sentences-dev.jsonl")
    by_hash = lambda d: split_of(d) == a.split  # noqa: E731
    everything = lambda d: True  # noqa: E731
    ff = l10n_sentences(f"{a.l10n}/ff")
    if a.split == "test":
        in_ff = {s for _, ss in ff for s in ss}
        tb = l10n_sentences(f"{a.l10n}/tb")
        fy = [("thunderbird-fy:" + d, [s for s in ss if s not in in_ff]) for d, ss in tb]
    else:
        fy = [("firefox-fy:" + d, ss) for d, ss in ff]
    langs = {
        "nl": [(nl_alpino(), by_hash), (nl_lassysmall(), by_hash)],
        "af": [(af_afribooms(), by_hash)],
        "fy": [(fy, everything)],
        "de": [(libreoffice(a.lo, "de", "libreoffice-de:"), by_hash)],
        "en": [(libreoffice(a.lo, "en-US", "libreoffice-en:"), by_hash)],
    }
    rows = []
    for lang, sources in langs.items():
        rng = random.Random(f"{SEED}:{lang}:{a.split}")
        # A sentence that also occurs in a document of the dev split (the same sentence in two
        # help pages) is not a test sentence.
        dev = set()
        if a.split == "test":
            dev = {s for docs, in_split in sources for d, ss in docs if not in_split(d) for s in ss}
        for d, s, b in sample(sources, a.split, rng, dev):
            rows.append({"lang": lang, "bucket": b, "src": d, "text": s})
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(out, os.path.getsize(out), "bytes,", len(rows), "sentences")


if __name__ == "__main__":
    main()
