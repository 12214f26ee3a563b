"""The library listing at scale: full-text filter, pages, progress counts, neighbours, positions."""

from __future__ import annotations

import pytest

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import (
    add_article,
    article_position,
    article_rowid,
    entities_between,
    fts_query,
    get_article,
    library_page,
    list_articles,
    list_library,
    neighbour_article,
)
from annotations.model import Analysis, ArticleInput
from annotations.store import Store

SCHEME = ("military", "diplomatic", "heritage_damage")


@pytest.fixture
def library(empty_store: Store) -> tuple[Store, list[str]]:
    """Thirty articles; every third mentions Palmyra, article 7's title says Geneva."""
    ids = []
    with empty_store.write():
        for number in range(30):
            place = "Palmyra" if number % 3 == 0 else "Homs"
            text = f"Troops entered {place} on day {number}. The museum was shut."
            title = "Talks in Geneva" if number == 7 else f"Report {number}"
            analysis = Analysis([(0, text.index(".") + 1), (text.index("The"), len(text))], [])
            ids.append(add_article(empty_store, ArticleInput(text, title), analysis, None))
    return empty_store, ids


def test_fts_query_is_a_phrase_of_words_whatever_is_typed() -> None:
    assert fts_query("battle for palm") == '"battle for palm" *'
    assert fts_query('AND OR NOT "( near*') == '"AND OR NOT near" *'
    assert fts_query("snake_case") == '"snake case" *'
    assert fts_query("%%% ---") is None


@pytest.mark.parametrize(
    "search", ['"', "AND", "(", "NEAR(a b)", "*", "a:b", "^x", "'; DROP TABLE articles; --"]
)
def test_a_filter_fts_cannot_parse_does_not_fail(library, search: str) -> None:
    store, _ = library
    list_library(store, "alice", search)  # no error, whatever it finds


def test_filter_matches_words_in_title_or_text_in_library_order(library) -> None:
    store, ids = library
    assert list_articles(store, "alice", "palmyra") == list_articles(store, "alice", "PALM")
    assert [s.id for s in list_articles(store, "alice", "palm")] == ids[::3]
    assert [s.id for s in list_articles(store, "alice", "geneva")] == [ids[7]]
    assert [s.id for s in list_articles(store, "alice", "entered Homs on")] == [
        i for n, i in enumerate(ids) if n % 3
    ]
    assert list_articles(store, "alice", "Homs entered") == [], "the words are a phrase"
    assert list_articles(store, "alice", "%") == [], "punctuation alone: a substring search"


def test_the_filter_follows_new_articles(library) -> None:
    store, _ = library
    with store.write():
        text = "A new report from Aleppo."
        added = add_article(store, ArticleInput(text), Analysis([(0, len(text))], []), None)
    assert [s.id for s in list_articles(store, "alice", "aleppo")] == [added]


def test_listing_counts_and_pages(library) -> None:
    store, ids = library
    mine = Decisions(store, ANNOTATIONS, "alice", SCHEME)
    article = get_article(store, ids[4])
    mine.decide_many(ids[4], [(s.span, [], None) for s in article.sentences])
    mine.decide_many(ids[3], [(get_article(store, ids[3]).sentences[0].span, [], None)])
    Decisions(store, ANNOTATIONS, "bob", SCHEME).decide_many(
        ids[5], [(get_article(store, ids[5]).sentences[0].span, [], None)]
    )
    listing = list_library(store, "alice")
    assert (len(listing), listing.decided, listing.sentences) == (30, 3, 60)
    page = library_page(store, "alice", listing.rowids[3:6])
    assert [(s.id, s.decided, s.sentence_count) for s in page] == [
        (ids[3], 1, 2),
        (ids[4], 2, 2),
        (ids[5], 0, 2),
    ]
    filtered = list_library(store, "alice", "palmyra")
    assert (len(filtered), filtered.decided, filtered.sentences) == (10, 1, 20)
    assert filtered.position(article_rowid(store, ids[3])) == 1
    assert filtered.position(article_rowid(store, ids[4])) is None
    assert filtered.position(None) is None


def test_neighbours_and_positions_in_library_order(library) -> None:
    store, ids = library
    assert article_position(store, ids[0]) == (0, 30)
    assert article_position(store, ids[29]) == (29, 30)
    assert neighbour_article(store, ids[4], 1) == ids[5]
    assert neighbour_article(store, ids[4], -1) == ids[3]
    assert neighbour_article(store, ids[4], 3) == ids[7]
    assert neighbour_article(store, ids[0], -1) is None
    assert neighbour_article(store, ids[29], 1) is None


def test_entities_between_reads_one_sentences_entities(empty_store: Store) -> None:
    text = "Troops entered Palmyra. Russia sent envoys to Geneva and Paris."
    spans = [(0, 23), (24, len(text))]
    entities = [(15, 22, "GPE"), (24, 30, "GPE"), (46, 52, "GPE"), (57, 62, "GPE")]
    with empty_store.write():
        identity = add_article(empty_store, ArticleInput(text), Analysis(spans, entities), None)
    article = get_article(empty_store, identity)
    second = article.sentences[1]
    found = entities_between(empty_store, article, second.start, second.end)
    assert found == article.entities_in(second)
    assert [e.text for e in found] == ["Russia", "Geneva", "Paris"]
    assert get_article(empty_store, identity, entities=False).entities == []
