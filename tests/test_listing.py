"""The library listing at scale: full-text filter, pages, progress counts, neighbours, positions."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.decisions import ANNOTATIONS, Decisions
from annotations.library import add_article, entities_between, get_article
from annotations.listing import (
    Listing,
    Place,
    article_position,
    fts_query,
    list_articles,
    neighbour_article,
    place_of,
)
from annotations.model import Analysis, ArticleInput
from annotations.store import Store, utc_now

SCHEME = ("military", "diplomatic", "heritage_damage")


def assign(store: Store, annotator: str, ids: list[str]) -> None:
    with store.write():
        store.conn.executemany(
            "INSERT INTO assignments (article_id, annotator, assigned_at) VALUES (?, ?, ?)",
            [(identity, annotator, utc_now()) for identity in ids],
        )


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
    listing = Listing("alice", search)  # no error, whatever it finds
    found = listing.after(store, None, 10)
    assert listing.count(store) == len(found)
    assert listing.totals(store)[1] == 2 * len(found)


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
    listing = Listing("alice")
    assert (listing.count(store), listing.totals(store)) == (30, (3, 60))
    first = listing.after(store, None, 4)
    assert [s.id for s in first] == ids[:4]
    page = listing.after(store, place_of(first[-1]), 3)
    assert [(s.id, s.decided, s.sentence_count) for s in page] == [
        (ids[4], 2, 2),
        (ids[5], 0, 2),
        (ids[6], 0, 2),
    ]
    assert [s.id for s in listing.before(store, place_of(page[0]), 2)] == ids[2:4]
    assert listing.before(store, place_of(first[0]), 5) == []
    assert listing.after(store, Place(1, 10**9), 5) == []

    filtered = Listing("alice", "palmyra")
    assert (filtered.count(store), filtered.totals(store)) == (10, (1, 20))
    assert filtered.place(store, ids[4]) is None, "not a match"
    rows, index = filtered.around(store, ids[9], 1, 2)
    assert ([s.id for s in rows], index) == ([ids[6], ids[9], ids[12], ids[15]], 1)
    rows, index = filtered.around(store, ids[4], 1, 2)
    assert ([s.id for s in rows], index) == ([ids[0], ids[3], ids[6], ids[9]], None)


def test_assigned_articles_come_first_in_every_page_and_count(library) -> None:
    store, ids = library
    assign(store, "alice", [ids[20], ids[3], ids[9]])
    order = [ids[3], ids[9], ids[20]] + [i for i in ids if i not in (ids[3], ids[9], ids[20])]
    assert [s.id for s in list_articles(store, "alice")] == order
    assert [s.assigned for s in list_articles(store, "alice")][:4] == [True, True, True, False]
    assert [s.id for s in list_articles(store, "bob")] == ids, "only the annotator's own"
    listing = Listing("alice")
    # Walked a page at a time, forward and back, the order is the same.
    forward, place = [], None
    while page := listing.after(store, place, 4):
        forward += page
        place = place_of(page[-1])
    assert [s.id for s in forward] == order
    backward: list = []
    while page := listing.before(store, place, 4):
        backward = page + backward
        place = place_of(page[0])
    assert [s.id for s in backward] == order[:-1]
    rows, index = listing.around(store, ids[0], 2, 1)
    assert ([s.id for s in rows], index) == ([ids[9], ids[20], ids[0], ids[1]], 2)
    palmyra = Listing("alice", "palmyra")
    assert [s.id for s in list_articles(store, "alice", "palmyra")] == [
        ids[3], ids[9], *(i for n, i in enumerate(ids) if n % 3 == 0 and n not in (3, 9))
    ]  # fmt: skip
    assert palmyra.count(store) == 10


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    assigned=st.sets(st.integers(0, 29), max_size=12),
    search=st.sampled_from(["", "palmyra", "homs", "report 1", "%"]),
    size=st.integers(1, 7),
)
def test_pages_in_either_direction_make_the_whole_listing(
    library, assigned: set[int], search: str, size: int
) -> None:
    store, ids = library
    with store.write():
        store.conn.execute("DELETE FROM assignments")
    assign(store, "alice", [ids[n] for n in assigned])
    whole = list_articles(store, "alice", search)
    listing = Listing("alice", search)
    assert listing.count(store) == len(whole)
    for start in range(len(whole)):
        after = listing.after(store, place_of(whole[start]), size)
        assert after == whole[start + 1 : start + 1 + size]
        before = listing.before(store, place_of(whole[start]), size)
        assert before == whole[max(0, start - size) : start]
        assert listing.place(store, whole[start].id) == place_of(whole[start])
        # The reader's n/p and `article N/M`, opened from the library with this filter.
        identity = whole[start].id
        assert listing.position(store, identity) == (start, len(whole))
        following = whole[start + 1].id if start + 1 < len(whole) else None
        assert neighbour_article(store, "alice", identity, 1, search) == following
        preceding = whole[start - 1].id if start else None
        assert neighbour_article(store, "alice", identity, -1, search) == preceding
    listed = {row.id for row in whole}
    for identity in ids:
        if identity not in listed:
            assert listing.position(store, identity) is None
            # An article the filter does not keep: n/p walk the whole library from it.
            for step in (1, -1):
                assert neighbour_article(store, "alice", identity, step, search) == (
                    neighbour_article(store, "alice", identity, step)
                )


def test_neighbours_and_positions_in_library_order(library) -> None:
    store, ids = library
    assert article_position(store, "alice", ids[0]) == (0, 30)
    assert article_position(store, "alice", ids[29]) == (29, 30)
    assert neighbour_article(store, "alice", ids[4], 1) == ids[5]
    assert neighbour_article(store, "alice", ids[4], -1) == ids[3]
    assert neighbour_article(store, "alice", ids[4], 3) == ids[7]
    assert neighbour_article(store, "alice", ids[0], -1) is None
    assert neighbour_article(store, "alice", ids[29], 1) is None


def test_neighbours_and_positions_follow_the_assigned_articles_first(library) -> None:
    store, ids = library
    assign(store, "alice", [ids[10], ids[5]])
    order = [s.id for s in list_articles(store, "alice")]
    assert order[:3] == [ids[5], ids[10], ids[0]]
    for position, identity in enumerate(order):
        assert article_position(store, "alice", identity) == (position, 30)
        following = order[position + 1] if position + 1 < len(order) else None
        assert neighbour_article(store, "alice", identity, 1) == following
        preceding = order[position - 1] if position else None
        assert neighbour_article(store, "alice", identity, -1) == preceding
    assert neighbour_article(store, "alice", ids[10], 2) == ids[1]
    assert neighbour_article(store, "alice", ids[0], -2) == ids[5]
    assert article_position(store, "bob", ids[5]) == (5, 30), "bob's order is the import's"


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


def sizes(store: Store) -> dict[int, int]:
    return dict(store.conn.execute("SELECT article, sentences FROM article_sizes"))


def articles_sizes(store: Store) -> dict[int, int]:
    return dict(store.conn.execute("SELECT rowid, sentence_count FROM articles"))


def test_the_narrow_table_of_sizes_follows_the_articles(library) -> None:
    from annotations.remove import remove_articles

    store, ids = library
    assert sizes(store) == articles_sizes(store) and len(sizes(store)) == 30
    remove_articles(store, [ids[3], ids[4]])
    with store.write():
        store.conn.execute("UPDATE articles SET sentence_count = 7 WHERE id = ?", (ids[5],))
        text = "One. Two. Three."
        add_article(store, ArticleInput(text), Analysis([(0, 4), (5, 9), (10, 16)], []), None)
    assert sizes(store) == articles_sizes(store) and len(sizes(store)) == 29
    assert 7 in sizes(store).values() and 3 in sizes(store).values()
    assert Listing("alice").totals(store) == (0, 2 * 27 + 7 + 3)
    assert Listing("alice", "homs").totals(store) == (0, 2 * 18 + 7)


def test_an_older_database_gets_its_sizes_when_opened(tmp_path) -> None:
    path = tmp_path / "old.db"
    with Store.open(path) as store:
        with store.write():
            for number in range(5):
                text = "A sentence. " * (number + 1)
                spans = [(12 * n, 12 * n + 11) for n in range(number + 1)]
                add_article(store, ArticleInput(text.strip()), Analysis(spans, []), None)
        with store.write():
            # As a database of schema 4 was: no table of sizes.
            for trigger in ("article_sizes_ai", "article_sizes_ad", "article_sizes_au"):
                store.conn.execute(f"DROP TRIGGER {trigger}")
            store.conn.execute("DROP TABLE article_sizes")
            store.conn.execute("PRAGMA user_version = 4")
    with Store.open(path) as store:
        assert sizes(store) == articles_sizes(store)
        assert sorted(sizes(store).values()) == [1, 2, 3, 4, 5]


def test_the_next_unfinished_article_follows_the_library_order_and_wraps(library) -> None:
    from annotations.listing import next_unfinished_article

    store, ids = library
    assign(store, "alice", [ids[10], ids[5]])
    mine = Decisions(store, ANNOTATIONS, "alice", SCHEME)

    def finish(identity: str) -> None:
        mine.decide_many(
            identity, [(s.span, [], None) for s in get_article(store, identity).sentences]
        )

    assert next_unfinished_article(store, "alice", ids[5]) == ids[10], "assigned ones first"
    assert next_unfinished_article(store, "alice", ids[10]) == ids[0], "then the others"
    finish(ids[0])
    finish(ids[1])
    assert next_unfinished_article(store, "alice", ids[10]) == ids[2]
    assert next_unfinished_article(store, "alice", ids[29]) == ids[5], "wrapping round"
    finish(ids[5])
    assert next_unfinished_article(store, "alice", ids[29]) == ids[10]
    for identity in ids:
        if identity != ids[7]:
            finish(identity)
    assert next_unfinished_article(store, "alice", ids[10]) == ids[7]
    assert next_unfinished_article(store, "alice", ids[7]) is None, "only itself is left"
    assert next_unfinished_article(store, "bob", ids[29]) == ids[0], "bob's order is the import's"
