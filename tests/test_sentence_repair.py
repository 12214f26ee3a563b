"""Tests for annotations.sentence_repair: the rules on offsets, then the component in spaCy."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotations.nlp import Pipeline, analyse
from annotations.sentence_repair import COMPONENT, VERSION, sentences_to_join


def joined(parts: list[str]) -> list[bool]:
    """The flags for a paragraph made of `parts`, each a sentence as a splitter cut it."""
    text = " ".join(parts)
    starts, offset = [], 0
    for part in parts:
        starts.append(offset)
        offset += len(part) + 1
    return sentences_to_join(text, starts)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        # inside brackets that close later in the paragraph
        (["He told him: “[", "These were] 12 pages.”"], [False, True]),
        (["It cites the scorecard [", "of the Gold Standard] which failed."], [False, True]),
        (["The group (founded in 1990.", "It grew fast) is gone."], [False, True]),
        # a bracket that never closes in the paragraph is no reason
        (["He said (and left.", "Then it rained."], [False, False]),
        # a lower-case continuation, except words like iPhone
        (["When did the “a-ha!”", "moment occur?"], [False, True]),
        (["Sales fell.", "iPhone orders rose."], [False, False]),
        # a closing bracket or quotation mark
        (["“Stop!", "” he shouted."], [False, True]),
        # datelines
        (["NAPA COUNTY, Calif.", "(KGO) -- A plan was approved."], [False, True]),
        (["KOBE –", "A total of 6,000 masks were lost."], [False, True]),
        (["WASHINGTON.", "The Senate voted."], [False, True]),
        # a short quoted phrase, but not quoted speech of whole sentences
        (["He called it “a farce.", "Nothing more” and left."], [False, True]),
        (["“We will fight on every beach.", "We will never surrender,” he said."], [False, False]),
        # an abbreviation before a name or number
        (["The vote is at 2344 Bragg St., Apt.", "1C until 8 p.m."], [False, True]),
        (["It was signed by Gov.", "Jay Inslee."], [False, True]),
        # ordinary sentences
        (["The council met.", "It voted.", "Then it adjourned."], [False, False, False]),
        (["Mr. Smith said no.", "U.S. officials agreed."], [False, False]),
    ],
)
def test_sentences_to_join(parts: list[str], expected: list[bool]) -> None:
    assert joined(parts) == expected


def test_first_sentence_is_never_joined() -> None:
    assert sentences_to_join("lower case start.", [0]) == [False]
    assert sentences_to_join("", []) == []


def test_the_component_runs_after_the_splitter(pipeline: Pipeline) -> None:
    names = pipeline.nlp.pipe_names
    splitter = next(n for n in ("senter", "parser", "sentencizer") if n in names)
    assert names.index(COMPONENT) == names.index(splitter) + 1
    assert pipeline.name.endswith(f", {COMPONENT} {VERSION}")


def test_repairs_keep_offsets_exact(pipeline: Pipeline) -> None:
    text = (
        "Headline here\n\n"
        "Why did the “a-ha!” moment occur? Nobody knows.\n"
        "He told him: “[These were] 12 pages.” Fine.\n"
        "NAPA COUNTY, Calif. (KGO) -- A plan to build homes was approved on Monday. It passed."
    )
    (analysis,) = analyse(pipeline, [text])
    sentences = [text[start:end] for start, end in analysis.sentences]
    assert sentences == [
        "Headline here",
        "Why did the “a-ha!” moment occur?",
        "Nobody knows.",
        "He told him: “[These were] 12 pages.”",
        "Fine.",
        "NAPA COUNTY, Calif. (KGO) -- A plan to build homes was approved on Monday.",
        "It passed.",
    ]
    for start, end in analysis.sentences:
        assert text[start:end] == text[start:end].strip()


def test_the_component_works_in_worker_processes(pipeline: Pipeline) -> None:
    texts = ["When did the “a-ha!” moment occur? Nobody knows.", "He told him: “[A] b.” Fine."]
    one = [[s.text for s in doc.sents] for doc in pipeline.nlp.pipe(texts)]
    two = [[s.text for s in doc.sents] for doc in pipeline.nlp.pipe(texts, n_process=2)]
    assert one == two
    assert one[0][0] == "When did the “a-ha!” moment occur?"


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet='ab .!?()[]“”"«»„', max_size=60), st.data())
def test_any_paragraph_gets_one_flag_per_sentence(text: str, data: st.DataObject) -> None:
    offsets = sorted(set(data.draw(st.lists(st.integers(0, max(len(text) - 1, 0)), max_size=8))))
    starts = [0, *[o for o in offsets if o > 0]] if text else []
    flags = sentences_to_join(text, starts)
    assert len(flags) == len(starts)
    assert not flags or flags[0] is False


def test_deeply_nested_marks_are_not_a_problem() -> None:
    text = "(" * 5000 + "a. B" + ")" * 5000
    assert sentences_to_join(text, [0, 5003]) == [False, True]  # the innermost pairs match
    assert sentences_to_join("(a. B)", [0, 4]) == [False, True]
