"""Repairing the sentence splitter's known mistakes: a spaCy component run after it.

A statistical splitter (en_core_web_sm's `senter`) cuts news text in places no reader would:
inside brackets (`told him: “[` / `These were] 12 pages`), after an exclamation inside a quoted
phrase (`the “a-ha!”` / `moment occur?`), and between a dateline and its sentence
(`NAPA COUNTY, Calif.` / `(KGO) -- A plan …`). This component only ever joins a sentence to the
one before it, so every offset stays exactly what the splitter found. It joins a sentence that:

- starts inside a bracket ( [ { opened earlier in the paragraph and closed later in it;
- starts inside a short quoted phrase (fewer than SHORT_QUOTE_WORDS words before the cut) that
  closes later: quoted speech of whole sentences keeps its sentences;
- starts with a lower-case word ("moment occur?"), except words like "iPhone" and "eBay";
- starts with a closing bracket or quotation mark;
- follows a dateline ("NAPA COUNTY, Calif.", "KOBE –"), or starts with a station's or agency's
  tag and a dash ("(KGO) -- ");
- follows an abbreviation that stands before a name or number ("Gov.", "Apt.", "No.").

The decisions are made on character offsets by `sentences_to_join`, which knows nothing of
spaCy; `repair_sentences` is the component. Importing this module registers it, which is what
lets `nlp.pipe(..., n_process=2)` find it in its worker processes too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.language import Language
from spacy.tokens import Doc

COMPONENT = "annotty_sentence_repair"
VERSION = 1
"""Raised when the rules change, so that the pipeline name stored with an article says which."""
SHORT_QUOTE_WORDS = 5
MAX_NESTING = 20

_OPENERS = {"(": ")", "[": "]", "{": "}"}
_QUOTES = {"“": "”", "„": "“", "«": "»"}
_CLOSERS = set(_OPENERS.values()) | {"”", "»"}
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][A-Za-z.]{1,12}(?:\s[A-Z][A-Za-z.]{1,12})?)?"
    r"(?:\s*\([A-Za-z0-9]{2,10}\))?\s*(?:--|—|–|-)?$"
)
_ABBREVIATION_END = re.compile(
    r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Prof|Gov|Sen|Rep|Gen|Lt|Col|Sgt|Capt|Supt|Insp|Det|Rev|Hon|Apt|Nos?"
    r"|Vol|Fig|pp|vs)\.$"
)
"""Abbreviations that stand before a name or a number and so never end a sentence."""
_TAG_START = re.compile(r"^\([A-Z0-9]{2,10}\)\s*(?:--|—|–|-)")
_MIXED_CASE_WORD = re.compile(r"^[a-z]+[A-Z]")


def sentences_to_join(text: str, starts: Sequence[int]) -> list[bool]:
    """For each sentence of a paragraph, whether it should be joined to the one before it.

    Args:
        text: the paragraph.
        starts: the character offset where each sentence starts, in order (the first is the
            paragraph's first sentence, never joined).

    Returns:
        One flag per start; the first is always False.
    """
    joins = [False] * len(starts)
    enclosing = _enclosing(text, starts)
    for number in range(1, len(starts)):
        start = starts[number]
        previous = text[starts[number - 1] : start].strip()
        joins[number] = _should_join(text, start, previous, enclosing[number])
    return joins


def _should_join(
    text: str, start: int, previous: str, enclosing: list[tuple[int, int, str]]
) -> bool:
    head = text[start:].lstrip()
    if not head:
        return False
    first = head[0]
    if first in _CLOSERS:
        return True
    word = head.split(maxsplit=1)[0]
    if first.isalpha() and first.islower() and not _MIXED_CASE_WORD.match(word):
        return True
    if _TAG_START.match(head) or _DATELINE.match(previous) or _ABBREVIATION_END.search(previous):
        return True
    if any(kind in _OPENERS for _, _, kind in enclosing):
        return True
    quotes = [opened for opened, _, kind in enclosing if kind in _QUOTES]
    return bool(quotes) and len(text[max(quotes) + 1 : start].split()) < SHORT_QUOTE_WORDS


def _enclosing(text: str, starts: Sequence[int]) -> list[list[tuple[int, int, str]]]:
    """For each start, the bracket and quotation pairs that open before it and close after it."""
    pairs = sorted(_enclosed(text))
    result: list[list[tuple[int, int, str]]] = []
    active: list[tuple[int, int, str]] = []
    following = 0
    for start in starts:
        while following < len(pairs) and pairs[following][0] < start:
            active.append(pairs[following])
            following += 1
        active = [pair for pair in active if pair[1] > start]
        result.append(list(active))
    return result


def _enclosed(text: str) -> list[tuple[int, int, str]]:
    """(opening offset, closing offset, opening character) of each bracket and curly quotation
    that opens and closes within the text; unmatched marks are left out. Marks nested deeper
    than MAX_NESTING are not matched (no real sentence needs them; hostile text would)."""
    pairs: list[tuple[int, int, str]] = []
    stack: list[tuple[int, str]] = []
    for offset, char in enumerate(text):
        if char in _CLOSERS or char == "“":
            bottom = max(len(stack) - MAX_NESTING, 0)
            match = next(
                (
                    depth
                    for depth in range(len(stack) - 1, bottom - 1, -1)
                    if char in (_OPENERS.get(stack[depth][1]), _QUOTES.get(stack[depth][1]))
                ),
                None,
            )
            if match is not None:
                pairs.append((stack[match][0], offset, stack[match][1]))
                del stack[match:]
                continue
        if char in _OPENERS or char in _QUOTES:
            stack.append((offset, char))
    return pairs


@Language.component(COMPONENT)
def repair_sentences(doc: Doc) -> Doc:
    """Join the sentences the splitter cut wrongly (see the module's docstring)."""
    if doc.has_annotation("DEP"):
        return doc  # a parser's sentences follow its tree and cannot be changed here
    sentences = list(doc.sents)
    if len(sentences) < 2:
        return doc
    joins = sentences_to_join(doc.text, [sentence.start_char for sentence in sentences])
    for sentence, join in zip(sentences, joins, strict=True):
        if join:
            doc[sentence.start].is_sent_start = False
    return doc
