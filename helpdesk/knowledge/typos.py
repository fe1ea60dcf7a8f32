"""Typo corrections of query words: article spellings within an edit or two.

The articles' spellings (the ``spelling`` field) are read once per searcher, a first letter
at a time, each with its index terms and letter counts.  Letter counts bound the edit
distance from below (an edit adds, removes or replaces one letter; a swap changes none), so
most spellings are ruled out without the edit distance itself, which Whoosh computes in
Python (~30 µs a pair).
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from whoosh.support.levenshtein import damerau_levenshtein

from helpdesk.knowledge.analysis import LATIN_RE, NGRAMS, analyze


class Spelling(NamedTuple):
    text: str
    stems: list[str]  # its index terms
    letters: Counter  # of text
    stem_letters: Counter | None  # of stems[0]


class SpellingDictionary:
    """The spelling field of one searcher's reader, by first letter (read on first use)."""

    def __init__(self, reader):
        self.reader = reader
        self._by_letter: dict[str, list[Spelling]] = {}

    def starting_with(self, letter: str) -> list[Spelling]:
        found = self._by_letter.get(letter)
        if found is None:
            found = self._by_letter[letter] = [
                _spelling(btext.decode("utf-8"))
                for btext in self.reader.expand_prefix("spelling", letter)
            ]
        return found


def _spelling(text: str) -> Spelling:
    stems = analyze(text)
    return Spelling(text, stems, Counter(text), Counter(stems[0]) if stems else None)


def corrections(dictionary: SpellingDictionary, surface: str, term: str) -> list:
    """Extra ``(field, term, boost)`` alternatives for an English word no article contains
    (``surface`` as typed, ``term`` its stem).

    Article words within 1 edit (2 from 8 letters; Damerau, so a swap is one edit), compared
    unstemmed (stems of misspellings are unreliable: "managment" vs "manag") or stem to stem;
    title n-grams catch worse typos ("nutrimicks").  Known words and their inflections are
    left alone: correcting them would only add noise.
    """
    if len(surface) < 4 or not LATIN_RE.fullmatch(surface):
        return []
    maxdist, terms = (2 if len(surface) >= 8 else 1), set()
    letters, term_letters = Counter(surface), Counter(term)
    nearby = [
        s
        for s in dictionary.starting_with(surface[0])
        if abs(len(s.text) - len(surface)) <= maxdist + 3  # + room for suffixes
    ]
    if any(s.stems == [term] for s in nearby):
        return []  # an inflection of an article word ("loan" for "loans"): no typo
    for s in nearby:
        if (
            _fewest_edits(s.letters, letters) <= maxdist
            and damerau_levenshtein(s.text, surface, limit=maxdist) <= maxdist
        ) or (
            s.stems
            and _fewest_edits(s.stem_letters, term_letters) <= maxdist
            and damerau_levenshtein(s.stems[0], term, limit=maxdist) <= maxdist
        ):
            terms.update(s.stems)  # "laon" is 2 edits from "loans" but 1 from its stem
    out = [(f, t, 0.7) for t in sorted(terms - {term}) for f in ("title", "body")]
    return out + [("title_ngram", t.text, 0.3) for t in NGRAMS(surface, mode="query")]


def _fewest_edits(a: Counter, b: Counter) -> int:
    """A lower bound of the edit distance of two words from their letter counts."""
    common = sum(min(n, a[c]) for c, n in b.items() if c in a)
    return max(a.total(), b.total()) - common
