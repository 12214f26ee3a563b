"""Reading article files: .txt, .md, .html and .jsonl into normalised article records.

Every string taken from a file goes through `annotations.text` exactly once on the way in, so
what this module returns can be stored, hashed and shown as it is. A file is read all or
nothing: one bad line fails the whole file, with a one-line message that names the line.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from annotations import boilerplate
from annotations.errors import InputError
from annotations.files import (
    IS_DIRECTORY,
    not_a_file,
    open_regular,
    os_reason,
    read_bytes,
    source_of,
)
from annotations.formats.foreign import ForeignDecision
from annotations.limits import MAX_SOURCE, shorten
from annotations.markdown import to_plain_text
from annotations.model import AnnotationInput, ArticleInput
from annotations.text import (
    clean_meta,
    clean_text,
    clean_text_line,
    decode,
)
from annotations.webpage import read_html

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".markdown", ".html", ".htm", ".jsonl")
NAMED_ONLY_SUFFIXES: tuple[str, ...] = (".json",)
"""Read when a file is named, never picked up from a folder (a folder's .json files are rarely
articles): Label Studio task exports."""

MAX_TITLE_LENGTH = 150
"""A first line longer than this is a paragraph, not a headline."""

# A headline may end in "?" or "!", but a first line ending like this is a sentence or a lead-in.
_SENTENCE_END = (".", ",", ":", ";", "…")
_CLOSING_QUOTES = "\"'”’»)]"
_INITIALISM = re.compile(r"(?:^|\s)(?:[A-Z]\.){2,}$")  # "U.S." may end a headline
_PLAIN_TEXT_RULES = boilerplate.rules_named("widget label")
"""What is dropped from .txt and .md files: only whole lines that are a widget's label."""


@dataclass(frozen=True)
class FileContents:
    """What one file holds: articles to import, and annotations (from an annotty export)."""

    articles: list[ArticleInput]
    annotations: list[AnnotationInput]
    foreign: list[ForeignDecision] = field(default_factory=list)
    """Decisions made in another tool (Prodigy, doccano, Label Studio lines)."""
    problems: list[str] = field(default_factory=list)
    """Other tools' lines that cannot be read (`line N: ...`): reported, the rest imported."""


def find_files(paths: Sequence[Path]) -> list[tuple[Path, InputError | None]]:
    """Expand the paths a user gave into the files to read.

    A file is taken as given, even a hidden one, but one with an unsupported suffix is an error
    entry. A directory is walked recursively, in sorted order, taking the files with a supported
    suffix and skipping hidden files and directories. A path that does not exist, or is not a
    regular file (a FIFO, a socket, a device, a symbolic link loop), is an error entry, whether
    given or found with a supported suffix in a folder; so is a folder with a supported suffix
    ("notes.txt/") inside a folder that holds nothing to import. Every file given, and every
    path found that looks like an article, has exactly one entry (a folder given that holds
    nothing to import has none: the summary says so). The result keeps the order of `paths`; a file
    reached twice (by two paths, or a path and a directory) is listed once. Nothing is opened:
    a FIFO is never read, so it cannot block.

    Returns:
        (path, None) for each file to read, (path, error) for each path that cannot be read.
    """
    found: list[tuple[Path, InputError | None]] = []
    seen: set[Path] = set()

    def add(path: Path, error: InputError | None) -> None:
        try:
            key = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop: the path itself has to do
            key = path.absolute()
        if key not in seen:
            seen.add(key)
            found.append((path, error))

    for path in paths:
        problem = not_a_file(path)
        if problem == IS_DIRECTORY:
            for entry, error in _walk(path):
                add(entry, error)
        elif problem is not None:
            add(path, InputError(problem))
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES + NAMED_ONLY_SUFFIXES:
            add(path, InputError(_unsupported(path)))
        else:
            add(path, None)
    return found


