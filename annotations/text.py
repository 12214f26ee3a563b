"""The one sanitiser: every string that comes from outside passes through here once, on the way in.

Articles, titles, meta values, annotator and label names may hold anything: terminal escape
sequences, C0/C1 control bytes, CRLF line ends, decomposed Unicode. What leaves this module is
NFC text with LF line ends and no control characters other than newline and tab, so that it can be
stored, hashed for identity, and drawn in a terminal as plain data.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Mapping

from annotations.errors import InputError

# ESC-introduced sequences: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ST), DCS/SOS/PM/APC
# (ESC P/X/^/_ ... ST), and two-byte escapes. An unterminated string sequence ends at the end of its
# line, never later: a stray ESC must not swallow the rest of an article. The 8-bit CSI (U+009B) is
# bounded like its 7-bit form and goes whole; the 8-bit string introducers (DCS, SOS, OSC, PM, APC)
# have no bounded form, so they are single control characters here and go alone.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                        # CSI
    | \x9b[0-?]*[ -/]*[@-~]                         # 8-bit CSI
    | \x1b\][^\n]*?(?:\x07|\x1b\\|(?=\n)|$)         # OSC
    | \x1b[PX^_][^\n]*?(?:\x1b\\|(?=\n)|$)           # DCS, SOS, PM, APC
    | \x1b[ -/]*[0-~]?                              # other escapes (and a lone ESC)
    """,
    re.VERBOSE,
)
# C0 and C1 controls except TAB and LF, DEL, and the Unicode line/paragraph separators (which
# terminals draw as line breaks the layout does not know about), plus lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0\u3000]+$", re.MULTILINE)
_BLANK_RUN = re.compile(r"\n{3,}")
_WHITESPACE_RUN = re.compile(r"\s+")


def decode(data: bytes) -> str:
    """Decode a file's bytes: UTF-8 with or without a BOM, or UTF-16 with a BOM.

    Raises:
        InputError: the bytes are binary or not text in those encodings.
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", data
    else:
        encoding, body = "utf-8", data
        if b"\x00" in body[:8192]:
            raise InputError("binary file, not text")
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            f"not valid {encoding.upper()} text (byte {error.start}); save it as UTF-8"
        ) from None


def strip_controls(value: str) -> str:
    """Remove terminal escape sequences and control characters, keeping newlines and tabs."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u2028", "\n").replace("\u2029", "\n\n")
    if "\x1b" in value or "\x9b" in value:
        value = _ESCAPE_SEQUENCE.sub("", value)
    return _CONTROL.sub("", value)


def clean_text(value: str) -> str:
    """Normalise an article's text: NFC, LF line ends, no controls, no trailing spaces.

    Runs of blank lines are folded to one (a blank line is a paragraph break; more say nothing
    more), and leading and trailing blank lines are dropped. A leading BOM is dropped.
    """
    value = unicodedata.normalize("NFC", strip_controls(value.lstrip("\ufeff")))
    value = _TRAILING_SPACE.sub("", value)
    value = _BLANK_RUN.sub("\n\n", value)
    return value.strip("\n")


def clean_line(value: str) -> str:
    """Normalise a one-line string (a title, a name, a meta value): no line breaks, no controls,
    runs of white space folded to one space."""
    value = unicodedata.normalize("NFC", strip_controls(value.lstrip("\ufeff")))
    return _WHITESPACE_RUN.sub(" ", value).strip()


def clean_meta(value: object) -> object:
    """Clean every string, key or value, inside a JSON-like structure."""
    if isinstance(value, str):
        return clean_line(value)
    if isinstance(value, dict):
        return {clean_line(str(k)): clean_meta(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_meta(v) for v in value]
    return value


def article_id(text: str) -> str:
    """The stable identity of an article: a hash of its normalised text.

    The same article imported twice, or on two annotators' machines, gets the same id.
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def display_label(name: str, names: Mapping[str, str] | None = None) -> str:
    """How a label is shown to people: its display name in `names` (see
    `scheme.display_names`), else derived: `heritage_damage` reads "heritage damage"."""
    if names is not None and name in names:
        return names[name]
    return name.replace("_", " ")


def counted(number: int, noun: str) -> str:
    """`1 article`, `2 articles`: a count with its noun, for messages."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
