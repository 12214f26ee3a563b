"""The one sanitiser: every string that comes from outside passes through here once, on the way in.

Articles, titles, meta values, annotator and label names may hold anything: terminal escape
sequences, C0/C1 control bytes, CRLF line ends, decomposed Unicode, bidi overrides that reorder
what an annotator reads, zero-width characters that hide text or make two names look alike. What
leaves this module is NFC text with LF line ends and no control characters other than newline and
tab, no bidi controls and no invisible characters (but see `_joiners_in_words`), so that it can be
stored, hashed for identity, and drawn in a terminal as plain data.

Values that are printed without being stored (a path the user typed, a file name found in a
folder) are not cleaned but made visible: `printable` escapes what a terminal would act on.
"""

from __future__ import annotations

import codecs
import os
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
# Invisible characters that are never wanted: bidi embeddings, overrides and isolates (U+202A-202E,
# U+2066-2069) and marks (U+200E, U+200F, U+061C), which reorder what is drawn around them (and
# can make a sentence read differently from what is stored); zero-width space, word joiner and
# invisible operators (U+200B, U+2060-2064), the BOM/zero-width no-break space (U+FEFF) anywhere;
# the deprecated format characters U+206A-206F; and the tag characters (U+E0000-E007F), which
# carry hidden ASCII text ("ASCII smuggling") that no terminal shows.
_INVISIBLE = re.compile(
    "[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\U000e0000-\U000e007f]"
)
_JOINERS = re.compile("[\u200c\u200d]")
# Scripts in which ZWNJ/ZWJ change how letters join or form conjuncts, so that removing them
# changes the spelling of a word: Arabic (Persian, Urdu, ...) with its supplements and
# presentation forms, Syriac, Thaana, N'Ko, the Indic scripts from Devanagari to Sinhala, Tibetan,
# Myanmar, Khmer and Mongolian.
_JOINING_SCRIPT = re.compile(
    "[\u0600-\u06ff\u0700-\u074f\u0750-\u077f\u0780-\u07bf\u07c0-\u07ff\u08a0-\u08ff"
    "\u0900-\u0dff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1800-\u18af"
    "\ufb50-\ufdff\ufe70-\ufefe]"
)
# Characters an emoji ZWJ sequence joins ("man, ZWJ, rocket" is one astronaut): pictographs and
# symbols, skin-tone modifiers and the emoji presentation selector.
_EMOJI_PART = re.compile("[\u2190-\u2bff\U0001f000-\U0001faff\ufe0f]")
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
    return _INVISIBLE.sub("", _CONTROL.sub("", value))


def has_controls(value: str) -> bool:
    """Whether `strip_controls` would change `value` (without building the stripped copy)."""
    return _CONTROL.search(value) is not None or _INVISIBLE.search(value) is not None


def _joiners_in_words(value: str) -> str:
    """Drop ZWNJ/ZWJ except between two characters where they change what is drawn.

    In Persian "می‌خواهم" the ZWNJ keeps two letters from joining, and in Devanagari a ZWJ or
    ZWNJ chooses between a conjunct and a half form: there they are spelling, and removing them
    changes the word (and the article's id). A ZWJ between two emoji makes one picture of them.
    Anywhere else (between Latin letters, at the start or end of a word, next to a space) they
    draw nothing and only hide text or make look-alikes, so they go. A joiner is kept only with a
    character of a joining script on both sides, or (ZWJ) an emoji part on both sides.
    """
    if "\u200c" not in value and "\u200d" not in value:
        return value

    def keep(match: re.Match[str]) -> str:
        at = match.start()
        before = value[at - 1] if at else ""
        after = value[at + 1] if at + 1 < len(value) else ""
        if not before or not after:
            return ""
        if _JOINING_SCRIPT.match(before) and _JOINING_SCRIPT.match(after):
            return match.group()
        if match.group() == "\u200d" and _is_emoji_part(before) and _is_emoji_part(after):
            return match.group()
        return ""

    return _JOINERS.sub(keep, value)


def _is_emoji_part(char: str) -> bool:
    return bool(_EMOJI_PART.match(char)) and unicodedata.category(char) in ("So", "Sk", "Mn")


def clean_text(value: str) -> str:
    """Normalise an article's text: NFC, LF line ends, no controls, no trailing spaces.

    Runs of blank lines are folded to one (a blank line is a paragraph break; more say nothing
    more), and leading and trailing blank lines are dropped. A BOM is dropped wherever it is.
    """
    # Removal comes before the last NFC: taking a character out from between two others can
    # leave a sequence that NFC composes. NFC comes before it too: it reorders combining marks,
    # which changes the neighbours a joiner is kept for (so cleaning twice changed the text).
    composed = unicodedata.normalize("NFC", strip_controls(value))
    value = unicodedata.normalize("NFC", _joiners_in_words(composed))
    value = _TRAILING_SPACE.sub("", value)
    value = _BLANK_RUN.sub("\n\n", value)
    return value.strip("\n")


def clean_line(value: str) -> str:
    """Normalise a one-line string (a title, a name, a meta value): no line breaks, no controls,
    runs of white space folded to one space.

    Such values name things (an annotator, a label, an article, a file), so ZWNJ and ZWJ go
    too, wherever they are: two names that look the same must be the same name.
    """
    value = unicodedata.normalize("NFC", _JOINERS.sub("", strip_controls(value)))
    return _WHITESPACE_RUN.sub(" ", value).strip()


def clean_text_line(value: str) -> str:
    """Normalise one line of text that is read, not used as a name: a title, a phrase to find in
    an article. Like `clean_line`, but ZWNJ and ZWJ stay inside words that need them, as in
    article text: a headline is the first line of its article's text and must be spelled the
    same (a Persian headline without its ZWNJ is misspelled), and a phrase must match the text.
    """
    composed = unicodedata.normalize("NFC", strip_controls(value))  # as in clean_text
    value = unicodedata.normalize("NFC", _joiners_in_words(composed))
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


def printable(value: object) -> str:
    """A value from outside (a path above all) as it may be printed on one line of a terminal.

    Nothing is removed, so that the user can still tell which file is meant: control characters
    (newline included), escape sequences' ESC, bidi controls, zero-width and other format
    characters, line separators and lone surrogates are shown as `\\n`, `\\x1b`, `\\u202e`...
    A byte of a file name that is not UTF-8 (kept by Python as a lone surrogate) is shown as
    `\\xNN`. Everything else, non-ASCII letters included, is left as it is.
    """
    text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
    if text.isprintable() and text.isascii():
        return text
    return "".join(_visible(char) for char in text)


def _visible(char: str) -> str:
    if char == " " or unicodedata.category(char) not in _UNPRINTABLE:
        return char
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, by Python's surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def article_id(text: str) -> str:
    """The stable identity of an article: a hash of its normalised text.

    The same article imported twice, or on two annotators' machines, gets the same id.
    """
    import hashlib  # OpenSSL's loading is most of a short command's imports; only ids need it

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