def read_file(path: Path) -> FileContents:
    """Read and normalise one file.

    Raises:
        InputError: the file cannot be read, is binary or not UTF-8/UTF-16 text, is empty or
            holds only white space, has a malformed JSONL line ("line N: ..."), or is HTML with
            no main text. The message is one line, without the file's name.
    """
    if path.is_dir():  # checked first: "articles.txt/" would pass the suffix test
        raise InputError("is a directory, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES + NAMED_ONLY_SUFFIXES:
        raise InputError(_unsupported(path))
    raw = decode(read_bytes(path))
    if suffix == ".jsonl":
        return _read_jsonl(path, raw)
    if suffix == ".json":
        return _read_json(raw)
    if not raw.strip():
        raise InputError("empty file")
    if suffix in (".html", ".htm"):
        article = read_html(path, raw)
    else:
        article = _read_plain(path, raw, markdown=suffix in (".md", ".markdown"))
    return FileContents(articles=[article], annotations=[])


def find_title(text: str) -> str | None:
    """The headline of a normalised text: a short first line followed by a blank line.

    The line stays in the text (annotators tag headlines too); this only names the article.
    """
    first, _, rest = text.partition("\n")
    if not rest.startswith("\n") or not rest.strip():
        return None
    title = clean_text_line(first)
    if not title or len(title) > MAX_TITLE_LENGTH or not any(c.isalnum() for c in title):
        return None
    if title.startswith(("- ", "* ", "+ ")):  # a list item, not a headline
        return None
    end = title.rstrip(_CLOSING_QUOTES)
    if end.endswith(_SENTENCE_END) and not _INITIALISM.search(end):
        return None
    return title


def drop_furniture(text: str) -> str:
    """Remove whole lines of page furniture ("Share this post", "scroll to top", ...).

    A line that only contains such words among others stays. The blank-line layout is made
    regular again afterwards: no runs of blank lines, none at the start or end. (The rule is
    `widget label` in annotations.boilerplate; HTML pages get every rule there.)
    """
    return boilerplate.clean(text, rules=_PLAIN_TEXT_RULES).text


def _walk(root: Path) -> list[tuple[Path, InputError | None]]:
    """The supported files under a directory, sorted by their path below it.

    Files with other suffixes and hidden names are skipped without a word (a folder of articles
    holds images and notes too); an entry with a supported suffix that cannot be read as a file
    is reported, so that no article goes missing silently.
    """
    found: list[tuple[Path, InputError | None]] = []

    def report(error: OSError) -> None:
        found.append((Path(error.filename or root), InputError(os_reason(error))))

    for folder, dirs, files in os.walk(root, onerror=report):
        dirs[:] = [name for name in dirs if not name.startswith(".")]
        before = len(found)
        for name in files:
            path = Path(folder, name)
            if not name.startswith(".") and path.suffix.lower() in SUPPORTED_SUFFIXES:
                problem = not_a_file(path)
                found.append((path, InputError(problem) if problem else None))
        looks_like_a_file = Path(folder).suffix.lower() in SUPPORTED_SUFFIXES
        if Path(folder) != root and looks_like_a_file and len(found) == before and not dirs:
            found.append((Path(folder), InputError(IS_DIRECTORY)))
    # Sorting the parts (not the strings) keeps a folder's files together: "a/b.txt" < "a.txt".
    return sorted(found, key=lambda item: _relative_parts(item[0], root))


def _relative_parts(path: Path, root: Path) -> tuple[str, ...]:
    try:
        return path.relative_to(root).parts
    except ValueError:
        return path.parts


def _unsupported(path: Path) -> str:
    accepted = "(annotty reads .txt, .md, .html, .jsonl, .json)"
    if not path.suffix:
        return f"file has no suffix {accepted}"
    return f"unsupported file type {path.suffix} {accepted}"


def _read_plain(path: Path, raw: str, *, markdown: bool) -> ArticleInput:
    """A .txt or .md file: one article, its headline the title if it has one."""
    text = clean_text(raw)
    if not text:  # nothing but control characters
        raise InputError("empty file")
    title = None
    if markdown:
        text, front_title = to_plain_text(text)
        title = clean_text_line(front_title) if front_title else None
        # The front matter's title is the headline; it goes into the text unless already there.
        if title and text.partition("\n")[0] != title:
            text = f"{title}\n\n{text}" if text else title
    text = drop_furniture(text)
    if not text:
        raise InputError("no article text in the file")
    return ArticleInput(text=text, title=title or find_title(text), source=source_of(path))


def _read_jsonl(path: Path, raw: str) -> FileContents:
    """A JSONL file: article lines (Prodigy/doccano style), annotty's own annotation lines and
    other tools' decision lines. A line that cannot be read is reported (`line N: reason`) and
    skipped; the file fails only when no line could be read."""
    articles: list[ArticleInput] = []
    annotations: list[AnnotationInput] = []
    foreign: list[ForeignDecision] = []
    problems: list[str] = []
    found: dict[str, list] = {"article": articles, "annotation": annotations, "foreign": foreign}
    # Only "\n" ends a line: JSON strings may hold U+2028 or U+0085, which splitlines() splits on.
    for kind, item in jsonl_items(path, enumerate(raw.split("\n"), start=1)):
        found.get(kind, problems).append(item)
    if not articles and not annotations and not foreign:
        raise InputError(unreadable_jsonl(problems))
    return FileContents(articles, annotations, foreign, problems)


def unreadable_jsonl(problems: Sequence[str]) -> str:
    """Why a JSONL file of which no line could be read failed, in one line."""
    if not problems:
        return "empty file"
    if len(problems) == 1:
        return problems[0]
    return f"no line could be read ({problems[0]}, …)"


def jsonl_items(path: Path, lines: Iterable[tuple[int, str | bytes]]) -> Iterator[tuple[str, Any]]:
    """What each numbered line of a JSONL file holds, as it is read: `("article",
    ArticleInput)`, `("annotation", AnnotationInput)` (annotty's own lines), `("foreign",
    ForeignDecision)` (other tools' decisions) or `("problem", "line N: reason")`."""
    from annotations.formats import format_of_line
    from annotations.formats.annotty import NAME as ANNOTTY
    from annotations.formats.annotty import LineReader
    from annotations.formats.catalogue import read_foreign_line

    reader = LineReader()
    for number, line in lines:
        if not line.strip():
            continue
        try:
            record = _json_line(line, number)
            if record is None:  # white space beyond ASCII's
                continue
            fmt = format_of_line(record)
            if fmt is not None and fmt.name == ANNOTTY:
                yield "annotation", reader.read(record, number)
            elif (decision := read_foreign_line(record, number)) is None:
                # An article keeps its values: read exactly as `json` reads them.
                record = _json_fallback(line, number)
                yield "article", _article(record, number, path)
            elif isinstance(decision, InputError):
                raise decision
            else:
                yield "foreign", decision
        except InputError as error:
            yield "problem", str(error)


def jsonl_lines(path: Path) -> Iterator[tuple[int, str | bytes]]:
    """A JSONL file's lines, numbered from 1, read as they are needed (memory stays flat).

    The whole file is checked first, so that a file that cannot be read fails before any of
    its lines is used: an unreadable, binary or non-UTF-8 file raises InputError (in the words
    of `read_file`) at the first `next()`. A UTF-16 file (rare: it needs a BOM) is read whole.
    """
    try:
        handle = open_regular(path)
    except OSError as error:
        raise InputError(os_reason(error)) from None
    with handle:
        try:
            head = handle.read(max(_CHUNK, _SNIFF + len(codecs.BOM_UTF8)))
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                yield from enumerate(decode(head + handle.read()).split("\n"), start=1)
                return
            skip = len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
            if b"\x00" in head[skip : skip + _SNIFF]:
                raise InputError("binary file, not text")
            _check_utf8(handle, head[skip:])
            handle.seek(skip)
            yield from enumerate(handle, start=1)
        except OSError as error:
            raise InputError(os_reason(error)) from None


_CHUNK = 1 << 20
"""Bytes read at a time while checking a file."""
_SNIFF = 8192
"""Bytes looked at for a NUL, which makes a file binary (as `decode` looks)."""


def _check_utf8(handle: BinaryIO, pending: bytes) -> None:
    """Read the rest of a file (`pending`: what was read of it so far, after any BOM), raising
    InputError at the first byte that is not UTF-8 (counted as `decode` counts it)."""
    offset = 0
    while True:
        chunk = handle.read(_CHUNK)
        block = pending + chunk
        # Blocks end at a line end, which is never inside a character.
        cut = block.rfind(b"\n") + 1 if chunk else len(block)
        if not block.isascii():
            try:
                block[:cut].decode("utf-8")
            except UnicodeDecodeError as error:
                raise InputError(
                    f"not valid UTF-8 text (byte {offset + error.start}); save it as UTF-8"
                ) from None
        offset += cut
        pending = block[cut:]
        if not chunk:
            return


def _json_line(line: str | bytes, number: int) -> dict[str, Any] | None:
    """A line's JSON object (None for a line of white space beyond ASCII's).

    Raises:
        InputError: `line N: ...`: not JSON, or not an object.
    """
    try:
        record = orjson.loads(line)
    except orjson.JSONDecodeError:
        # What orjson refuses and `json` reads (NaN, lone surrogates) is read as before; what
        # neither reads is reported in `json`'s words. (orjson reads an integer beyond 64 bits
        # as a float: an article's line, whose values are kept, is read again by `json`.)
        record = _json_fallback(line, number)
        if record is None:
            return None
    if not isinstance(record, dict):
        raise InputError(f"line {number}: not a JSON object (got {_json_type(record)})")
    return record


def _json_fallback(line: str | bytes, number: int) -> Any:
    text = line.decode("utf-8") if isinstance(line, bytes) else line
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"line {number}: not valid JSON ({error.msg})") from None
    except (ValueError, RecursionError):  # e.g. an integer of thousands of digits
        raise InputError(f"line {number}: not valid JSON (a value is too large)") from None


