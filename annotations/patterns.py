"""Patterns: keywords and spaCy token patterns per label that suggest labels before any model.

The file format is Prodigy's patterns JSONL, one pattern a line:

    {"label": "military", "pattern": "air strike"}
    {"label": "heritage_damage", "pattern": [{"lower": "looted"}]}

A string pattern is a phrase matched on the lower-cased tokens (so "Air strike" matches too); a
list is a spaCy `Matcher` token pattern. Matching runs on a blank tokenizer, never the analysis
pipeline. Loading checks every line (an object, a label of the scheme, a well-formed pattern) and
either stores them all, replacing the project's patterns, or stores nothing and names each bad
line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotations.errors import InputError
from annotations.store import Store
from annotations.text import clean_line, clean_text_line, decode

MAX_PATTERNS = 100_000
MAX_PHRASE_CHARS = 500


@dataclass(frozen=True)
class Pattern:
    """One pattern of a label: a phrase (str) or a token pattern (a list of token specs)."""

    label: str
    pattern: str | list[dict[str, Any]]


class PatternErrors(InputError):
    """Lines of a patterns file that cannot be used; `errors` holds one message per line."""

    def __init__(self, path: str, errors: list[str]) -> None:
        super().__init__(f"{path}: {len(errors)} bad pattern line(s), nothing loaded")
        self.errors = errors


def parse_patterns(lines: Iterable[str], scheme: Sequence[str]) -> tuple[list[Pattern], list[str]]:
    """Read patterns JSONL. Returns the patterns and one error message per bad line."""
    patterns: list[Pattern] = []
    errors: list[str] = []
    matcher = _Checker()
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            patterns.append(_parse_line(raw, scheme, matcher))
        except ValueError as error:
            errors.append(f"line {number}: {error}")
        if len(patterns) > MAX_PATTERNS:
            errors.append(f"line {number}: more than {MAX_PATTERNS} patterns")
            break
    return patterns, errors


def _parse_line(raw: str, scheme: Sequence[str], checker: _Checker) -> Pattern:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg})") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    label = record.get("label")
    if not isinstance(label, str) or not label:
        raise ValueError('no "label"')
    label = clean_line(label)
    if label not in scheme:
        raise ValueError(f"label {label!r} is not in the scheme ({', '.join(scheme)})")
    pattern = record.get("pattern")
    if isinstance(pattern, str):
        phrase = clean_text_line(pattern)
        if not phrase:
            raise ValueError("empty pattern")
        if len(phrase) > MAX_PHRASE_CHARS:
            raise ValueError(f"a phrase pattern longer than {MAX_PHRASE_CHARS} characters")
        return Pattern(label, phrase)
    if isinstance(pattern, list):
        if not pattern or not all(isinstance(token, dict) and token for token in pattern):
            raise ValueError("a token pattern must be a non-empty list of non-empty objects")
        checker.check(pattern)
        return Pattern(label, pattern)
    raise ValueError('"pattern" must be a string or a list of token objects')


class _Checker:
    """Validates token patterns with spaCy's own schema (spaCy is loaded on first use)."""

    def __init__(self) -> None:
        self._matcher: Any = None

    def check(self, pattern: list[dict[str, Any]]) -> None:
        if self._matcher is None:
            from spacy.matcher import Matcher

            from annotations.nlp import blank_pipeline

            self._matcher = Matcher(blank_pipeline().vocab, validate=True)
        try:
            self._matcher.add("check", [pattern])
        except Exception as error:  # spaCy raises MatchPatternError, ValueError, KeyError...
            lines = str(error).strip().splitlines()
            reason = lines[-1].strip() if lines else type(error).__name__
            raise ValueError(f"not a valid token pattern: {reason}") from None
        finally:
            if "check" in self._matcher:
                self._matcher.remove("check")


def load_patterns_file(store: Store, path: Path, scheme: Sequence[str]) -> list[Pattern]:
    """Replace the project's patterns with those of a patterns JSONL file.

    Raises:
        PatternErrors: some lines are bad (nothing is stored).
        OSError: the file cannot be read.
    """
    text = decode(path.read_bytes())
    patterns, errors = parse_patterns(text.splitlines(), scheme)
    if errors:
        raise PatternErrors(str(path), errors)
    save_patterns(store, patterns)
    return patterns


def save_patterns(store: Store, patterns: Sequence[Pattern]) -> None:
    """Replace the project's patterns."""
    with store.write():
        store.conn.execute("DELETE FROM patterns")
        store.conn.executemany(
            "INSERT INTO patterns (label, pattern) VALUES (?, ?)",
            [(p.label, json.dumps(p.pattern, ensure_ascii=False)) for p in patterns],
        )


def stored_patterns(store: Store) -> list[Pattern]:
    """The project's patterns, in the order they were loaded."""
    return [
        Pattern(label, json.loads(pattern))
        for label, pattern in store.conn.execute("SELECT label, pattern FROM patterns ORDER BY id")
    ]


class PatternMatcher:
    """Finds which labels' patterns match a text (builds spaCy matchers on a blank tokenizer)."""

    def __init__(self, patterns: Sequence[Pattern]) -> None:
        from spacy.matcher import Matcher, PhraseMatcher

        from annotations.nlp import blank_pipeline

        self.nlp = blank_pipeline()
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.tokens = Matcher(self.nlp.vocab)
        for pattern in patterns:
            if isinstance(pattern.pattern, str):
                self.phrases.add(pattern.label, [self.nlp.make_doc(pattern.pattern)])
            else:
                self.tokens.add(pattern.label, [pattern.pattern])

    def labels(self, text: str) -> set[str]:
        """The labels whose patterns match somewhere in `text`."""
        doc = self.nlp.make_doc(text)
        strings = self.nlp.vocab.strings
        found = {strings[match_id] for match_id, _, _ in self.phrases(doc)}
        found.update(strings[match_id] for match_id, _, _ in self.tokens(doc))
        return found
