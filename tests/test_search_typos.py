"""Typo corrections: ruling spellings out by their letter counts finds exactly the article
words that Whoosh's edit distance, computed for every spelling, finds."""

import random

from whoosh.support.levenshtein import damerau_levenshtein

from helpdesk.knowledge.analysis import LATIN_RE, NGRAMS, analyze
from helpdesk.knowledge.library import article_files
from helpdesk.knowledge.search import SearchIndex
from helpdesk.knowledge.typos import SpellingDictionary, corrections


def every_spelling_compared(reader, surface: str, term: str) -> list:
    """The corrections with the edit distance computed for every article spelling."""
    if len(surface) < 4 or not LATIN_RE.fullmatch(surface):
        return []
    maxdist, terms = (2 if len(surface) >= 8 else 1), set()
    for btext in reader.expand_prefix("spelling", surface[0]):
        candidate = btext.decode("utf-8")
        if abs(len(candidate) - len(surface)) > maxdist + 3:
            continue
        stems = analyze(candidate)
        if stems == [term]:
            return []
        if damerau_levenshtein(candidate, surface, limit=maxdist) <= maxdist or (
            stems and damerau_levenshtein(stems[0], term, limit=maxdist) <= maxdist
        ):
            terms.update(stems)
    out = [(f, t, 0.7) for t in sorted(terms - {term}) for f in ("title", "body")]
    return out + [("title_ngram", t.text, 0.3) for t in NGRAMS(surface, mode="query")]


def misspellings(words: list[str], count: int, seed: int = 7) -> list[str]:
    """Words of the articles with one or two letters dropped, doubled, swapped or replaced."""
    rng, out = random.Random(seed), []
    letters = "abcdefghijklmnopqrstuvwxyz"
    while len(out) < count:
        word = list(rng.choice(words))
        for _ in range(rng.choice((1, 1, 2))):
            i = rng.randrange(1, len(word))  # the first letter stays: the dictionary's key
            edit = rng.choice(("drop", "double", "swap", "replace"))
            if edit == "drop" and len(word) > 4:
                del word[i]
            elif edit == "double":
                word.insert(i, word[i])
            elif edit == "swap" and i + 1 < len(word):
                word[i], word[i + 1] = word[i + 1], word[i]
            else:
                word[i] = rng.choice(letters)
        out.append("".join(word))
    return out


def test_corrections_are_those_of_the_edit_distance_to_every_spelling(tmp_path):
    english = [a for a in article_files() if a.language == "en"]
    index = SearchIndex(tmp_path / "kb")
    index.rebuild(
        {"id": f"a{i}", "kind": "article", "title": a.title, "body": a.body, "language": "en"}
        for i, a in enumerate(english)
    )
    words = sorted(
        {w.lower() for a in english for w in a.body.split() if LATIN_RE.fullmatch(w.lower())}
    )
    words = [w for w in words if len(w) >= 5]
    index.search("loan")  # opens the searcher
    reader = index._searcher.reader()
    dictionary = SpellingDictionary(reader)
    corrected = 0
    for surface in misspellings(words, 300) + words[::10]:
        stems = analyze(surface)
        term = stems[0] if stems else surface
        expected = every_spelling_compared(reader, surface, term)
        assert corrections(dictionary, surface, term) == expected, surface
        corrected += any(f == "body" for f, _t, _b in expected)
    assert corrected > 100  # most misspellings are close to an article word
    index.close()
