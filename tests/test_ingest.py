"""Tests for annotations.ingest (and the Markdown converter it uses). Files live under tmp_path."""

from __future__ import annotations

import codecs
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from annotations.errors import InputError
from annotations.ingest import (
    SUPPORTED_SUFFIXES,
    FileContents,
    drop_furniture,
    find_files,
    find_title,
    read_file,
)
from annotations.model import AnnotationInput, ArticleInput

SEED = Path(__file__).resolve().parents[1] / "seeds" / "palmyra.txt"


def write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def read_one(directory: Path, name: str, content: str | bytes) -> ArticleInput:
    contents = read_file(write(directory, name, content))
    assert isinstance(contents, FileContents)
    assert len(contents.articles) == 1
    assert contents.annotations == []
    return contents.articles[0]


def read_error(directory: Path, name: str, content: str | bytes) -> str:
    with pytest.raises(InputError) as caught:
        read_file(write(directory, name, content))
    message = str(caught.value)
    assert "\n" not in message
    return message


# --- the sample article -------------------------------------------------------------------


def test_sample_article(tmp_path: Path) -> None:
    path = write(tmp_path, "palmyra.txt", SEED.read_bytes())
    article = read_file(path).articles[0]
    headline = "Syrian forces battle IS, recapture historic town of Palmyra"
    assert article.title == headline
    assert article.text.startswith(headline + "\n\nSyrian government forces battling")
    assert article.text.endswith("over form and semantics.—Agencies")
    assert "Share this post" not in article.text
    assert "scroll to top" not in article.text
    assert "\n\n\n" not in article.text
    assert article.source == "palmyra.txt"  # a copy of the sample is named as the sample
    assert article.meta is None
    assert article.line is None


# --- plain text: encodings and sanitising -------------------------------------------------


def test_crlf_line_ends(tmp_path: Path) -> None:
    article = read_one(tmp_path, "a.txt", "Headline\r\n\r\nFirst para.\r\nSecond para.\r\n")
    assert article.text == "Headline\n\nFirst para.\nSecond para."
    assert article.title == "Headline"


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8 + "Héadline\n\nBody text.".encode(),
        "Héadline\n\nBody text.".encode("utf-16"),  # with a BOM, in native byte order
        codecs.BOM_UTF16_LE + "Héadline\n\nBody text.".encode("utf-16-le"),
        codecs.BOM_UTF16_BE + "Héadline\n\nBody text.".encode("utf-16-be"),
    ],
    ids=["utf-8-bom", "utf-16", "utf-16-le", "utf-16-be"],
)
def test_byte_order_marks(tmp_path: Path, data: bytes) -> None:
    article = read_one(tmp_path, "a.txt", data)
    assert article.text == "Héadline\n\nBody text."
    assert article.title == "Héadline"


def test_text_is_nfc(tmp_path: Path) -> None:
    article = read_one(tmp_path, "a.txt", "Cafe\u0301 opens\n\nThe cafe\u0301 opened.")
    assert article.text == "Café opens\n\nThe café opened."
    assert article.title == "Café opens"


def test_escape_sequences_and_controls_removed(tmp_path: Path) -> None:
    raw = (
        "\x1b[1mBold\x1b[0m headline\x07\n\n"
        "Body \x1b]0;evil title\x07text with a bell\x07 and\x0b a \x9b31mC1 CSI.\n"
    )
    article = read_one(tmp_path, "a.txt", raw)
    assert article.text == "Bold headline\n\nBody text with a bell and a C1 CSI."
    assert article.title == "Bold headline"


def test_blank_line_runs_and_trailing_spaces(tmp_path: Path) -> None:
    article = read_one(tmp_path, "a.txt", "\n\n  \nHeadline   \n\n\n\nOne.  \n\n\n\nTwo.\n\n\n")
    assert article.text == "Headline\n\nOne.\n\nTwo."


