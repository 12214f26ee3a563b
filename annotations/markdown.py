"""Markdown to readable plain text, for articles written in Markdown.

This is not a renderer. It keeps the words a reader sees and drops the markup around them, so
that a Markdown article reads like the plain-text ones: one paragraph per line, a blank line
between blocks. Headings, list items, quote paragraphs, table rows and code lines keep their own
lines; list markers stay as written. A line-based reader with a few regular expressions covers
what news articles use; exotic constructs (HTML blocks, nested brackets in link text) pass
through as text rather than being lost.

The input is expected to be sanitised already (`annotations.text.clean_text`), which is what
lets NUL serve as a placeholder delimiter below: it cannot occur in sanitised text.
"""

from __future__ import annotations

import re

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_YAML_KEY = re.compile(r"^[\w-]+:(?:[ \t]|$)")
_FRONT_MATTER_TITLE = re.compile(r"^title:[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE = re.compile(r"^ {0,3}> ?")
_BULLET = re.compile(r"^[ \t]*[-*+][ \t]+\S")
_ORDERED = re.compile(r"^[ \t]*(\d{1,9})[.)][ \t]+\S")
_ITEM_PREFIX = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+")
# `[id]: url "title"`; `[^1]: ...` is a footnote, which is text, so it is not matched.
_LINK_DEFINITION = re.compile(
    r"^ {0,3}\[(?!\^)[^\]]+\]:[ \t]*\S+(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?[ \t]*$"
)
_TABLE_ROW = re.compile(r"^[ \t]*\|.*\|[ \t]*$")
_TABLE_DELIMITER = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

# Inline markup. Escapes and code spans are matched in one left-to-right scan so that an escaped
# backtick does not open a code span; both are parked behind placeholders so that the emphasis
# patterns cannot touch what they protect.
_PROTECTED = re.compile(r"\\([!-/:-@\[-`{-~])|(`+)(.+?)(?<!`)\2(?!`)")
_PLACEHOLDER = re.compile(r"\x00(\d+)\x00")
_DESTINATION = r"\((?:[^()]|\([^()]*\))*\)"  # a URL may hold one level of parentheses
_IMAGE = re.compile(r"!\[[^\]]*\](?:" + _DESTINATION + r"|\[[^\]]*\])")
_LINK = re.compile(r"\[([^\]]*)\](?:" + _DESTINATION + r"|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_EMPHASIS = (
    re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*"),
    re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)"),
    re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"),
    re.compile(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)"),
    # Underscores only at word boundaries, so that snake_case names survive.
    re.compile(r"(?<!\w)_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"),
)
_SPACE_RUN = re.compile(r"(?<=\S) {2,}")


def to_plain_text(source: str) -> tuple[str, str | None]:
    """Convert a Markdown document to plain text.

    Args:
        source: The document, already sanitised with `clean_text`.

    Returns:
        The text, blocks separated by one blank line, and the `title:` of a YAML front matter
        block if the document starts with one (the front matter itself is dropped). The title is
        returned as written in the file, unquoted but not otherwise cleaned.
    """
    body, title = _split_front_matter(source)
    blocks = _BlockReader().read(body.split("\n"))
    text = "\n\n".join("\n".join(lines) for lines in blocks)
    # Code blocks may start or end with blank lines; the blank-line layout must stay regular.
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n"), title


def _split_front_matter(source: str) -> tuple[str, str | None]:
    """Drop a leading `---` ... `---` block and read its `title:`, if it has one."""
    if not source.startswith("---\n"):
        return source, None
    end = _FRONT_MATTER_END.search(source, 4)
    header = source[4 : end.start()] if end else ""
    first = next((line for line in header.split("\n") if line.strip()), "")
    if end is None or (first and not _YAML_KEY.match(first)):
        return source, None  # a `---` at the top that is a horizontal rule, not front matter
    body = source[end.end() :]
    match = _FRONT_MATTER_TITLE.search(header)
    return body, _yaml_scalar(match.group(1)) if match else None


