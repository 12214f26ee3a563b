"""Which language an article is written in.

py3langid (a maintained fork of langid.py: 97 languages, a 4.5 MB model inside the package, no
download, deterministic) reads the first DETECT_PREFIX characters, which is plenty for a
language (an article's lead) and keeps an import fast: its reading is a Python loop over the
bytes, about 1 ms an article at 500 characters (4 ms at 2,000), once the model is loaded
(~0.7 s, once per process, and only when something new is imported). langdetect was slower
and unmaintained; lingua is more accurate on very short texts but weighs 96 MB.
"""

from __future__ import annotations

import functools
import itertools
import re
from typing import Any

DETECT_PREFIX = 500
"""Characters of the text the detector reads."""
MIN_LETTERS = 20
"""A text with fewer letters than this gets no language: the guess would be noise."""
MIN_CONFIDENCE = 0.8
"""The detector's normalised probability below which the language is left unknown."""

NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan",
    "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "ga": "Irish", "gl": "Galician",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "ht": "Haitian Creole", "hu": "Hungarian",
    "hy": "Armenian", "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
    "ka": "Georgian", "ko": "Korean", "la": "Latin", "lt": "Lithuanian", "lv": "Latvian",
    "mk": "Macedonian", "ms": "Malay", "mt": "Maltese", "nb": "Norwegian Bokmål",
    "nl": "Dutch", "nn": "Norwegian Nynorsk", "no": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian",
    "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu",
    "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip
"""English names of ISO 639-1 codes, for messages."""

_LETTER = re.compile(r"[^\W\d_]")


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language a text is written in ("en", "de"), or None when the
    text is too short or the detector is unsure."""
    sample = text[:DETECT_PREFIX]
    if sum(1 for _ in itertools.islice(_LETTER.finditer(sample), MIN_LETTERS)) < MIN_LETTERS:
        return None
    code, confidence = _identifier().classify(sample)
    return str(code) if confidence >= MIN_CONFIDENCE else None


def language_name(code: str) -> str:
    """The English name of a language code, or the code itself if it is not a common one."""
    return NAMES.get(code, code)


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