# --- the title rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("Headline\n\nBody.", "Headline"),
        ("Is this the end of coal?\n\nBody.", "Is this the end of coal?"),
        ("Stop the war!\n\nBody.", "Stop the war!"),
        ("Talks stall in the U.S.\n\nBody.", "Talks stall in the U.S."),
        ("x" * 150 + "\n\nBody.", "x" * 150),
        ("A first sentence, not a headline.\n\nBody.", None),
        ('He said: "It is over."\n\nBody.', None),
        ("The minister said:\n\nBody.", None),
        ("And then…\n\nBody.", None),
        ("x" * 151 + "\n\nBody.", None),
        ("Headline\nBody directly below.", None),
        ("Only a headline", None),
        ("- a list item\n\nBody.", None),
        ("***\n\nBody.", None),
    ],
)
def test_find_title(text: str, title: str | None) -> None:
    assert find_title(text) == title


def test_title_stays_in_text(tmp_path: Path) -> None:
    article = read_one(tmp_path, "a.txt", "Headline\n\nBody.")
    assert article.text == "Headline\n\nBody."


def test_no_title_without_blank_line(tmp_path: Path) -> None:
    article = read_one(tmp_path, "a.txt", "Headline\nBody.\n")
    assert article.title is None
    assert article.text == "Headline\nBody."


# --- page furniture -----------------------------------------------------------------------


def test_furniture_lines_removed(tmp_path: Path) -> None:
    raw = (
        "Skip to content\n\nHeadline\n\nADVERTISEMENT\nFirst para.\n\n  Read more  \n\n"
        "Please share this post with your friends.\n\nBack to top\nShare this:\n\nPrint this page\n"
    )
    article = read_one(tmp_path, "a.txt", raw)
    assert article.text == ("Headline\n\nFirst para.\n\nPlease share this post with your friends.")
    assert article.title == "Headline"


def test_drop_furniture_keeps_layout_regular() -> None:
    assert drop_furniture("A.\n\nShare this article\n\nB.\n\nScroll to top") == "A.\n\nB."
    assert drop_furniture("Advertisement\n\nA.") == "A."


def test_only_furniture_is_an_error(tmp_path: Path) -> None:
    assert read_error(tmp_path, "a.txt", "Share this post\n\nscroll to top\n") == (
        "no article text in the file"
    )


# --- Markdown -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# Title\n\nBody.", "Title\n\nBody."),
        ("### Third level ###\nBody.", "Third level\n\nBody."),
        ("Title\n=====\n\nBody.", "Title\n\nBody."),
        ("Intro para.\n\nSub\n---\nBody.", "Intro para.\n\nSub\n\nBody."),
        ("A **bold** and *italic* word.", "A bold and italic word."),
        ("A __strong__ and _em_ word, ~~struck~~.", "A strong and em word, struck."),
        ("***Both*** at once.", "Both at once."),
        ("Keep snake_case_name and file_name.txt as they are.", None),
        ("Call `do_it(*args)` now.", "Call do_it(*args) now."),
        ("``a `tick` inside``", "a `tick` inside"),
        (r"Not \*emphasis\* and \_not\_ either.", "Not *emphasis* and _not_ either."),
        ("See [the report](https://ex.com/a_(b)) now.", "See the report now."),
        ('See [the report][r].\n\n[r]: https://ex.com/r "R"', "See the report."),
        ("An image ![alt text](pic.png) here.", "An image here."),
        ("Go to <https://example.org>.", "Go to https://example.org."),
        ("Visible <!-- hidden --> text.", "Visible text."),
        ("One\n<!-- a\nmulti-line comment -->\ntwo.", "One two."),
        (
            "A wrapped\nparagraph of\nthree lines.\n\nNext.",
            "A wrapped paragraph of three lines.\n\nNext.",
        ),
        ("Hard\\\nbreak.", "Hard\nbreak."),
        ("> Quoted text\n> that wraps.\n>\n> Second.", "Quoted text that wraps.\n\nSecond."),
        ("Para.\n> Quote.", "Para.\n\nQuote."),
        ("- one\n- two\n  continued\n* three", "- one\n- two continued\n* three"),
        ("1. first\n2) second", "1. first\n2) second"),
        ("Text about\n- a dash list", "Text about\n\n- a dash list"),
        ("The year\n2024. Was long.", "The year 2024. Was long."),
        (
            "Before.\n\n```python\nx = 1\n\n    y = 2\n```\n\nAfter.",
            "Before.\n\nx = 1\n\n    y = 2\n\nAfter.",
        ),
        ("~~~\n**not bold** in code\n~~~", "**not bold** in code"),
        ("Above.\n\n---\n\n* * *\n\n___\n\nBelow.", "Above.\n\nBelow."),
        ("| A | B |\n|---|:-:|\n| 1 | 2 |", "| A | B |\n| 1 | 2 |"),
    ],
)
def test_markdown_conversion(tmp_path: Path, source: str, expected: str | None) -> None:
    article = read_one(tmp_path, "a.md", source)
    assert article.text == (source if expected is None else expected)