def _yaml_scalar(value: str) -> str | None:
    """The string value of a one-line YAML scalar: quotes removed, escapes undone."""
    if value[:1] == '"' and value[-1:] == '"' and len(value) >= 2:
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    elif value[:1] == "'" and value[-1:] == "'" and len(value) >= 2:
        value = value[1:-1].replace("''", "'")
    elif value in ("|", ">", "|-", ">-", "|+", ">+") or value.startswith("#"):
        return None  # block scalars and comments: not worth a YAML parser for a title
    else:
        value = re.sub(r"[ \t]+#.*$", "", value)  # a plain scalar ends at a comment
    return value or None


def _inline(text: str) -> str:
    """Remove inline markup from one block's text, keeping the words."""
    parked: list[str] = []

    def park(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            parked.append(match.group(1))
        else:
            code = match.group(3)
            # CommonMark: one space inside each backtick run is padding, not content.
            if len(code) >= 2 and code[0] == code[-1] == " " and code.strip():
                code = code[1:-1]
            parked.append(code)
        return f"\x00{len(parked) - 1}\x00"

    text = _PROTECTED.sub(park, text)
    text = _COMMENT.sub("", text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    for pattern in _EMPHASIS:
        text = pattern.sub(r"\1", text)
    text = _SPACE_RUN.sub(" ", text)  # left where an image or a comment was removed
    return _PLACEHOLDER.sub(lambda match: parked[int(match.group(1))], text).strip()


def _starts_block(line: str) -> bool:
    """Whether a line interrupts a paragraph (or a list item's text) and starts a new block."""
    ordered = _ORDERED.match(line)
    return bool(
        _ATX.match(line)
        or _FENCE.match(line)
        or _RULE.match(line)
        or _QUOTE.match(line)
        or _BULLET.match(line)
        # CommonMark: only a list starting at 1 interrupts a paragraph, so that a wrapped line
        # beginning "2024. The year..." stays prose.
        or (ordered and ordered.group(1) == "1")
    )


class _BlockReader:
    """Reads Markdown lines into blocks, each a list of output lines."""

    def __init__(self) -> None:
        self.blocks: list[list[str]] = []
        self.paragraph: list[str] = []
        """Source lines of the paragraph being read."""
        self.group: list[str] | None = None
        """The open block of one-line entries: list items or table rows."""
        self.group_kind: str | None = None
        """What the open group holds: "list" or "table"."""

    def read(self, lines: list[str]) -> list[list[str]]:
        """Read all lines and return the blocks, empty ones left out."""
        index = 0
        while index < len(lines):
            index = self._step(lines, index)
        self._end_paragraph()
        return [block for block in self.blocks if any(line.strip() for line in block)]

    def _step(self, lines: list[str], index: int) -> int:
        """Read the construct starting at `lines[index]`; return the index after it."""
        line = lines[index]
        if "<!--" in line:
            line, index = self._drop_comment(lines, index)
            if line is None:
                return index
        if not line.strip():
            self._end_paragraph()
            self.group = self.group_kind = None
            return index + 1
        if fence := _FENCE.match(line):
            return self._read_code(lines, index, fence.group(1))
        if self.paragraph and _SETEXT.match(line):
            self._end_paragraph()  # the paragraph was a heading; the underline goes
            return index + 1
        if self.group_kind == "table" and _TABLE_DELIMITER.match(line):
            return index + 1  # the row under a table's header: markup only
        if _RULE.match(line) or _LINK_DEFINITION.match(line) or _TABLE_DELIMITER.match(line):
            self._end_paragraph()
            self.group = self.group_kind = None
            return index + 1
        if heading := _ATX.match(line):
            self._add_block(_inline(heading.group(1) or ""))
            return index + 1
        if _QUOTE.match(line):
            return self._read_quote(lines, index)
        if self._starts_item(line):
            self._open_group("list")
            prefix = _ITEM_PREFIX.match(line).group(0)
            self.group.append(prefix + _inline(line[len(prefix) :]))
            return index + 1
        if _TABLE_ROW.match(line) and (
            self.group_kind == "table"
            or (
                not self.paragraph
                and index + 1 < len(lines)
                and _TABLE_DELIMITER.match(lines[index + 1])
            )
        ):
            self._open_group("table")
            self.group.append(_inline(line))
            return index + 1
        if self.group_kind == "list" and not self.paragraph:
            # A list item's continuation line (indented, or "lazy" without indent).
            self.group[-1] += " " + _inline(line)
            return index + 1
        self.group = self.group_kind = None
        self.paragraph.append(line)
        return index + 1

    def _starts_item(self, line: str) -> bool:
        if _BULLET.match(line):
            return True
        ordered = _ORDERED.match(line)
        return bool(ordered) and (not self.paragraph or ordered.group(1) == "1")

    def _drop_comment(self, lines: list[str], index: int) -> tuple[str | None, int]:
        """Remove HTML comments from a line, reading on to the end of one that spans lines.

        Returns the line left over, or None if nothing is left of it (a line that held only a
        comment is skipped, not taken as a blank line, so it does not split a paragraph).
        """
        line = lines[index]
        while "<!--" in _COMMENT.sub("", line) and index + 1 < len(lines):
            index += 1
            line += "\n" + lines[index]
        cleaned = _COMMENT.sub("", line)
        if "<!--" in cleaned:  # never closed: a comment to the end of the document
            cleaned = cleaned[: cleaned.index("<!--")]
        lines[index] = cleaned.replace("\n", " ")
        if not cleaned.strip():
            return None, index + 1
        return lines[index], index

    def _read_code(self, lines: list[str], index: int, fence: str) -> int:
        """A fenced code block: its content lines, as they are, make one block."""
        self._end_paragraph()
        self.group = self.group_kind = None
        code: list[str] = []
        index += 1
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        while index < len(lines) and not closing.match(lines[index]):
            code.append(lines[index])
            index += 1
        self.blocks.append(code)
        return index + 1  # past the closing fence (or the end: an unclosed fence runs on)

    def _read_quote(self, lines: list[str], index: int) -> int:
        """A block quote: its markers go and its content is read as Markdown of its own."""
        self._end_paragraph()
        self.group = self.group_kind = None
        inner: list[str] = []
        while index < len(lines):
            line = lines[index]
            if marker := _QUOTE.match(line):
                inner.append(line[marker.end() :])
            elif line.strip() and inner and inner[-1].strip() and not _starts_block(line):
                inner.append(line)  # a lazy continuation of the quoted paragraph
            else:
                break
            index += 1
        self.blocks.extend(_BlockReader().read(inner))
        return index

    def _open_group(self, kind: str) -> None:
        """Continue the open group if it holds `kind` entries, else start a new one."""
        self._end_paragraph()
        if self.group is None or self.group_kind != kind:
            self.group, self.group_kind = [], kind
            self.blocks.append(self.group)

    def _add_block(self, text: str) -> None:
        self._end_paragraph()
        self.group = self.group_kind = None
        self.blocks.append([text])

    def _end_paragraph(self) -> None:
        """Join the paragraph's lines: soft breaks become spaces, hard breaks stay breaks."""
        if not self.paragraph:
            return
        joined = ""
        for line in self.paragraph:
            stripped = line.strip()
            if not joined:
                joined = stripped
            elif joined.endswith("\\"):  # a backslash at the end of a line is a hard break
                joined = joined[:-1].rstrip() + "\n" + stripped
            else:
                joined += " " + stripped
        self.paragraph = []
        self.group = self.group_kind = None
        text = "\n".join(_inline(part) for part in joined.split("\n"))
        self.blocks.append([text])
