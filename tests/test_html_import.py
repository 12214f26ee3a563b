"""Reading real-looking news pages: the headline as title, no furniture, hostile markup survived.

The pages are small fixtures written here, each with one trait of real pages (a CMS name in
JSON-LD, a site name after the headline, a byline block, a paywall, a page too deep to parse).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.errors import InputError
from annotations.ingest import read_file
from annotations.model import ArticleInput
from annotations.webpage import MAX_HTML_DEPTH

STORY = (
    "<p>Police said a fire broke out at the harbour warehouse shortly after midnight.</p>"
    "<p>Firefighters from three stations fought the blaze for four hours, a spokesman said.</p>"
    "<p>Nobody was injured, and the cause is under investigation.</p>"
)
HEADLINE = "Fire destroys harbour warehouse in Port of Spain"


def news_page(head: str = "", article: str = STORY, after: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>"
        "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li>"
        "</ul></nav></header>"
        f"<main><article>{article}</article>{after}</main>"
        "<footer><p>Contact us</p></footer></body></html>"
    )


def read_page(tmp_path: Path, page: str, name: str = "page.html") -> ArticleInput:
    path = tmp_path / name
    path.write_text(page, "utf-8")
    (article,) = read_file(path).articles
    return article


def dropped(article: ArticleInput) -> list[tuple[str, str]]:
    return [(d["rule"], d["text"]) for d in (article.meta or {}).get("dropped", [])]


def test_cms_name_in_json_ld_is_not_the_title(tmp_path: Path) -> None:
    head = (
        f"<title>{HEADLINE} - Trinidad and Tobago Newsday</title>"
        f'<meta property="og:title" content="{HEADLINE}">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "escenic"}'
        "</script>"
    )
    article = read_page(tmp_path, news_page(head, f"<h1>{HEADLINE}</h1>{STORY}"))
    assert article.title == HEADLINE
    assert article.text.startswith(f"{HEADLINE}\n\nPolice said")
    assert article.text.count(HEADLINE) == 1


def test_site_name_suffix_is_stripped(tmp_path: Path) -> None:
    head = (
        f"<title>{HEADLINE} - The Nassau Guardian</title>"
        '<meta property="og:site_name" content="The Nassau Guardian">'
    )
    assert read_page(tmp_path, news_page(head)).title == HEADLINE


def test_site_name_from_the_domain(tmp_path: Path) -> None:
    head = (
        f"<title>Gazette: {HEADLINE}</title>"
        '<link rel="canonical" href="https://www.gazette.com/2024/fire">'
    )
    assert read_page(tmp_path, news_page(head)).title == HEADLINE


def test_headline_in_the_body_with_a_stray_label_is_not_added_twice(tmp_path: Path) -> None:
    head = f"<title>{HEADLINE}</title>"
    article = read_page(tmp_path, news_page(head, f"<p>News {HEADLINE}</p>{STORY}"))
    assert article.text.count(HEADLINE) == 1
    assert ("repeated headline", f"News {HEADLINE}") in dropped(article)


def test_furniture_is_dropped_and_kept_in_meta(tmp_path: Path) -> None:
    article_html = (
        "<p>By JANE ROE</p><p>Staff Reporter</p><p>jroe@gazette.example</p>"
        f"{STORY}"
        "<p>The warehouse at the harbour, seen from the sea. (Picture by John Doe)</p>"
        "<p>MORE: Port fire last year cost millions</p>"
        "<p>Sign up for our morning newsletter</p>"
        "<p>© 2024, Gazette.com.</p>"
    )
    article = read_page(tmp_path, news_page(f"<title>{HEADLINE}</title>", article_html))
    assert article.text == (
        f"{HEADLINE}\n\n"
        "Police said a fire broke out at the harbour warehouse shortly after midnight.\n"
        "Firefighters from three stations fought the blaze for four hours, a spokesman said.\n"
        "Nobody was injured, and the cause is under investigation."
    )
    assert dropped(article) == [
        ("byline", "By JANE ROE"),
        ("byline", "Staff Reporter"),
        ("contact line", "jroe@gazette.example"),
        ("photo credit", "The warehouse at the harbour, seen from the sea. (Picture by John Doe)"),
        ("related link", "MORE: Port fire last year cost millions"),
        ("subscription promo", "Sign up for our morning newsletter"),
        ("copyright notice", "© 2024, Gazette.com."),
    ]


def test_paywall_offer_is_dropped(tmp_path: Path) -> None:
    offer = (
        "<p>To read the full story, please subscribe to the Gazette.</p>"
        "<p>Choose a $5 weekly pass or a $60 annual subscription.</p>"
        "<p>Already a subscriber? Log in.</p>"
    )
    article = read_page(tmp_path, news_page(f"<title>{HEADLINE}</title>", STORY + offer))
    assert article.text.endswith("the cause is under investigation.")
    assert [rule for rule, _ in dropped(article)] == ["paywall tail"] * 3


def test_teasers_for_other_stories_of_the_site_are_dropped(tmp_path: Path) -> None:
    def teaser(title: str, href: str) -> str:
        return f"<h3>{title}</h3><p><a href='{href}'>{title}</a></p>"

    article_html = (
        STORY
        + teaser("Second fire in a month worries dock workers", "/2024/other-story")
        + teaser("Wire report on the blaze from the agency", "https://elsewhere.example/w")
    )
    head = f'<title>{HEADLINE}</title><link rel="canonical" href="https://gazette.com/fire">'
    article = read_page(tmp_path, news_page(head, article_html))
    assert dropped(article) == [("related link", "Second fire in a month worries dock workers")] * 2
    # trafilatura may keep or drop the other teaser; the rule never calls it a related link.


def test_a_page_that_is_only_furniture_is_an_error(tmp_path: Path) -> None:
    page = news_page("<title>Newsletter</title>", "<p>Sign up here.</p><p>Share this</p>")
    path = tmp_path / "a.html"
    path.write_text(page, "utf-8")
    with pytest.raises(InputError, match="no article text found"):
        read_file(path)


@pytest.mark.parametrize("reference", ["&#27;", "&#x1b;", "&#0;", "&#7;", "&#xD800;", "&#1114112;"])
def test_control_character_references_are_dropped_not_fatal(tmp_path: Path, reference: str) -> None:
    article_html = f"<p>Police said {reference}a fire broke out at the harbour.</p>{STORY}"
    article = read_page(tmp_path, news_page(f"<title>{HEADLINE}</title>", article_html))
    assert "Police said a fire broke out at the harbour." in article.text
    assert all(ord(c) >= 32 or c == "\n" for c in article.text)


def test_windows_1252_references_read_as_browsers_do(tmp_path: Path) -> None:
    article_html = f"<p>It cost &#128;5 &#150; a bargain.</p>{STORY}"
    article = read_page(tmp_path, news_page(f"<title>{HEADLINE}</title>", article_html))
    assert "It cost €5 – a bargain." in article.text


def test_a_page_nested_too_deep_falls_back_to_plain_text(tmp_path: Path) -> None:
    depth = 10_000
    assert depth > MAX_HTML_DEPTH
    page = (
        "<html><head><title>Deep</title><script>var x = '<p>not text</p>';</script>"
        "<style>p { color: red }</style></head><body>"
        + "<div>" * depth
        + "<p>Police said the fire at the harbour was put out by morning.</p>"
        + "<p>Nobody &amp; nothing was hurt.</p>"
        + "</div>" * depth
        + "</body></html>"
    )
    article = read_page(tmp_path, page)
    assert article.title == "Deep"
    assert article.text == (
        "Deep\n\nPolice said the fire at the harbour was put out by morning.\n\n"
        "Nobody & nothing was hurt."
    )


def test_unclosed_paragraphs_are_not_deep(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>Paragraph {n} of the report, with some words." for n in range(400))
    article = read_page(tmp_path, f"<html><head><title>T</title></head><body>{paragraphs}")
    assert "Paragraph 399 of the report" in article.text


def test_a_dateline_set_apart_joins_its_sentence(tmp_path: Path) -> None:
    article_html = "<p>WASHINGTON —</p>" + STORY
    article = read_page(tmp_path, news_page(f"<title>{HEADLINE}</title>", article_html))
    assert article.text.split("\n")[2].startswith("WASHINGTON — Police said a fire broke out")


def test_captions_that_echo_the_text_are_dropped(tmp_path: Path) -> None:
    caption = "Firefighters from three stations fought the blaze for four hours on Monday night"
    article_html = STORY + f"<p>{caption}</p><p>The port reopened on Tuesday.</p>"
    article = read_page(tmp_path, news_page(f"<title>{HEADLINE}</title>", article_html))
    assert dropped(article) == [("photo caption", caption)]
