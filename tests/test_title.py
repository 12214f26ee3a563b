"""Tests for annotations.title: the headline by agreement of a page's fields."""

from __future__ import annotations

import lxml.html
import pytest

from annotations.title import (
    Candidate,
    candidates_from_html,
    choose_title,
    is_repeated_headline,
    is_site_name,
    strip_site_name,
)

HEADLINE = "Storm leaves thousands without power across the island"


def page(head: str, body: str = "") -> object:
    return lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("title", "sites", "expected"),
    [
        (f"{HEADLINE} - Trinidad and Tobago Newsday", ["Trinidad and Tobago Newsday"], HEADLINE),
        (f"{HEADLINE} | The Nassau Guardian", ["thenassauguardian.com"], HEADLINE),
        (f"Newsday: {HEADLINE}", ["newsday.co.tt"], HEADLINE),
        (f"{HEADLINE} – Gazette — gazette.com", ["gazette.com"], HEADLINE),
        (f"{HEADLINE} | World | DW | 23.05.2011", ["DW.COM"], f"{HEADLINE} | World"),
        (f"{HEADLINE} :", [], HEADLINE),
        ("Politics: the week ahead", ["gazette.com"], "Politics: the week ahead"),
        ("Gazette", ["Gazette"], "Gazette"),  # nothing would be left: kept as it was
    ],
)
def test_strip_site_name(title: str, sites: list[str], expected: str) -> None:
    assert strip_site_name(title, sites) == expected


def test_site_names_match_loosely_but_not_headlines_that_mention_them() -> None:
    assert is_site_name("Daily Mail Online", ["Mail Online"])
    assert is_site_name("NationNews Barbados", ["nationnews.com"])
    assert is_site_name("escenic", [])
    assert not is_site_name("Politico reporter wins an award for her work", ["politico.com"])
    assert not is_site_name(HEADLINE, ["The Gazette"])


def test_cms_name_in_json_ld_loses_to_the_other_fields() -> None:
    candidates = [
        Candidate("json-ld", "escenic"),
        Candidate("og:title", HEADLINE),
        Candidate("h1", HEADLINE),
        Candidate("title", f"{HEADLINE} - Newsday"),
        Candidate("extracted", "escenic"),
    ]
    assert choose_title(candidates, ["Newsday"]) == HEADLINE


def test_majority_beats_a_single_field() -> None:
    other = "Thousands without power"
    candidates = [
        Candidate("og:title", other),
        Candidate("h1", HEADLINE),
        Candidate("title", f"{HEADLINE} - The Gazette"),
        Candidate("json-ld", HEADLINE),
    ]
    assert choose_title(candidates, ["The Gazette"]) == HEADLINE


def test_a_logo_h1_is_not_the_headline() -> None:
    candidates = [
        Candidate("og:title", HEADLINE),
        Candidate("h1", "POLITICO"),
        Candidate("title", f"{HEADLINE} | The Tribune"),
        Candidate("h1", "The Tribune"),
    ]
    assert choose_title(candidates, []) == HEADLINE


def test_a_headline_with_its_own_dash_stays_whole() -> None:
    full = "Premier arrested on drug charges - Governor calls for calm"
    candidates = [
        Candidate("og:title", f"{full} - St. Lucia Times News"),
        Candidate("h1", full.replace(" - ", " – ")),
        Candidate("title", f"{full} - St. Lucia Times News"),
    ]
    assert choose_title(candidates, ["St. Lucia Times News"]) == full


def test_ties_go_to_the_most_trusted_source() -> None:
    candidates = [
        Candidate("title", "Bloomberg answers questions about his past"),
        Candidate("json-ld", "Bloomberg answers questions about his past"),
        Candidate("og:title", HEADLINE),
        Candidate("h1", HEADLINE),
    ]
    assert choose_title(candidates, []) == HEADLINE


def test_the_extracted_title_counts_only_alone() -> None:
    assert choose_title([Candidate("extracted", HEADLINE)], []) == HEADLINE
    both = [Candidate("extracted", "escenic"), Candidate("title", HEADLINE)]
    assert choose_title(both, []) == HEADLINE
    assert choose_title([], []) is None


def test_when_every_field_is_the_site_name_the_title_is_kept() -> None:
    candidates = [Candidate("title", "Axios Future"), Candidate("h1", "Sections")]
    assert choose_title(candidates, ["axios.com"]) == "Axios Future"


def test_candidates_from_html() -> None:
    tree = page(
        f"<title>{HEADLINE} &#8211; The Gazette</title>"
        f'<meta property="og:title" content="{HEADLINE}">'
        '<meta property="og:site_name" content="The Gazette">'
        '<link rel="canonical" href="https://www.gazette.com/news/1">'
        '<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",'
        ' "headline": "escenic", "publisher": {"name": "Gazette Media"}}]}</script>'
        '<script type="application/ld+json">{not json</script>',
        f"<h1>The Gazette</h1><article><h1>{HEADLINE}</h1></article>",
    )
    names = candidates_from_html(tree)
    assert Candidate("title", f"{HEADLINE} – The Gazette") in names.candidates
    assert Candidate("json-ld", "escenic") in names.candidates
    assert [c.text for c in names.candidates if c.kind == "h1"] == ["The Gazette", HEADLINE]
    assert {"The Gazette", "Gazette Media", "gazette.com", "gazette"} <= set(names.site_names)
    assert choose_title(names.candidates, names.site_names) == HEADLINE


@pytest.mark.parametrize(
    ("line", "repeated"),
    [
        (HEADLINE, True),
        (HEADLINE.upper(), True),
        (f"News {HEADLINE}", True),
        (f"{HEADLINE}  - by Kareem Smith", True),
        (f"“{HEADLINE}”", True),
        (f"Officials said the {HEADLINE.lower()} on Monday.", False),
        ("Storm leaves thousands", False),
    ],
)
def test_is_repeated_headline(line: str, repeated: bool) -> None:
    assert is_repeated_headline(line, HEADLINE) is repeated


def test_a_short_headline_repeats_only_exactly() -> None:
    assert is_repeated_headline("Tridents’ challenge", "Tridents' challenge")
    assert not is_repeated_headline("The Tridents’ challenge begins", "Tridents' challenge")
