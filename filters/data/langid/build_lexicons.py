#!/usr/bin/env python3
"""Rebuild the two word lists of the language stage's second opinion (filters/src/language.rs):

fy-words.txt  West Frisian words that are not Dutch, Afrikaans, German or English words: the word
              list inside Tesseract's West Frisian model, Debian `tesseract-ocr-fry` 1:4.1.0-2
              (tessdata_fast, Apache-2.0, see fy-words-LICENSE.txt), 81,064 entries gathered from
              Frisian web text (so it also holds Dutch, English and German words), less every word
              of the lists below, every word with "sch" (Frisian writes "sk"; these are Dutch in
              the spelling before 1947: "Nederlandsche", "tusschen") and every word that occurs
              LAW_MAX times or more in the legislation sample below ("eene", "'s-Gravenhage",
              "enz", French words of treaties).
nl-words.txt  The 20,000 most frequent words of Dutch legislation (the first 20,000 characters of
              each of the 19,685 laws in /work/shared/data/laws/laws.jsonl.zst, no copyright,
              Auteurswet art. 11) that the OpenTaal Dutch word list holds (Debian wdutch, BSD or
              CC-BY-3.0, see nl-words-LICENSE.txt) and that are not Afrikaans, German or English
              words; most frequent first.

Subtracted (only subtracted, nothing of them is copied):
  Dutch      /work/shared/data/lexicons/opentaal_wdutch.txt            (from fy-words only)
  English    Debian wamerican, wbritish (/usr/share/dict/american-english, british-english)
  German     Debian wngerman (/usr/share/dict/ngerman)
  Afrikaans  Debian hunspell-af: af_ZA.dic stems and every form `unmunch` (hunspell-tools) makes
  stop words /work/shared/data/lexicons/stopwords/stopwordsiso_{af,de,en}.txt (and the nl lists
             from fy-words)
Words are lower-cased; only letter runs (with inner apostrophes) of two or more letters with a
vowel are kept (no abbreviations such as "drs").

  apt-get download tesseract-ocr-fry wamerican wbritish wngerman hunspell-af hunspell-tools
  for f in *.deb; do dpkg-deb -x $f x; done
  combine_tessdata -u x/usr/share/tesseract-ocr/5/tessdata/fry.traineddata td/fry.
  dawg2wordlist td/fry.lstm-unicharset td/fry.lstm-word-dawg fry.words     # Debian tesseract-ocr
  x/usr/bin/unmunch x/usr/share/hunspell/af_ZA.dic x/usr/share/hunspell/af_ZA.aff > af_full.txt
  python3 build_lexicons.py fry.words af_full.txt x
"""
import collections
import glob
import json
import os
import re
import subprocess
import sys

SHARED = "/work/shared/data"
LEX = f"{SHARED}/lexicons"
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
VOWEL = re.compile(r"[aeiouyàáâäèéêëìíîïòóôöùúûü]")
NL_WORDS = 20000
LAW_CHARS = 20000
LAW_MAX = 30


def load(path, strip_flags=False):
    out = set()
    for w in open(path, encoding="utf-8", errors="replace"):
        w = w.strip()
        if strip_flags:
            w = w.split("/")[0]
        if w:
            out.add(w.lower())
    return out


def word_like(w):
    return len(w) >= 2 and WORD.fullmatch(w) and VOWEL.search(w)


def law_frequencies():
    counts = collections.Counter()
    zst = subprocess.Popen(
        ["zstdcat", f"{SHARED}/laws/laws.jsonl.zst"], stdout=subprocess.PIPE, text=True
    )
    for line in zst.stdout:
        text = json.loads(line)["text"][:LAW_CHARS]
        counts.update(w.lower() for w in WORD.findall(text))
    zst.wait()
    return counts


def write(name, words):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(w + "\n" for w in words))
    print(out, len(words), "words")


def main():
    fry_words, af_full, root = sys.argv[1:4]
    dutch = load(f"{LEX}/opentaal_wdutch.txt")
    others = set()  # Afrikaans, German, English
    for p in ["american-english", "british-english", "ngerman"]:
        others |= load(f"{root}/usr/share/dict/{p}")
    others |= load(f"{root}/usr/share/hunspell/af_ZA.dic", strip_flags=True)
    others |= load(af_full)
    for lang in ["af", "de", "en"]:
        others |= load(f"{LEX}/stopwords/stopwordsiso_{lang}.txt")
    nl_stop = set()
    for p in sorted(glob.glob(f"{LEX}/stopwords/*.txt")):
        nl_stop |= load(p)

    freq = law_frequencies()
    fy = load(fry_words)
    write(
        "fy-words.txt",
        sorted(
            w
            for w in fy
            if w not in dutch
            and w not in others
            and w not in nl_stop
            and word_like(w)
            and "sch" not in w
            and freq[w] < LAW_MAX
        ),
    )
    ranked = sorted(freq.items(), key=lambda kv: (-kv[1], kv[0]))
    nl = [w for w, _ in ranked if w in dutch and w not in others and word_like(w)]
    write("nl-words.txt", nl[:NL_WORDS])


if __name__ == "__main__":
    main()
