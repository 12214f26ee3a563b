"""Reading a web page into an article: its main text, its headline, none of the page around it.

trafilatura finds the main text; annotations.title chooses the headline among the page's own
fields; annotations.boilerplate drops what is left of the page around the article, and what it
drops is kept in the meta under "dropped". Hostile pages are read, not refused: control
characters written as references are dropped, and a page nested deeper than the HTML parser
goes is read as plain text.
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from annotations import boilerplate
from annotations.errors import InputError
from annotations.files import source_of
from annotations.limits import MAX_SOURCE, shorten
from annotations.model import ArticleInput
from annotations.text import clean_line, clean_text, clean_text_line, strip_controls
from annotations.title import (
    Candidate,
    PageNames,
    candidates_from_html,
    choose_title,
    is_repeated_headline,
)

_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*?(/?)>")
MAX_HTML_DEPTH = 200
"""Deeper than this, lxml (and so trafilatura) drops the text: such a page is read as plain text."""
HEADLINE_LOOKAHEAD = 3
"""Lines at the top of a page's text that may repeat its headline (after a "Posted on", say)."""
_NESTING_ELEMENTS = frozenset(
    [
        "div",
        "section",
        "article",
        "main",
        "aside",
        "nav",
        "header",
        "footer",
        "span",
        "table",
        "ul",
        "ol",
        "blockquote",
        "form",
        "figure",
    ]
)
"""Elements counted for the depth of a page: those that are closed (unlike <p>, <li>)."""
_SKIPPED_START = re.compile(r"<(script|style|noscript|template|svg|head)\b|<!--")
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|h[1-6]|tr|section|article|blockquote|ul|ol|table|header|footer|main|"
    r"aside|nav|pre|hr|dd|dt|figcaption)\b[^<>]*>",
    re.IGNORECASE,
)
_ANY_TAG = re.compile(r"<[^<>]*>")
_DATELINE_LINE = re.compile(
    r"^([A-Z][A-Z .,'’-]{1,40}(?:\([A-Z0-9]{2,10}\))?\s*(?:—|–|--))\n(?=\S)", re.M
)
"""A dateline the page set as a paragraph of its own ("WASHINGTON —"): it joins its sentence."""


def read_html(path: Path, raw: str) -> ArticleInput:
    """An HTML page (decoded) as an article: its main text and headline, without furniture.

    Raises:
        InputError: the page has no article text, or the parser failed on it.
    """
    # The parser drops a lone ESC but keeps the rest of its sequence ("[31m") as text, so the
    # sequences must go before parsing; so must control characters written as references
    # (&#27;), which lxml refuses, leaving trafilatura with no text at all. What comes out is
    # still cleaned like any other text.
    raw = strip_controls(_drop_control_references(raw))
    if _too_deep(raw):  # lxml stops at 255 levels and the text below is lost
        document, names, anchors = None, PageNames([], []), frozenset[str]()
        body = clean_text(_plain_text_of_html(raw))
    else:
        document, names, anchors = _extract(raw)
        body = clean_text(document.text or "") if document is not None else ""
    meta: dict[str, Any] = {}
    if document is not None:
        for key in ("url", "date", "author", "sitename"):
            value = getattr(document, key, None)
            if isinstance(value, str) and (value := clean_line(value)):
                meta[key] = value
    title = _page_title(raw, names, meta, document)
    body, dropped = _without_headline(body, title) if title else (body, [])
    cleaned = boilerplate.clean(body, anchors=anchors)
    body, dropped = _DATELINE_LINE.sub(r"\1 ", cleaned.text), dropped + cleaned.dropped
    if not body:
        raise InputError("no article text found in the HTML")
    if dropped:
        meta["dropped"] = [item.as_json() for item in dropped]
    return ArticleInput(
        text=f"{title}\n\n{body}" if title else body,
        title=title or None,
        source=shorten(meta["url"], MAX_SOURCE) if meta.get("url") else source_of(path),
        meta=meta or None,
    )


def _extract(raw: str) -> tuple[Any, PageNames, frozenset[str]]:
    """trafilatura's document, the page's headline candidates, and the texts of its links."""
    import trafilatura  # slow to import: only when there is HTML to read
    from trafilatura.utils import load_html

    def extract(page: Any) -> Any:
        return trafilatura.bare_extraction(
            page,
            fast=True,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            include_links=False,
            deduplicate=False,
            config=_trafilatura_config(),
        )

    try:  # a third-party parser on arbitrary input: anything goes
        tree = load_html(raw)
        names = candidates_from_html(tree) if tree is not None else PageNames([], [])
        anchors = _anchor_texts(tree) if tree is not None else frozenset[str]()
        document = extract(tree) if tree is not None else None
        if document is None and "<body" not in raw.lower():
            # trafilatura rejects a bare fragment ("<p>...</p>") as not quite HTML.
            document = extract(f"<html><body>{raw}</body></html>")
    except Exception as error:
        raise InputError(f"cannot parse the HTML ({type(error).__name__})") from None
    return document, names, anchors


