"""Spelling folds: the many ways people type one Indic word, mapped to one term.

Two levels.  ``fold_word`` is exact enough to share the main index terms: nukta or none
(फ़ीस = फीस), chandrabindu or anusvara, a half nasal or anusvara before a stop (हिन्दी =
हिंदी), old or atomic Malayalam chillus, joiners.  ``skeleton`` is loose, for a second field
searched with a lower weight: any Indic script or romanized Hindi is transliterated to one
Latin spelling (ITRANS, via indic-transliteration), then vowel length, the inherent "a",
final nasalisation, retroflex/dental and sibilant distinctions and doubled letters are dropped,
so "vyavsay", "vyavasaay" and व्यवसाय all become "vyvsy".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from indic_transliteration import sanscript

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
# Nuktas of Devanagari, Gurmukhi, Gujarati, Telugu and Kannada mark borrowed sounds and are
# often left out when typing (फीस for फ़ीस, बाजार for बाज़ार).  Not Bengali's or Odia's: there
# য়/য, ড়/ড, ୟ/ଯ are different letters (the loose skeleton still merges them).
_NUKTAS = "\u093c\u0a3c\u0abc\u0c3c\u0cbc"
# Chandrabindu (and Gurmukhi tippi/adak bindi, Telugu/Malayalam variants) → the script's
# anusvara: हाँ and हां are typed interchangeably.
_NASAL = str.maketrans(
    {
        "\u0901": "\u0902",
        "\u0981": "\u0982",
        "\u0a01": "\u0a02",
        "\u0a70": "\u0a02",
        "\u0a81": "\u0a82",
        "\u0b01": "\u0b02",
        "\u0c00": "\u0c02",
        "\u0c01": "\u0c02",
        "\u0c81": "\u0c82",
        "\u0d00": "\u0d02",
        "\u0d01": "\u0d02",
    }
    | {n: None for n in _NUKTAS}
    | {"\u200c": None, "\u200d": None}
)
# Devanagari half nasal before a stop (क..म) is the anusvara: हिन्दी = हिंदी, खण्ड = खंड.
_HALF_NASAL_RE = re.compile("[\u0919\u091e\u0923\u0928\u092e]\u094d(?=[\u0915-\u092e])")
_INDIC_RE = re.compile("[\u0900-\u0d7f]")
_POSSESSIVE_RE = re.compile(r"['\u2019][sS]$")


def fold_word(word: str) -> str:
    """Exact term form of a surface word (NFC in, NFC out)."""
    word = _CHILLU_RE.sub(lambda m: _CHILLU[m.group(0)], word)
    if _INDIC_RE.search(word):
        word = unicodedata.normalize("NFD", word).translate(_NASAL)
        word = unicodedata.normalize("NFC", _HALF_NASAL_RE.sub("\u0902", word))
    else:
        word = word.replace("\u200c", "").replace("\u200d", "")
    return _POSSESSIVE_RE.sub("", word).replace("'", "").replace("\u2019", "")


# ---- loose skeleton ------------------------------------------------------------------------

_SCRIPTS = [  # (first code point of the Unicode block, sanscript scheme, loose-term prefix)
    (0x0900, sanscript.DEVANAGARI, ""),
    (0x0980, sanscript.BENGALI, "b:"),
    (0x0A00, sanscript.GURMUKHI, "p:"),
    (0x0A80, sanscript.GUJARATI, "g:"),
    (0x0B00, sanscript.ORIYA, "o:"),
    (0x0B80, sanscript.TAMIL, "t:"),
    (0x0C00, sanscript.TELUGU, "e:"),
    (0x0C80, sanscript.KANNADA, "k:"),
    (0x0D00, sanscript.MALAYALAM, "m:"),
]
_DRAVIDIAN = {sanscript.TAMIL, sanscript.TELUGU, sanscript.KANNADA, sanscript.MALAYALAM}
#: loose-term prefixes, Devanagari (Hindi, the commonest romanized language) first
SCRIPT_PREFIXES = tuple(prefix for _start, _scheme, prefix in _SCRIPTS)
ROMAN_RE = re.compile(r"[a-z]+")
# Before transliterating: candra vowels (डॉक्टर = डाक्टर), atomic Malayalam chillus (the
# transliterator does not know them), ज्ञ as people say it ("gyan").
_PRE = str.maketrans(
    {
        "\u0949": "\u094b",
        "\u0945": "\u0947",
        "\u0911": "\u0913",
        "\u090d": "\u090f",
        "\u0d7a": "\u0d23\u0d4d",
        "\u0d7b": "\u0d28\u0d4d",
        "\u0d7c": "\u0d30\u0d4d",
        "\u0d7d": "\u0d32\u0d4d",
        "\u0d7e": "\u0d33\u0d4d",
        "\u0d7f": "\u0d15\u0d4d",
    }
)
# ITRANS details that typed Latin never has (case-sensitive, so before lowercasing).
_ITRANS_MARKS = [
    ("j~n", "gy"),  # ज्ञ
    ("RRi", "ri"),
    ("RRI", "ri"),
    ("R^i", "ri"),
    ("LLi", "li"),
    ("~N", "n"),
    ("~n", "n"),
    (".N", "M"),  # chandrabindu: the anusvara (see _LOOSE_RULES)
    (".n", "M"),
    ("H", ""),  # visarga
    (".a", ""),  # avagraha
    ("^", ""),
    ("è", "e"),
    ("ò", "o"),
]
_LOOSE_RULES = [
    (re.compile(r"chh"), "ch"),
    (re.compile(r"sh"), "s"),  # श ष स: "s" and "sh" are typed for all three
    (re.compile(r"z"), "j"),
    (re.compile(r"f"), "ph"),
    (re.compile(r"q"), "k"),
    (re.compile(r"w"), "v"),
    # The anusvara is a half nasal before a consonant (हिंदी = हिन्दी = "hindi"); elsewhere a
    # nasalised vowel, rarely typed ("nahi" for नहीं).
    (re.compile(r"\x00(?=[bcdfghjklmnpqrstvxy])"), "n"),
    (re.compile(r"\x00"), ""),
    (re.compile(r"m(?=[pb])"), "n"),
    (re.compile(r"ai"), "e"),
    (re.compile(r"au"), "o"),
    (re.compile(r"(?<=.)a"), ""),  # vowel length and the inherent vowel ("yojna" = योजना)
    (re.compile(r"(.)\1+"), r"\1"),
]


def is_indic(word: str) -> bool:
    return _INDIC_RE.search(word) is not None


def _script(word: str) -> tuple[str, str] | None:
    """(sanscript scheme, loose-term prefix) of the word's first Indic letter."""
    for char in word:
        code = ord(char)
        if 0x0900 <= code < 0x0D80:
            return next((sch, pre) for start, sch, pre in reversed(_SCRIPTS) if code >= start)
    return None