def _read_json(raw: str) -> FileContents:
    """A JSON file: a Label Studio task export (a list of tasks)."""
    from annotations.formats.catalogue import read_foreign_document

    if not raw.strip():
        raise InputError("empty file")
    try:
        document = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InputError(f"not valid JSON (line {error.lineno}: {error.msg})") from None
    except (ValueError, RecursionError):
        raise InputError("not valid JSON (a value is too large or too deep)") from None
    found = read_foreign_document(document)
    if found is None:
        raise InputError("a .json file must be a Label Studio task export (a list of tasks)")
    foreign = [item for item in found if isinstance(item, ForeignDecision)]
    problems = [str(item) for item in found if isinstance(item, InputError)]
    return FileContents([], [], foreign, problems)


def _article(record: dict[str, Any], number: int, path: Path) -> ArticleInput:
    where = f"line {number}"
    if "text" not in record:
        raise InputError(f'{where}: missing "text"')
    if not isinstance(record["text"], str):
        raise InputError(f'{where}: "text" is {_json_type(record["text"])}, not a string')
    text = clean_text(record["text"])
    if not text:
        raise InputError(f'{where}: empty "text"')
    title = record.get("title")
    if title is not None and not isinstance(title, str):
        raise InputError(f'{where}: "title" is {_json_type(title)}, not a string')
    meta = record.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise InputError(f'{where}: "meta" is {_json_type(meta)}, not an object')
    meta = clean_meta(meta) if meta else None
    source = None
    for key in ("url", "source"):
        if meta and isinstance(meta.get(key), str) and meta[key]:
            source = meta[key]
            break
    return ArticleInput(
        text=text,
        title=(clean_text_line(title) if title else None) or find_title(text),
        source=shorten(source, MAX_SOURCE) if source else source_of(path, number),
        meta=meta,
        line=number,
    )


def _json_type(value: object) -> str:
    from annotations.formats.annotty import json_type

    return json_type(value)