def test_markdown_heading_is_title(tmp_path: Path) -> None:
    article = read_one(tmp_path, "a.md", "# Museum *reopens*\n\nThe museum reopened.\n")
    assert article.title == "Museum reopens"
    assert article.text == "Museum reopens\n\nThe museum reopened."


def test_markdown_front_matter_title(tmp_path: Path) -> None:
    source = '---\ntitle: "Flood: the \\"aftermath\\""\ndate: 2024-03-02\n---\n\nFirst para.\n'
    article = read_one(tmp_path, "a.markdown", source)
    assert article.title == 'Flood: the "aftermath"'
    assert article.text == 'Flood: the "aftermath"\n\nFirst para.'


def test_markdown_front_matter_title_not_repeated(tmp_path: Path) -> None:
    source = "---\ntitle: 'It''s back'\n---\n# It's back\n\nBody.\n"
    article = read_one(tmp_path, "a.md", source)
    assert article.title == "It's back"
    assert article.text == "It's back\n\nBody."


def test_markdown_front_matter_without_title(tmp_path: Path) -> None:
    article = read_one(tmp_path, "a.md", "---\nauthor: Jane\n---\nA sentence.\n")
    assert article.title is None
    assert article.text == "A sentence."


def test_markdown_leading_rule_is_not_front_matter(tmp_path: Path) -> None:
    article = read_one(tmp_path, "a.md", "---\n\nOne.\n\n---\n\nTwo.\n")
    assert article.text == "One.\n\nTwo."


def test_markdown_furniture_removed(tmp_path: Path) -> None:
    source = "# Headline\n\nBody.\n\n[Share this post](https://x.com/share)\n\n**Read more**\n"
    article = read_one(tmp_path, "a.md", source)
    assert article.text == "Headline\n\nBody."