def loose_term(word: str) -> str:
    """The loose-field term of an Indic word: its skeleton, prefixed by its script (so a
    Malayalam word and a Hindi one with the same skeleton stay apart)."""
    found = _script(word)
    return (found[1] if found else "") + skeleton(word)


@lru_cache(maxsize=100_000)
def skeleton(word: str) -> str:
    """Loose form of a folded, lowercased word: an Indic word, or a Latin one read as
    romanized Hindi (ITRANS-like); anything else comes back unchanged."""
    found = _script(word)
    if found is None:
        if not ROMAN_RE.fullmatch(word):
            return word
        # Read the typed word as ITRANS and write it back: "ee"/"oo" become long vowels,
        # "x" क्ष, "z" ज़, the same way the Indic side comes out.
        itrans = sanscript.transliterate(
            sanscript.transliterate(word, sanscript.ITRANS, sanscript.DEVANAGARI),
            sanscript.DEVANAGARI,
            sanscript.ITRANS,
        )
    else:
        itrans = sanscript.transliterate(word.translate(_PRE), found[0], sanscript.ITRANS)
        if found[0] in _DRAVIDIAN and itrans.endswith("M"):
            itrans = itrans[:-1] + "m"  # a final anusvara is an "m" there (സ്വയം "swayam")
    for old, new in _ITRANS_MARKS:
        itrans = itrans.replace(old, new)
    loose = itrans.replace("M", "\x00").lower()
    for pattern, new in _LOOSE_RULES:
        loose = pattern.sub(new, loose)
    loose = re.sub(r"[^a-z0-9]", "", loose)
    return loose or word