def _page_title(raw: str, names: PageNames, meta: dict[str, Any], document: Any) -> str:
    """The headline by agreement of the page's fields, else trafilatura's, else `<title>`."""
    candidates = list(names.candidates)
    extracted = getattr(document, "title", None) if document is not None else None
    if isinstance(extracted, str) and (extracted := clean_line(extracted)):
        candidates.append(Candidate("extracted", extracted))
    if not candidates and (fallback := _html_title(raw)):
        candidates.append(Candidate("title", clean_line(fallback)))
    site_names = [*names.site_names, *([meta["sitename"]] if "sitename" in meta else [])]
    if "url" in meta and (host := _host(meta["url"])):
        site_names += [host, host.rsplit(".", 1)[0]]
    return clean_text_line(choose_title(candidates, site_names) or "")


def _without_headline(body: str, title: str) -> tuple[str, list[boilerplate.Dropped]]:
    """The body without a repeat of the headline among its first lines."""
    lines = body.split("\n")
    seen = 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if is_repeated_headline(line, title):
            rest = "\n".join(lines[:index] + lines[index + 1 :])
            rest = re.sub(r"\n{3,}", "\n\n", rest).strip("\n")
            if line.strip().casefold() == title.casefold():
                return rest, []  # the title line put back above is this very line
            return rest, [boilerplate.Dropped(line.strip(), "repeated headline")]
        seen += 1
        if seen >= HEADLINE_LOOKAHEAD:
            break
    return body, []


def _anchor_texts(tree: Any) -> frozenset[str]:
    """The texts of a page's links to its own site, of three words or more.

    A line of the text that is wholly such a link points to another story of the site; a link
    elsewhere (a deck line linking to the wire story it is based on) says nothing of the kind.
    """
    links = [
        *tree.xpath("//link[@rel='canonical']/@href"),
        *tree.xpath("//meta[@property='og:url']/@content"),
    ]
    home = next((host for link in links if (host := _host(str(link)))), None)
    texts = set()
    for element in tree.xpath("//a[@href]")[:5000]:
        target = str(element.get("href") or "").strip()
        if target.startswith(("#", "javascript:", "mailto:")):
            continue
        host = _host(target) if "//" in target else home
        if host is None or host != home:
            continue
        text = clean_line(element.text_content() or "")
        if len(text.split()) >= 3:
            texts.add(text)
    return frozenset(texts)


def _host(url: str) -> str | None:
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


def _drop_control_references(raw: str) -> str:
    """Character references to controls (`&#27;`, `&#x0;`) and to no character removed; C1 ones
    (`&#150;`) read as Windows-1252, as browsers do; every other reference left alone."""

    def replace(match: re.Match[str]) -> str:
        hexadecimal, decimal = match.groups()
        code = int(hexadecimal, 16) if hexadecimal else int(decimal)
        if 0x80 <= code <= 0x9F:
            return html.unescape(f"&#{code};")
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            return ""
        if (code < 0x20 and code not in (0x09, 0x0A, 0x0D)) or code == 0x7F:
            return ""
        return match.group()

    return _NUMERIC_REFERENCE.sub(replace, raw) if "&#" in raw else raw


def _too_deep(raw: str) -> bool:
    """Whether the page nests its containers deeper than MAX_HTML_DEPTH."""
    depth = 0
    for match in _TAG.finditer(raw):
        closing, name, self_closing = match.groups()
        if name.lower() not in _NESTING_ELEMENTS or self_closing:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > MAX_HTML_DEPTH:
                return True
    return False


def _plain_text_of_html(raw: str) -> str:
    """The text of a page without parsing it: scripts and styles out, a line per block element.

    For pages no parser can take; it keeps everything, navigation included, which the
    boilerplate pass then thins.
    """
    pieces: list[str] = []
    position = 0
    lower = raw.lower()
    while True:
        start = _SKIPPED_START.search(lower, position)
        if start is None:
            pieces.append(raw[position:])
            break
        pieces.append(raw[position : start.start()])
        name = start.group(1) or ""
        closing = f"</{name}" if name else "-->"
        end = lower.find(closing, start.end())
        if end < 0:
            break
        position = lower.find(">", end) + 1 if name else end + 3
        if position <= 0:
            break
    text = _BLOCK_TAG.sub("\n", "".join(pieces))
    text = _ANY_TAG.sub("", text)
    return "\n".join(html.unescape(line) for line in text.split("\n"))


@functools.cache
def _trafilatura_config() -> Any:
    """trafilatura's settings, changed so that short articles are kept as they are.

    By default an extraction under 250 characters sends trafilatura to its fallbacks, which on a
    short page return the navigation and footer text instead of the article, and on a page with
    no article at all return the menu as if it were one. With the threshold at 0 and `fast`
    (no readability/jusText comparison), a short article comes out alone and an empty page
    comes out empty.
    """
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "0")
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    return config


def _html_title(raw: str) -> str | None:
    match = _HTML_TITLE.search(raw)
    return html.unescape(match.group(1)) if match else None