# --- HTML ---------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Museum reopens after flood | Daily Bugle</title>
<link rel="canonical" href="https://example.com/news/museum-reopens">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2024-03-02T10:00:00Z">
<meta property="og:site_name" content="Daily Bugle">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article>
<h1>Museum reopens after flood</h1>
<p>The city museum reopened on Tuesday after
a three-month closure caused by flooding.</p>
<p>Curators said most of the collection had been moved to safety.</p>
<p>Visitors queued from early morning to see the restored galleries.</p>
</article>
<div id="comments" class="comments"><p>Great news! - a reader</p></div>
<footer><p>Copyright 2024 Daily Bugle. All rights reserved.</p></footer>
</body></html>
"""

PAGE_TEXT = (
    "Museum reopens after flood\n\n"
    "The city museum reopened on Tuesday after a three-month closure caused by flooding.\n"
    "Curators said most of the collection had been moved to safety.\n"
    "Visitors queued from early morning to see the restored galleries."
)


def test_html_main_text_only(tmp_path: Path) -> None:
    article = read_one(tmp_path, "page.html", PAGE)
    assert article.text == PAGE_TEXT
    assert article.title == "Museum reopens after flood"
    assert article.source == "https://example.com/news/museum-reopens"
    assert article.meta == {
        "url": "https://example.com/news/museum-reopens",
        "date": "2024-03-02",
        "author": "Jane Roe",
        "sitename": "Daily Bugle",
    }


def test_short_html_page_is_not_replaced_by_navigation(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Short note</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/about">About</a></nav>'
        "<article><p>Only one short paragraph.</p></article>"
        "<footer>Contact us</footer></body></html>"
    )
    article = read_one(tmp_path, "short.htm", page)
    assert article.text == "Short note\n\nOnly one short paragraph."
    assert article.title == "Short note"
    assert article.source == str(tmp_path / "short.htm")
    assert article.meta is None


def test_short_article_among_menus_and_sidebars(tmp_path: Path) -> None:
    # With trafilatura's default settings a text under 250 characters sends it to fallbacks
    # that bring the sidebar along; annotty's settings must keep the brief alone.
    menu = "".join(
        f'<li><a href="/s{i}">Section number {i} of the site</a></li>' for i in range(40)
    )
    related = "".join(
        f'<li><a href="/r{i}">Related story {i}: another headline</a></li>' for i in range(15)
    )
    page = (
        f"<html><head><title>Brief</title></head><body><header><ul>{menu}</ul></header>"
        '<div class="content"><h1>Brief</h1>'
        "<p>A short news brief of one sentence about the council vote on Tuesday.</p>"
        f"<aside><h3>Related</h3><ul>{related}</ul></aside></div>"
        '<div class="sidebar"><p>Sign up for our newsletter to get the best stories every'
        " morning in your inbox, free of charge.</p></div>"
        "<footer><p>About us. Contact. Careers. Terms of use. Privacy policy.</p></footer>"
        "</body></html>"
    )
    article = read_one(tmp_path, "brief.html", page)
    assert article.text == (
        "Brief\n\nA short news brief of one sentence about the council vote on Tuesday."
    )


def test_html_in_utf16_and_xhtml(tmp_path: Path) -> None:
    assert read_one(tmp_path, "a.html", PAGE.encode("utf-16")).text == PAGE_TEXT
    xhtml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        "<head><title>X doc</title></head><body><article><p>Paragraph one here.</p>"
        "<p>And two.</p></article></body></html>"
    )
    assert read_one(tmp_path, "b.html", xhtml).text == "X doc\n\nParagraph one here.\nAnd two."


def test_trafilatura_imported_lazily() -> None:
    # A fresh interpreter: importing the reader must not pay for trafilatura's import.
    code = "import sys, annotations.ingest; print('trafilatura' in sys.modules)"
    root = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=root)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.strip() == "False", result.stderr


def test_html_title_prepended_when_not_in_body(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Storm hits coast</title></head><body><main>"
        "<p>A storm hit the coast on Monday night.</p><p>Thousands lost power.</p>"
        "</main></body></html>"
    )
    article = read_one(tmp_path, "a.html", page)
    assert article.text == (
        "Storm hits coast\n\nA storm hit the coast on Monday night.\nThousands lost power."
    )


def test_html_controls_removed(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Bad\x1b[31m title\x07</title></head><body><article>"
        "<p>Text with \x1b[2Jescapes\x07 and more.</p></article></body></html>"
    )
    article = read_one(tmp_path, "a.html", page)
    assert article.title == "Bad title"
    assert article.text == "Bad title\n\nText with escapes and more."


def test_html_fragment(tmp_path: Path) -> None:
    article = read_one(tmp_path, "a.html", "<p>Bare fragment text.</p>")
    assert article.text == "Bare fragment text."
    assert article.title is None


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Nothing</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/a">About</a></nav>'
        "<footer>Contact us</footer></body></html>",
        "<html><head><title>Only a title</title></head><body></body></html>",
    ],
)
def test_html_without_article_text(tmp_path: Path, page: str) -> None:
    assert read_error(tmp_path, "a.html", page) == "no article text found in the HTML"


# --- JSONL articles -----------------------------------------------------------------------


def jsonl(*records: object) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n"


def test_jsonl_articles(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "in.jsonl",
        jsonl(
            {"text": "First article.", "title": " A\n title ", "meta": {"url": "https://a.b/1"}},
            "",
            {"text": "Second.", "meta": {"source": "Wire", "n": 2, "tags": ["x\x07y"]}},
            {"text": "Headline\n\nThird.", "title": None, "meta": None},
            {"text": "Fourth.", "title": "", "meta": {"url": ""}},
        ),
    )
    contents = read_file(path)
    assert contents.annotations == []
    first, second, third, fourth = contents.articles
    assert first == ArticleInput(
        text="First article.",
        title="A title",
        source="https://a.b/1",
        meta={"url": "https://a.b/1"},
        line=1,
    )
    assert (second.source, second.line, second.title) == ("Wire", 3, None)
    assert second.meta == {"source": "Wire", "n": 2, "tags": ["xy"]}
    assert (third.title, third.text, third.source) == (
        "Headline",
        "Headline\n\nThird.",
        "in.jsonl:4",
    )
    assert third.meta is None
    assert (fourth.title, fourth.source) == (None, "in.jsonl:5")


def test_jsonl_text_is_cleaned(tmp_path: Path) -> None:
    record = {"text": "Cafe\u0301\r\nopens\x1b[0m\n\n\n\nNext.  ", "title": "T\x07itle\u2028x"}
    article = read_one(tmp_path, "a.jsonl", jsonl(record))
    assert article.text == "Café\nopens\n\nNext."
    assert article.title == "Title x"


def test_jsonl_bom_and_crlf(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + b'{"text": "One."}\r\n\r\n{"text": "Two."}\r\n'
    contents = read_file(write(tmp_path, "a.jsonl", data))
    assert [(a.text, a.line) for a in contents.articles] == [("One.", 1), ("Two.", 3)]


def test_jsonl_line_separator_inside_string(tmp_path: Path) -> None:
    # U+2028 is legal unescaped inside a JSON string; it must not split the line.
    data = '{"text": "One\u2028two."}\n{"text": "Three."}\n'
    contents = read_file(write(tmp_path, "a.jsonl", data))
    assert [(a.text, a.line) for a in contents.articles] == [("One\ntwo.", 1), ("Three.", 2)]


# --- JSONL annotations --------------------------------------------------------------------

ANNOTATION = {
    "article_id": "0123456789abcdef",
    "start": 10,
    "end": 25,
    "text": "Palmyra fell.\tX",
    "labels": ["military", "heritage_damage"],
    "annotator": "ana",
    "updated_at": "2026-11-24T18:05:02.123456Z",
    "title": "ignored",
    "source": "ignored",
    "sentence": 3,
    "entities": [],
}


def test_jsonl_annotations(tmp_path: Path) -> None:
    gold = dict(ANNOTATION, annotator="gold", votes={"ana": ["military"], "bo": []})
    path = write(tmp_path, "export.jsonl", jsonl({"text": "An article."}, ANNOTATION, gold))
    contents = read_file(path)
    assert len(contents.articles) == 1
    assert contents.annotations == [
        AnnotationInput(
            line=2,
            article_id="0123456789abcdef",
            start=10,
            end=25,
            text="Palmyra fell.\tX",
            labels=("military", "heritage_damage"),
            annotator="ana",
            updated_at="2026-11-24T18:05:02.123456Z",
            votes=None,
        ),
        AnnotationInput(
            line=3,
            article_id="0123456789abcdef",
            start=10,
            end=25,
            text="Palmyra fell.\tX",
            labels=("military", "heritage_damage"),
            annotator="gold",
            updated_at="2026-11-24T18:05:02.123456Z",
            votes={"ana": ["military"], "bo": []},
        ),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24T18:05:02Z", "2026-11-24T18:05:02.000000Z"),
        ("2026-11-24T20:05:02.5+02:00", "2026-11-24T18:05:02.500000Z"),
        ("2026-11-24T18:05:02", "2026-11-24T18:05:02.000000Z"),
        ("2026-11-24", "2026-11-24T00:00:00.000000Z"),
        (None, None),
    ],
)
def test_annotation_updated_at_normalised(tmp_path: Path, value: str | None, expected: str) -> None:
    path = write(tmp_path, "a.jsonl", jsonl(dict(ANNOTATION, updated_at=value)))
    assert read_file(path).annotations[0].updated_at == expected


def test_annotation_names_cleaned_and_empty_labels_allowed(tmp_path: Path) -> None:
    record = dict(ANNOTATION, annotator=" ana\x1b[0m ", labels=[])
    annotation = read_file(write(tmp_path, "a.jsonl", jsonl(record))).annotations[0]
    assert annotation.annotator == "ana"
    assert annotation.labels == ()


def _without(key: str) -> dict:
    return {k: v for k, v in ANNOTATION.items() if k != key}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"text": "a",}', "not valid JSON (Expecting property name enclosed in double quotes)"),
        ('{"text": "a" "title": "b"}', "not valid JSON (Expecting ',' delimiter)"),
        ('["text"]', "not a JSON object (got an array)"),
        ('"text"', "not a JSON object (got a string)"),
        ('{"title": "No text"}', 'missing "text"'),
        ('{"text": 3}', '"text" is a number, not a string'),
        ('{"text": null}', '"text" is null, not a string'),
        ('{"text": " \\n\\t\\u001b[0m "}', 'empty "text"'),
        ('{"text": "a", "title": 5}', '"title" is a number, not a string'),
        ('{"text": "a", "meta": "x"}', '"meta" is a string, not an object'),
        ('{"text": "a", "meta": []}', '"meta" is an array, not an object'),
        (_without("article_id"), 'missing "article_id"'),
        (_without("start"), 'missing "start"'),
        (_without("end"), 'missing "end"'),
        (_without("text"), 'missing "text"'),
        (_without("updated_at"), 'missing "updated_at"'),
        (dict(ANNOTATION, article_id=7), '"article_id" is a number, not a string'),
        (dict(ANNOTATION, article_id=" "), 'empty "article_id"'),
        (dict(ANNOTATION, start="10"), '"start" is a string, not an integer'),
        (dict(ANNOTATION, start=10.0), '"start" is a number, not an integer'),
        (dict(ANNOTATION, start=True), '"start" is a boolean, not an integer'),
        (dict(ANNOTATION, end=False), '"end" is a boolean, not an integer'),
        (dict(ANNOTATION, start=-1), '"start" and "end" must satisfy 0 <= start < end'),
        (dict(ANNOTATION, start=25), '"start" and "end" must satisfy 0 <= start < end'),
        (dict(ANNOTATION, end=30), '"text" is 15 characters but spans 20'),
        (dict(ANNOTATION, text=["x"]), '"text" is an array, not a string'),
        (
            dict(ANNOTATION, text="Palmyra \x1b[1mfe"),
            '"text" holds control characters or escape sequences',
        ),
        (dict(ANNOTATION, text="Palmyra\r\nfell.X"), '"text" holds control characters'),
        (dict(ANNOTATION, labels="military"), '"labels" is a string, not a list of label names'),
        (dict(ANNOTATION, labels=["military", 3]), '"labels" must be a list of non-empty strings'),
        (dict(ANNOTATION, labels=[" "]), '"labels" must be a list of non-empty strings'),
        (dict(ANNOTATION, annotator=None), "annotator is not a string"),
        (dict(ANNOTATION, annotator="\x07"), "annotator is empty"),
        (dict(ANNOTATION, annotator="a" * 65), "annotator is 65 characters long (at most 64)"),
        (dict(ANNOTATION, updated_at="2999-01-01T00:00:00Z"), '"updated_at" 2999-01-01'),
        (dict(ANNOTATION, note=3), '"note" is a number, not a string'),
        (dict(ANNOTATION, origin="guessed"), '"origin" must be one of typed, suggested, pattern'),
        (dict(ANNOTATION, updated_at=5), '"updated_at" is not a time string'),
        (
            dict(ANNOTATION, updated_at="yesterday"),
            "\"updated_at\" is not an ISO-8601 time: 'yesterday'",
        ),
        (dict(ANNOTATION, updated_at=""), '"updated_at" is not an ISO-8601 time'),
        (dict(ANNOTATION, votes=["ana"]), '"votes" must map annotator names to lists of label'),
        (dict(ANNOTATION, votes={"ana": "x"}), '"votes" must map annotator names'),
        (dict(ANNOTATION, votes={"ana": [1]}), '"votes" must map annotator names'),
    ],
)
def test_jsonl_errors_name_the_line(tmp_path: Path, line: str | dict, expected: str) -> None:
    # The bad line is the fourth physical line, after two good ones and a blank one: it is
    # reported and skipped, the good lines are read.
    content = jsonl({"text": "Good."}, ANNOTATION, "", line)
    contents = read_file(write(tmp_path, "a.jsonl", content))
    assert len(contents.problems) == 1
    assert contents.problems[0].startswith(f"line 4: {expected}")
    assert "\n" not in contents.problems[0]
    assert [a.text for a in contents.articles] == ["Good."]
    assert [a.line for a in contents.annotations] == [2]


def test_jsonl_bad_line_is_reported_and_the_rest_read(tmp_path: Path) -> None:
    contents = read_file(
        write(tmp_path, "a.jsonl", jsonl({"text": "Good."}, "{oops", {"text": "Ok."}))
    )
    assert contents.problems == [
        "line 2: not valid JSON (Expecting property name enclosed in double quotes)"
    ]
    assert [a.text for a in contents.articles] == ["Good.", "Ok."]


def test_jsonl_with_no_readable_line_fails(tmp_path: Path) -> None:
    assert read_error(tmp_path, "a.jsonl", jsonl("{oops")) == (
        "line 1: not valid JSON (Expecting property name enclosed in double quotes)"
    )


@pytest.mark.parametrize("content", ["", "\n\n", "  \n\t\n"])
def test_jsonl_empty_file(tmp_path: Path, content: str) -> None:
    assert read_error(tmp_path, "a.jsonl", content) == "empty file"


# --- unreadable files ---------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".jsonl"])
def test_binary_file(tmp_path: Path, suffix: str) -> None:
    data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    assert read_error(tmp_path, "a" + suffix, data) == "binary file, not text"


def test_undecodable_bytes(tmp_path: Path) -> None:
    message = read_error(tmp_path, "a.txt", b"Caf\xe9 latin-1\n")
    assert message.startswith("not valid UTF-8 text")


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".htm"])
@pytest.mark.parametrize("content", ["", " \n\t\r\n  ", "\ufeff\n"])
def test_empty_and_whitespace_files(tmp_path: Path, suffix: str, content: str) -> None:
    assert read_error(tmp_path, "a" + suffix, content) == "empty file"


def test_controls_only_file_is_empty(tmp_path: Path) -> None:
    assert read_error(tmp_path, "a.txt", "\x07\x1b[0m\n") == "empty file"


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^no such file or directory$"):
        read_file(tmp_path / "missing.txt")


def test_read_directory(tmp_path: Path) -> None:
    (tmp_path / "folder.txt").mkdir()
    with pytest.raises(InputError, match=r"^is a directory, not a file$"):
        read_file(tmp_path / "folder.txt")


def test_read_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^unsupported file type \.pdf "):
        read_file(write(tmp_path, "a.pdf", "text"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads all")
def test_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path, "secret.txt", "Text.")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match=r"^permission denied$"):
            read_file(path)
    finally:
        path.chmod(0o644)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (PermissionError(13, "Permission denied", "x"), "permission denied"),
        (OSError(5, "Input/output error", "x"), "cannot read the file (input/output error)"),
    ],
)
def test_os_errors_without_errno_noise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, expected: str
) -> None:
    path = write(tmp_path, "a.txt", "Text.")

    def fail(path: Path) -> object:
        raise error

    monkeypatch.setattr("annotations.files.open_regular", fail)
    with pytest.raises(InputError) as caught:
        read_file(path)
    assert str(caught.value) == expected


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    reason = "a named pipe (FIFO), not a regular file"
    with pytest.raises(InputError, match=rf"^{re.escape(reason)}$"):
        read_file(fifo)
    assert [(p, str(e)) for p, e in find_files([fifo])] == [(fifo, reason)]
    # Found in a folder, it is reported too (it looks like an article), and never opened.
    assert [(p, str(e)) for p, e in find_files([tmp_path])] == [(fifo, reason)]


# --- find_files ---------------------------------------------------------------------------


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")


def test_find_files_walks_directories_sorted(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    for name in [
        "b.txt",
        "a.md",
        "sub/z.html",
        "sub/deeper/c.jsonl",
        "sub/a.htm",
        "A.TXT",
        "notes.pdf",
        "README",
        ".hidden.txt",
        ".git/x.txt",
        "sub/.cache/y.md",
        "c.markdown",
    ]:
        write(root, name, "Text.")
    found = find_files([root])
    assert all(error is None for _, error in found)
    assert [p.relative_to(root).as_posix() for p, _ in found] == [
        "A.TXT",
        "a.md",
        "b.txt",
        "c.markdown",
        "sub/a.htm",
        "sub/deeper/c.jsonl",
        "sub/z.html",
    ]


def test_find_files_keeps_given_order_and_reports_errors(tmp_path: Path) -> None:
    first = write(tmp_path, "z.txt", "Text.")
    folder = tmp_path / "dir"
    write(folder, "b.md", "Text.")
    write(folder, "a.txt", "Text.")
    pdf = write(tmp_path, "doc.pdf", "%PDF")
    bare = write(tmp_path, "README", "Text.")
    hidden = write(tmp_path, ".hidden.txt", "Text.")
    missing = tmp_path / "missing.txt"
    found = find_files([first, missing, folder, pdf, bare, hidden, folder / "a.txt", first])
    assert [(path, error is None) for path, error in found] == [
        (first, True),
        (missing, False),
        (folder / "a.txt", True),
        (folder / "b.md", True),
        (pdf, False),
        (bare, False),
        (hidden, True),  # a file named explicitly is taken even if hidden
    ]
    errors = {path: str(error) for path, error in found if error}
    assert errors[missing] == "no such file or directory"
    reads = "(annotty reads .txt, .md, .html, .jsonl, .json)"
    assert errors[pdf] == f"unsupported file type .pdf {reads}"
    assert errors[bare] == "file has no suffix (annotty reads .txt, .md, .html, .jsonl, .json)"


def test_find_files_deduplicates_resolved_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "a.txt", "Text.")
    monkeypatch.chdir(tmp_path)
    found = find_files([Path("a.txt"), path, tmp_path / "." / "a.txt", tmp_path])
    assert found == [(Path("a.txt"), None)]


def test_find_files_empty_directory(tmp_path: Path) -> None:
    assert find_files([tmp_path]) == []
