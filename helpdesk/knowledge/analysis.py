"""Text analysis for search: Indic-aware words, spelling folds, stop words, English stems.

Whoosh's default ``\\w+`` tokenizer cuts Indic words at vowel signs and viramas; the
tokenizer here keeps them whole.  Index and query text go through the same analyzer.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from whoosh.analysis import (
    LowercaseFilter,
    NgramWordAnalyzer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter2 import stem as porter2_stem

# Indic vowel signs, viramas, nuktas and anusvaras are combining marks (M*), which Python's \w
# does not match.  All the scripts we serve are in the BMP, so scanning it is enough.
_MARK = (
    "["
    + "".join(
        re.escape(chr(c)) for c in range(0x10000) if unicodedata.category(chr(c)).startswith("M")
    )
    + "]"
)
_ALNUM = r"[^\W_]"  # letters (L*) and digits (Nd, incl. Indic digits); "_" separates words
WORD_RE = re.compile(
    r"\d+(?:[.,]\d+)+"  # 3.5, 10,000
    rf"|(?:{_ALNUM}|{_MARK})(?:{_ALNUM}|{_MARK}|[\u200c\u200d])*"  # ZWNJ/ZWJ stay inside words
    rf"(?:['\u2019](?:{_ALNUM}|{_MARK})+)*"  # don't, SHG's
)  # danda/double danda (Po) and all other punctuation end a word
# Malayalam chillu written old-style (consonant + virama + ZWJ) is the same letter as the
# atomic chillu; keyboards produce either, so terms use the atomic form.
_CHILLU = {
    "\u0d23\u0d4d\u200d": "\u0d7a",
    "\u0d28\u0d4d\u200d": "\u0d7b",
    "\u0d30\u0d4d\u200d": "\u0d7c",
    "\u0d32\u0d4d\u200d": "\u0d7d",
    "\u0d33\u0d4d\u200d": "\u0d7e",
    "\u0d15\u0d4d\u200d": "\u0d7f",
}
_CHILLU_RE = re.compile("|".join(_CHILLU))
_POSSESSIVE_RE = re.compile(r"['\u2019][sS]$")
LATIN_RE = re.compile(r"[a-z\u00c0-\u024f]+")
# Helpdesk queries are often questions; question words only add noise to the ranking.
_STOP_WORDS = STOP_WORDS | {
    "how",
    "what",
    "where",
    "why",
    "which",
    "who",
    "do",
    "does",
    "i",
    "me",
    "my",
    "our",
    "should",
    "there",
    "their",
    "into",
    "about",
}


def nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def _fold(word: str) -> str:
    """Term form of a surface word: atomic chillus, no joiners, possessives or apostrophes."""
    word = _CHILLU_RE.sub(lambda m: _CHILLU[m.group(0)], word)
    word = word.replace("\u200c", "").replace("\u200d", "")
    return _POSSESSIVE_RE.sub("", word).replace("'", "").replace("\u2019", "")


class IndicTokenizer(Tokenizer):
    """Whole words (letters, digits, combining marks, inner ZWJ/ZWNJ) of the NFC text.

    ``startchar``/``endchar`` span the whole surface word, so highlights never cut a word.
    Offsets refer to the NFC form of the input; SearchIndex therefore stores NFC text.
    """

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        kwargs.pop("tokenize", None)  # every value is tokenized, even ID-like ones
        value = unicodedata.normalize("NFC", value)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, match in enumerate(WORD_RE.finditer(value)):
            t.text = _fold(match.group(0))
            if not t.text:
                continue
            t.boost, t.stopped = 1.0, False
            if keeporiginal:
                t.original = t.text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + match.start(), start_char + match.end()
            yield t


class LatinStemFilter(StemFilter):
    """StemFilter that stems Latin-script tokens only; Indic tokens pass through unchanged."""

    def __call__(self, tokens):
        for t in tokens:
            if not t.stopped and LATIN_RE.fullmatch(t.text):
                t.text = self._stem(t.text)  # StemFilter's cached stem function
            yield t


def make_analyzer():
    """NFC word tokenizer | lowercase | English stop words | Porter2 stem of Latin words."""
    # Porter2, because whoosh's classic Porter leaves "planning" as "plann".
    return (
        IndicTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=_STOP_WORDS, minsize=1)
        | LatinStemFilter(stemfn=porter2_stem)
    )


ANALYZER = make_analyzer()
WORDS = IndicTokenizer() | LowercaseFilter()  # unstemmed words: the typo dictionary
NGRAMS = NgramWordAnalyzer(3, 4, tokenizer=IndicTokenizer())


def analyze(text: str) -> list[str]:
    """The index terms ``text`` produces (for tests and debugging)."""
    return [t.text for t in ANALYZER(text)]
