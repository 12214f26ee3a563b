"""Tests for annotations.boilerplate: each rule on its own examples, then the pass as a whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.boilerplate import RULES, TRIMS, Dropped, Page, Rule, clean, rules_named
from annotations.text import clean_text

SEED = Path(__file__).resolve().parents[1] / "seeds" / "palmyra.txt"
LEAD = "The council met on Tuesday to discuss the budget for next year and the state of the roads."
"""An article sentence each example follows, so that no rule sees its example alone."""

# Sentences of reporting that come close to furniture; no rule may drop any of them.
ARTICLE_SENTENCES = [
    "By the time firefighters arrived, the roof had collapsed.",
    "The paper's print subscriptions fell by a third, its owner said.",
    "She signed up for the army at 18 and served for two decades.",
    "A photo of the suspect was released by police on Tuesday evening.",
    "More than 200 people were evacuated from the valley.",
    "Contact between the two sides was broken off in March.",
    "The museum was founded in 1890 and rebuilt in 1947.",
    "He wrote to the minister at minister@example.gov twice, his lawyer told the court.",
    "Updated figures will be published on Friday, the agency said.",
    "“We will not give up,” she said. “Not now, not ever.”",
    "- The bridge will close for repairs from May 2.",
    "WASHINGTON — The Senate passed the bill late on Thursday.",
    "Related charges were filed against two other men.",
    "Click, the company's new app, was downloaded a million times.",
    "Copyright lawyers said the case could take years.",
    "Москва и Киев обменялись пленными, сообщили обе стороны.",
]


def rule_ids(rules: list[Rule]) -> list[str]:
    return [rule.name for rule in rules]


def dropped_by(rule: Rule, lines: list[str]) -> list[int]:
    page = Page(lines)
    return [index for index in range(len(lines)) if rule.test(page, index)]


@pytest.mark.parametrize("rule", RULES, ids=rule_ids(RULES))
def test_each_rule_is_documented_with_examples(rule: Rule) -> None:
    assert rule.description, f"{rule.name} has no docstring"
    assert rule.drops and rule.keeps, f"{rule.name} needs examples of both kinds"


@pytest.mark.parametrize(
    ("rule", "example"),
    [(rule, example) for rule in RULES for example in rule.drops],
    ids=[f"{rule.name}: {example[:30]}" for rule in RULES for example in rule.drops],
)
def test_rule_drops_its_examples(rule: Rule, example: str) -> None:
    lines = [LEAD, *example.split("\n")]
    assert dropped_by(rule, lines) == list(range(1, len(lines)))


@pytest.mark.parametrize(
    ("rule", "example"),
    [(rule, example) for rule in RULES for example in rule.keeps],
    ids=[f"{rule.name}: {example[:30]}" for rule in RULES for example in rule.keeps],
)
def test_rule_keeps_its_examples(rule: Rule, example: str) -> None:
    assert dropped_by(rule, [LEAD, example]) == []


@pytest.mark.parametrize("sentence", ARTICLE_SENTENCES)
def test_no_rule_drops_article_sentences(sentence: str) -> None:
    result = clean(f"{LEAD}\n{sentence}\nThe vote is due next week.")
    assert result.dropped == []
    assert sentence in result.text


def test_the_sample_article_loses_only_its_widget_lines() -> None:
    text = clean_text(SEED.read_text("utf-8"))
    result = clean(text)
    assert result.dropped == [
        Dropped("Share this post", "widget label"),
        Dropped("scroll to top", "widget label"),
    ]
    assert result.text == text[: text.index("\n\nShare this post")]  # they close the file


def test_rule_names_are_unique_and_found_by_name() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert rule_ids(rules_named("byline", "widget label")) == ["widget label", "byline"]


def test_clean_records_what_it_dropped_in_text_order() -> None:
    text = "Headline\n\nBy Jane Roe\n\nFirst paragraph.\n\n© 2024 The Gazette\n\nSecond."
    result = clean(text)
    assert result.text == "Headline\n\nFirst paragraph.\n\nSecond."
    assert result.dropped == [
        Dropped("By Jane Roe", "byline"),
        Dropped("© 2024 The Gazette", "copyright notice"),
    ]
    assert result.dropped[0].as_json() == {"text": "By Jane Roe", "rule": "byline"}


def test_only_the_chosen_rules_run() -> None:
    text = "Story.\nBy Jane Roe\nShare this article"
    assert clean(text, rules=rules_named("widget label")).text == "Story.\nBy Jane Roe"


def test_paywall_tail_only_near_the_end() -> None:
    notice = "To read the full story, subscribe to the Gazette."
    near = clean(f"{LEAD}\n{notice}\nPrices start at $5.")
    assert near.text == LEAD
    far = [LEAD, notice, *[f"Paragraph {n} of the story goes on here." for n in range(30)]]
    kept = clean("\n".join(far))
    assert [d.rule for d in kept.dropped] == []  # a quoted notice mid-article is not a paywall


def test_related_link_uses_the_pages_own_links() -> None:
    text = f"{LEAD}\nCouncil approves new budget for schools\nThe vote was close."
    anchors = ["Council approves new budget for schools"]
    assert clean(text).dropped == []
    assert clean(text, anchors=anchors).dropped == [
        Dropped("Council approves new budget for schools", "related link")
    ]


def test_trims_cut_the_end_of_a_kept_line() -> None:
    result = clean(
        "The team lost again at the weekend. (NM)\nShe is the first. pic.twitter.com/Ab12"
    )
    assert result.text == "The team lost again at the weekend.\nShe is the first."
    assert result.dropped == [
        Dropped("(NM)", "sign off"),
        Dropped("pic.twitter.com/Ab12", "embed link"),
    ]
    assert [name for name, _ in TRIMS] == ["sign off", "embed link"]
    assert clean("(NM)").text == "(NM)"  # a line is never trimmed to nothing


def test_layout_stays_regular_after_dropping() -> None:
    text = "A.\n\nSign up here.\n\nB.\n\nShare this\n\n"
    assert clean(text).text == "A.\n\nB."


lines_strategy = st.lists(
    st.one_of(
        st.sampled_from([*ARTICLE_SENTENCES, LEAD, "", "Sign up here.", "By Jane Roe", "(NM)"]),
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=80),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(lines_strategy)
def test_clean_only_removes(lines: list[str]) -> None:
    text = "\n".join(lines)
    result = clean(text)
    kept = [line for line in result.text.split("\n") if line.strip()]
    remaining = iter(line for line in text.split("\n") if line.strip())
    # every kept line is an input line (or one with a piece cut off its end), in order
    assert all(any(line == old or old.startswith(line) for old in remaining) for line in kept)
    for piece in result.dropped:
        assert piece.text and piece.text in text
