"""Choosing an article's title from what a web page says its headline is.

A page names its headline several times: `og:title`, the `<h1>`, `<title>`, the JSON-LD
`headline`. Each source fails on some pages: `<title>` and `og:title` carry the site's name
("Storm hits coast - The Gazette"), an `<h1>` may be the logo ("POLITICO"), JSON-LD may hold the
CMS's name ("escenic"). So the title is the headline most of them agree on, after each has had
the site's name stripped from its ends: the page's own majority, not any one field.

Everything here works on strings already cleaned by `annotations.text`; `candidates_from_html`
reads them from a parsed page.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from annotations.text import clean_line

KINDS = ("og:title", "h1", "json-ld", "title", "twitter:title", "extracted")
"""Where a candidate comes from, most trusted first: the order breaks ties between headlines
that the same number of sources agree on."""

CMS_NAMES = frozenset(
    {
        "escenic", "wordpress", "drupal", "joomla", "ghost", "typo3", "sitecore", "brightspot",
        "arc", "arcpublishing", "contentful", "blogger", "squarespace", "wix", "medium",
        "untitled", "untitleddocument", "home", "homepage", "index", "article", "news",
        "breakingnews", "sections", "menu", "search",
    }
)  # fmt: skip
"""Squeezed values (lower case, letters and digits only) that are never a headline."""

_FALLBACK_KINDS = ("og:title", "title", "json-ld", "twitter:title", "extracted", "h1")
"""When every candidate is a site name: an `<h1>` alone is most often the logo."""


def _fallback_rank(kind: str) -> int:
    return _FALLBACK_KINDS.index(kind) if kind in _FALLBACK_KINDS else len(_FALLBACK_KINDS)


MAX_CANDIDATE_LENGTH = 300
"""Longer text in an `<h1>` or `<title>` is a page element gone wrong, not a headline."""

_SEPARATOR = re.compile(r"\s+(?:[-–—|•·»:~/]|--|::|\|\|)\s+")
_TRAILING_SEPARATOR = re.compile(r"(?:\s+[-–—|•·»:~]+)+$")
_LEADING_SITE_COLON = re.compile(r"^([^:]{2,40}):\s+")
_DATE = re.compile(
    r"^(?:\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}"
    r"|(?:\w+,? )?(?:\d{1,2} )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    r"(?: \d{1,2})?,? \d{4})$",
    re.IGNORECASE,
)
_H1_LIMIT = 3
_SITE_EXTRA = 10
"""Letters a piece may have besides the site's name and still be it ("NationNews Barbados")."""
_JSON_LD_LIMIT = 200_000
"""JSON-LD blocks longer than this (characters) are not read: a headline is near the top."""


@dataclass(frozen=True)
class Candidate:
    """One source's idea of the headline."""

    kind: str
    """One of KINDS."""
    text: str


@dataclass(frozen=True)
class PageNames:
    """What a page says about its headline and about itself."""

    candidates: list[Candidate]
    site_names: list[str]
    """og:site_name, the JSON-LD publisher, application-name, the domain: names to strip."""


