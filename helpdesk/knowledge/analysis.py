"""Text analysis for search: Indic-aware words, spelling folds, stop words, English stems.

Whoosh's default ``\\w+`` tokenizer cuts Indic words at vowel signs and viramas; the
tokenizer here keeps them whole.  Index and query text go through the same analyzer.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    NgramWordAnalyzer,
    StemFilter,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.lang.porter2 import stem as porter2_stem

from helpdesk.knowledge import stopwords
from helpdesk.knowledge.spelling import fold_word, is_indic, loose_term

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
LATIN_RE = re.compile(r"[a-z\u00c0-\u024f]+")


def nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value))


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
            t.text = fold_word(match.group(0))
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


class SkeletonFilter(Filter):
    """The loose skeleton of each Indic word (see ``spelling.skeleton``); other words are
    left out: Latin words are searched as typed, and romanized queries meet Indic text here."""

    def __call__(self, tokens):
        for t in tokens:
            if t.stopped or not is_indic(t.text):
                continue
            t.text = loose_term(t.text)
            yield t


def make_analyzer():
    """NFC folded words | lowercase | stop words | Porter2 stem of Latin words."""
    # Porter2, because whoosh's classic Porter leaves "planning" as "plann".
    return (
        IndicTokenizer()
        | LowercaseFilter()
        | StopFilter(stoplist=stopwords.ALL, minsize=1)
        | LatinStemFilter(stemfn=porter2_stem)
    )


ANALYZER = make_analyzer()
# Loose spellings: romanized Hindi, vowel length, nasals (a second field, weighted lower).
LOOSE = (
    IndicTokenizer()
    | LowercaseFilter()
    | StopFilter(stoplist=stopwords.ALL, minsize=1)
    | SkeletonFilter()
)
WORDS = IndicTokenizer() | LowercaseFilter()  # unstemmed words: the typo dictionary
NGRAMS = NgramWordAnalyzer(3, 4, tokenizer=IndicTokenizer())


def analyze(text: str) -> list[str]:
    """The index terms ``text`` produces (for tests and debugging)."""
    return [t.text for t in ANALYZER(text)]


def loose_terms(text: str) -> list[str]:
    """The loose-field terms ``text`` produces (for tests and debugging)."""
    return [t.text for t in LOOSE(text)]
