"""Measure what an annotator gets from real news pages: titles, furniture, sentence splits.

Run with ``python bench/real_pages.py [FOLDER]`` (default: ../shared/corpus/news-dev, 23 real
pages). It imports every .html file of the folder into a temporary database, exactly as
`annotty import` does, and prints per page and in total:

- sentences: how many the annotator is asked to decide;
- furniture: sentences that look like page furniture rather than article text, found by the
  detector below, which is written apart from annotations/boilerplate/ on purpose (the
  import's rules must not grade their own work);
- broken: sentences that look badly split: starting in lower case, with a closing bracket or
  quote, inside a bracket opened earlier in the paragraph, or inside a short quoted phrase
  (quoted speech of several whole sentences is not counted);
- twice: 1 when the headline appears again as one of the first sentences after the title;
- site: 1 when the title still holds the site's name;
- dropped: lines the import's boilerplate pass dropped (kept in the article's meta);
- the language stored and the title.

A measurement, never a test. `--show` prints every flagged sentence, to check the detector by eye.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotations.importer import Importer
from annotations.library import get_article
from annotations.store import Store

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "news-dev"
if not DEFAULT_FOLDER.is_dir():
    DEFAULT_FOLDER = Path("/work/shared/corpus/news-dev")

# What a reader of news pages would call furniture when it shows up as a "sentence". Each is a
# plain pattern with the kind it stands for; a sentence matching any of them is counted once.
_FURNITURE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("e-mail", re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\[email\s*protected\]", re.I)),
    ("subscribe", re.compile(r"\b(subscribe|subscription|subscriber|sign[ -]?up|newsletter|"
                             r"log in for|unsubscribe)\b", re.I)),
    ("call to action", re.compile(r"\b(click (here|this)|tap here|watch live|download the|"
                                  r"follow us|join now|share this|read more|see more)\b", re.I)),
    ("byline", re.compile(r"^(by|article by|posted on|published on|updated on?|auteur|"
                          r"edition|written by)\b[ :]*(\S+( \S+){0,5})?$", re.I)),
    ("staff line", re.compile(r"^\S+( \S+){0,3} (staff|senior) (reporter|writer)s?$", re.I)),
    ("credit", re.compile(r"\((photo|picture|image|file|credit)\b[^)]*\)|^\(\w{1,4}\)$|"
                          r"\b(getty images|photo credit|photograph:)", re.I)),
    ("copyright", re.compile(r"©|\bcopyright\b|all rights reserved", re.I)),
    ("time stamp", re.compile(r"^\d{1,2}[:.]\d{2}\s*([ap]\.?m\.?)?\s*[A-Z]{0,4}\.?$", re.I)),
    ("date line", re.compile(r"^(\w+,? )?(\d{1,2} )?(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|"
                             r"nov|dec)\w* \d{1,2},? \d{4}\.?$|^\d{1,2}[./]\d{1,2}[./]\d{2,4}$",
                             re.I)),
    ("related", re.compile(r"^(more|related|see also|also read|read also|watch)\s*:|"
                           r"\.\.\. more$|… more$|^related (videos|stories|articles)$|"
                           r"^in case you missed", re.I)),
    ("list link", re.compile(r" - (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* "
                             r"\d{1,2}, \d{4}$", re.I)),
    ("show all", re.compile(r"^show (all|more)\b", re.I)),
    ("link", re.compile(r"^(https?://|www\.)\S+$|pic\.twitter\.com/\S+$", re.I)),
    ("embed", re.compile(r"^— .{1,60}\(@\w+\) \w+ \d{1,2}, \d{4}$")),
    ("site widget", re.compile(r"^(location details|related videos|advertisement|"
                               r"in pictures|\w+ news in pictures)$", re.I)),
]  # fmt: skip
_CLOSERS = ")]}”"
_LATIN_CYRILLIC = re.compile(r"[a-zA-Z][\u0400-\u04ff]|[\u0400-\u04ff][a-zA-Z]")


def furniture_kind(sentence: str) -> str | None:
    """The kind of furniture a sentence looks like, or None when it looks like article text."""
    text = unicodedata.normalize("NFKC", sentence).strip()
    for kind, pattern in _FURNITURE_PATTERNS:
        if pattern.search(text):
            return kind
    if _LATIN_CYRILLIC.search(text):
        return "mixed script"
    return None


def broken_kind(sentence: str, before_in_paragraph: str) -> str | None:
    """How a sentence looks badly split, or None.

    A sentence of quoted speech that goes on over several sentences is not broken; one that
    starts inside a short quoted phrase (fewer than five words after the opening mark) is.

    Args:
        sentence: its text.
        before_in_paragraph: the text of its paragraph before it.
    """
    head = sentence.lstrip()
    if not head:
        return None
    first, word = head[0], head.split(maxsplit=1)[0]
    if first.islower() and not re.match(r"^[a-z]+[A-Z]", word):
        return "lowercase start"
    if first in _CLOSERS or first == "]":
        return "closing bracket"
    for opener, closer in (("(", ")"), ("[", "]")):
        if before_in_paragraph.count(opener) > before_in_paragraph.count(closer):
            return "inside brackets"
    opened = before_in_paragraph.rfind("“")
    if opened > before_in_paragraph.rfind("”") and len(before_in_paragraph[opened:].split()) < 5:
        return "inside a quoted phrase"
    return None


def _similar(a: str, b: str) -> bool:
    """The same headline, give or take case, punctuation and a short prefix like "News"."""

    def words(text: str) -> list[str]:
        return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())

    wa, wb = words(a), words(b)
    if not wa or not wb:
        return False
    shorter, longer = sorted((wa, wb), key=len)
    if len(shorter) < 3:
        return shorter == longer
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1)) and (
        len(longer) - n <= 2
    )


def _site_names(meta: dict, source: str) -> list[str]:
    names = []
    if meta.get("sitename"):
        names.append(meta["sitename"])
    host = re.sub(r"^https?://(www\.)?", "", source or "").split("/")[0]
    if host:
        names.append(host)
        names.append(host.rsplit(".", 1)[0])
    return [n for n in names if len(n) >= 2]


def title_has_site(title: str, meta: dict, source: str) -> bool:
    """Whether a title still carries the site's name as a piece ("… - Site", "… | DW | date")."""
    folded = title.casefold()
    parts = re.split(r"\s+[-|–—:•]\s+|:\s+", folded)
    if len(parts) < 2:
        return False
    ends = {part.strip() for part in parts}
    for name in _site_names(meta, source):
        key = re.sub(r"[^a-z0-9]", "", name.casefold())
        for end in ends:
            squeezed = re.sub(r"[^a-z0-9]", "", end)
            if squeezed == key or (len(squeezed) >= 3 and (squeezed in key or key in squeezed)):
                return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--show", action="store_true", help="print every flagged sentence")
    args = parser.parse_args()
    pages = sorted(args.folder.glob("*.html"))
    if not pages:
        sys.exit(f"no .html files in {args.folder}")
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(Path(folder) / "bench.db")
        importer = Importer(store)
        importer.pipeline  # load spaCy before the clock starts  # noqa: B018
        columns = {row[1] for row in store.conn.execute("PRAGMA table_info(articles)")}
        totals = {"sentences": 0, "furniture": 0, "broken": 0, "twice": 0, "site": 0, "drop": 0}
        started = time.perf_counter()
        print(
            f"{'page':<38} {'sents':>5} {'furn':>4} {'brok':>4} {'twice':>5} {'site':>4}"
            f" {'drop':>4} {'lang':<4} title"
        )
        flagged: list[str] = []
        for page in pages:
            result = importer.import_file(page)
            if result.status == "error":
                print(f"{page.name[:38]:<38} error: {result.message}")
                continue
            article = get_article(store, result.article_ids[0])
            meta = article.meta or {}
            language = meta.get("language", "—")
            if "language" in columns:
                language = (
                    store.value("SELECT language FROM articles WHERE id = ?", (article.id,))
                    or language
                )
            counts = {"furniture": 0, "broken": 0}
            for sentence in article.sentences:
                paragraph_start = article.text.rfind("\n", 0, sentence.start) + 1
                before = article.text[paragraph_start : sentence.start]
                kind = furniture_kind(sentence.text)
                broken = broken_kind(sentence.text, before)
                for name, found in (("furniture", kind), ("broken", broken)):
                    if found:
                        counts[name] += 1
                        flagged.append(f"  {page.name[:24]} {name}/{found}: {sentence.text[:90]}")
            title = article.title or ""
            heads = [s.text for s in article.sentences[:4]]
            twice = int(sum(_similar(title, head) for head in heads) > 1) if title else 0
            site = int(title_has_site(title, meta, article.source or ""))
            n = len(article.sentences)
            drop = len(meta.get("dropped") or [])
            totals["drop"] += drop
            totals["sentences"] += n
            totals["furniture"] += counts["furniture"]
            totals["broken"] += counts["broken"]
            totals["twice"] += twice
            totals["site"] += site
            print(
                f"{page.name[:38]:<38} {n:>5} {counts['furniture']:>4} {counts['broken']:>4}"
                f" {twice:>5} {site:>4} {drop:>4} {language:<4}"
                f" {json.dumps(title, ensure_ascii=False)}"
            )
        seconds = time.perf_counter() - started
        n = max(totals["sentences"], 1)
        print(
            f"{'total (' + str(len(pages)) + ' pages)':<38} {totals['sentences']:>5}"
            f" {totals['furniture']:>4} {totals['broken']:>4} {totals['twice']:>5}"
            f" {totals['site']:>4} {totals['drop']:>4}"
        )
        print(
            f"furniture {100 * totals['furniture'] / n:.1f}% of sentences, broken splits"
            f" {100 * totals['broken'] / n:.1f}%, headline twice on {totals['twice']} pages,"
            f" site name in {totals['site']} titles; import {seconds:.1f} s"
        )
        if args.show:
            print("\n".join(flagged))
        store.close()


if __name__ == "__main__":
    main()