def squeeze(text: str) -> str:
    """Lower-case letters and digits only: how names are compared ("Daily Mail" ~ "dailymail")."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in folded if c.isalnum())


def words(text: str) -> list[str]:
    """The words of a text, folded for comparison: case, quotes and dashes do not matter."""
    return re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())


def is_site_name(segment: str, site_names: Iterable[str]) -> bool:
    """Whether a piece of a title is the site's (or a CMS's) name rather than part of a headline.

    >>> is_site_name("Daily Mail Online", ["Mail Online"])
    True
    >>> is_site_name("Storm hits coast", ["The Gazette"])
    False
    """
    key = squeeze(segment)
    if not key:
        return True  # nothing but punctuation
    if key in CMS_NAMES:
        return True
    for name in site_names:
        for site in {squeeze(name), squeeze(name.rsplit(".", 1)[0]) if "." in name else ""}:
            if not site:
                continue
            if key == site:
                return True
            # "Detroit" in "Detroit Metro Times"; "Daily Mail Online" around "Mail Online", but
            # not a headline that merely mentions the site ("Politico reporter wins award").
            if len(key) >= 5 and key in site:
                return True
            if len(site) >= 5 and site in key and len(key) - len(site) <= _SITE_EXTRA:
                return True
    return False


def strip_site_name(title: str, site_names: Iterable[str]) -> str:
    """A title without the site's name (or a date) before or after it.

    Only whole pieces at either end go, split at " - ", " | ", " – ", " : " and the like, or a
    leading "Site: "; a title that would be left empty is returned as it was.

    >>> strip_site_name("Storm hits coast - The Gazette", ["The Gazette"])
    'Storm hits coast'
    >>> strip_site_name("Gazette: Storm hits coast", ["gazette.com"])
    'Storm hits coast'
    >>> strip_site_name("La perte des terres | DW | 23.05.2011", ["DW.COM"])
    'La perte des terres'
    """
    names = list(site_names)
    text = _TRAILING_SEPARATOR.sub("", title.strip())
    match = _LEADING_SITE_COLON.match(text)
    if match and is_site_name(match.group(1), names) and text[match.end() :].strip():
        text = text[match.end() :]
    pieces = _split(text)
    while len(pieces) > 1 and _is_affix(pieces[-1][0], names):
        pieces.pop()
    while len(pieces) > 1 and _is_affix(pieces[0][0], names):
        pieces.pop(0)
    return _join(pieces) or title


def choose_title(candidates: Sequence[Candidate], site_names: Sequence[str] = ()) -> str | None:
    """The headline most candidates agree on, without the site's name.

    Each candidate, stripped of the site's name, stands for itself and for each run of its
    pieces ("A - B - Site" stands for "A - B", "A" and "B"). The headline is the string the most
    kinds of source stand for; among equals, the one the most trusted source gives, then the
    longest (so "A - B" wins over its own "A" when every source gives "A - B"). The extracted
    title (trafilatura's) only counts when the page offers nothing else. Values that are a site
    or CMS name, and one-word values only one source gives, are never chosen.

    Returns:
        The title as the most trusted supporting source writes it, or None.
    """
    usable = [c for c in candidates if c.kind != "extracted"] or list(candidates)
    support: dict[tuple[str, ...], set[str]] = {}
    spelling: dict[tuple[str, ...], tuple[int, str]] = {}
    for candidate in usable:
        rank = KINDS.index(candidate.kind) if candidate.kind in KINDS else len(KINDS)
        stripped = strip_site_name(candidate.text, site_names)
        for variant in _variants(stripped):
            key = tuple(words(variant))
            if not key or is_site_name(variant, site_names):
                continue
            support.setdefault(key, set()).add(candidate.kind)
            if key not in spelling or rank < spelling[key][0]:
                spelling[key] = (rank, variant)
    best: tuple[int, int, int] | None = None
    chosen: str | None = None
    for key, kinds in support.items():
        if len(key) == 1 and len(kinds) == 1 and len(usable) > 1:
            continue
        score = (len(kinds), -spelling[key][0], len(key))
        if best is None or score > best:
            best, chosen = score, spelling[key][1]
    if chosen is None:  # every candidate is the site's name: better that than nothing
        ranked = sorted(usable, key=lambda c: (len(words(c.text)) < 2, _fallback_rank(c.kind)))
        chosen = next((c.text for c in ranked if squeeze(c.text) not in CMS_NAMES), None)
    return chosen


def is_repeated_headline(line: str, title: str) -> bool:
    """Whether a line of the body is the headline again, give or take a few words around it.

    Pages often print the headline at the top of the text, sometimes with a section label
    before it ("News Storm hits coast") or a byline after it ("Storm hits coast - by A. Writer").

    >>> is_repeated_headline("News Storm hits the coast", "Storm hits the coast")
    True
    >>> is_repeated_headline("The storm hits the coast today, officials said.", "Storm hits coast")
    False
    """
    title_words, line_words = words(title), words(line)
    n = len(title_words)
    if not n or len(line_words) < n or len(line_words) - n > 4:
        return False
    if n < 3 and line_words != title_words:
        return False
    for start in range(len(line_words) - n + 1):
        if line_words[start : start + n] == title_words:
            before, after = start, len(line_words) - start - n
            return before <= 2 and after <= 4 and not _ends_sentence(line, after)
    return False


def candidates_from_html(tree: Any, url: str | None = None) -> PageNames:
    """The headline candidates and site names of a parsed page (an lxml tree; not modified)."""
    candidates: list[Candidate] = []
    site_names: list[str] = []

    def add(kind: str, value: object) -> None:
        if isinstance(value, str):
            text = clean_line(html.unescape(value))
            if text and len(text) <= MAX_CANDIDATE_LENGTH:
                candidates.append(Candidate(kind, text))

    def site(value: object) -> None:
        if isinstance(value, str) and (name := clean_line(html.unescape(value))):
            site_names.append(name)
            first = _split(name)[0][0]
            if first != name:
                site_names.append(first)

    for prop, kind in (("og:title", "og:title"), ("twitter:title", "twitter:title")):
        for value in _meta(tree, prop):
            add(kind, value)
    for name in ("og:site_name", "application-name", "twitter:site"):
        for value in _meta(tree, name):
            site(value.lstrip("@"))
    for element in tree.xpath("//h1")[:_H1_LIMIT]:
        add("h1", element.text_content())
    for element in tree.xpath("//head/title | //title")[:1]:
        add("title", element.text_content())
    for headline, publisher in _json_ld(tree):
        add("json-ld", headline)
        site(publisher)
    for link in [url, *_meta(tree, "og:url"), *tree.xpath("//link[@rel='canonical']/@href")]:
        if isinstance(link, str) and (host := _host(link)):
            site_names.append(host)
            site_names.append(host.rsplit(".", 1)[0])
    return PageNames(candidates, site_names)


def _meta(tree: Any, name: str) -> list[str]:
    values = tree.xpath(f"//meta[@property='{name}' or @name='{name}']/@content")
    return [str(value) for value in values]


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def _json_ld(tree: Any) -> Iterator[tuple[object, object]]:
    """(headline, publisher name) of each JSON-LD object on the page that has a headline."""
    for script in tree.xpath("//script[@type='application/ld+json']")[:10]:
        source = script.text or ""
        if len(source) > _JSON_LD_LIMIT:
            continue
        try:
            data = json.loads(source)
        except (ValueError, RecursionError):
            continue
        yield from _headlines(data, depth=0)


def _headlines(data: object, depth: int) -> Iterator[tuple[object, object]]:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data[:50]:
            yield from _headlines(item, depth + 1)
    elif isinstance(data, dict):
        if "headline" in data:
            publisher = data.get("publisher")
            name = publisher.get("name") if isinstance(publisher, dict) else None
            yield data.get("headline"), name
        if "@graph" in data:
            yield from _headlines(data["@graph"], depth + 1)


def _split(text: str) -> list[tuple[str, str]]:
    """A title's pieces, each with the separator that followed it ("" after the last)."""
    pieces: list[tuple[str, str]] = []
    position = 0
    for match in _SEPARATOR.finditer(text):
        pieces.append((text[position : match.start()], match.group()))
        position = match.end()
    pieces.append((text[position:], ""))
    return pieces[:8]


def _join(pieces: list[tuple[str, str]]) -> str:
    if not pieces:
        return ""
    text = "".join(piece + separator for piece, separator in pieces[:-1]) + pieces[-1][0]
    return text.strip()


def _is_affix(piece: str, site_names: list[str]) -> bool:
    return is_site_name(piece, site_names) or bool(_DATE.match(piece.strip()))


def _variants(title: str) -> Iterator[str]:
    """The title and every run of its pieces, longest first."""
    pieces = _split(title)
    n = len(pieces)
    for length in range(n, 0, -1):
        for start in range(n - length + 1):
            run = pieces[start : start + length]
            yield _join([*run[:-1], (run[-1][0], "")])


def _ends_sentence(line: str, words_after: int) -> bool:
    """A line with words after the headline that ends like a sentence is prose quoting it."""
    return words_after > 0 and line.rstrip().endswith((".", "!", "?"))
