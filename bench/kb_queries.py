"""Query sets of bench/kb_search.py.

Realistic: what agents and the ticket page really send, in the languages they use:
- "real": the relevance set's questions (tests/kb_relevance.json);
- "subject": the demo tickets' subjects (helpdesk/demo), as an agent searches them;
- "suggest": a demo ticket's subject and first sentence, as the ticket page asks
  GET /api/v1/kb/suggest while the ticket is typed (limit 5);
- "nukta-less" and "romanized": Hindi questions and subjects typed without nuktas, or in
  Latin letters (ITRANS read loosely, as people type: "vyavasay yojana").
Stress: generated 1-5 word queries in every language (common, mid-frequency and rare
words, typos) over the synthetic vocabulary: ORs of the corpus's most frequent words.
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path
from typing import NamedTuple

from indic_transliteration import sanscript

ROOT = Path(__file__).resolve().parent.parent
NUKTA = "\u093c"


class Query(NamedTuple):
    language: str
    kind: str
    text: str
    suggest: bool = False  # sent as a suggestion (ticket text, limit 5), not a search


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.?!।])(\s|$)", text.strip())
    return match.group(1) if match else text.strip()


def romanize(text: str) -> str:
    """Hindi in Latin letters as people type it: ITRANS without its capitals and marks, the
    inherent final "a" dropped ("vyavasay", "raha"); Latin words (MEC, CLF) stay as typed."""
    words = []
    for word in unicodedata.normalize("NFC", text).split():
        if not re.search("[\u0900-\u097f]", word):
            words.append(word.lower())
            continue
        word = word.replace("\u0949", "\u094b").replace("\u0945", "\u0947")  # candra o, e
        out = sanscript.transliterate(word, "devanagari", "itrans")
        for old, new in (("~N", "n"), ("~n", "n"), (".N", "n"), ("M", "n"), ("^", ""), (".h", "")):
            out = out.replace(old, new)
        if len(out) > 2 and out.endswith("a") and out[-2] not in "aeiouAIU":
            out = out[:-1]  # the inherent vowel, not the long A (रहा "raha")
        words.append(out.lower().replace("aa", "a").replace("ii", "i").replace("uu", "u"))
    return " ".join(words)


def realistic_queries() -> list[Query]:
    from helpdesk.demo.texts import ENGLISH
    from helpdesk.demo.texts_indic import BY_LANGUAGE

    cases = json.loads((ROOT / "tests" / "kb_relevance.json").read_text(encoding="utf-8"))
    queries = [Query(c["language"], "real", c["query"]) for c in cases]
    templates = [("en", t) for t in ENGLISH] + [
        (lang, t) for lang, ts in BY_LANGUAGE.items() for t in ts
    ]
    for lang, t in templates:
        subject = t.subject.replace("{block}", "Bero")
        description = t.description.replace("{block}", "Bero")
        queries.append(Query(lang, "subject", subject))
        queries.append(Query(lang, "suggest", f"{subject} {_first_sentence(description)}", True))
    hindi = [q.text for q in queries if q.language == "hi" and not q.suggest]
    seen = {q.text for q in queries}
    for text in hindi:
        for kind, variant in (
            ("nukta-less", text.replace(NUKTA, "")),
            ("romanized", romanize(text)),
        ):
            if variant not in seen:
                seen.add(variant)
                queries.append(Query("hi", kind, variant))
    return queries


def _typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("aeiounrst") + word[i + 1 :]


def stress_queries(count: int, vocab: dict, languages: dict, seed: int, analyze) -> list[Query]:
    """Generated 1-5 word queries over the synthetic vocabularies (``kind-words``)."""
    rng = random.Random(seed + 2)
    queries: list[Query] = []
    langs, weights = list(languages), list(languages.values())
    kinds = ["common", "mid", "rare", "mixed", "typo"]
    while len(queries) < count:
        language = rng.choices(langs, weights)[0]
        v = vocab[language]
        content = [w for w in v.real if analyze(w) and len(w) > 2]
        n_words = rng.choices([1, 2, 3, 4, 5], [3, 4, 3, 2, 1])[0]
        kind = rng.choices(kinds, [3, 3, 2, 3, 2])[0]
        tail = v.words[len(v.real) :]
        if kind == "common":
            words = [rng.choice(content[:40]) for _ in range(n_words)]
        elif kind == "mid":
            words = [rng.choice(content[40:400] or content) for _ in range(n_words)]
        elif kind == "rare":
            words = [rng.choice(tail[len(tail) // 2 :]) for _ in range(n_words)]
        elif kind == "mixed":
            pools = [content[:40], content[40:400] or content, tail]
            words = [rng.choice(rng.choice(pools)) for _ in range(n_words)]
        else:
            words = [rng.choice(content[:400]) for _ in range(n_words)]
            long = [i for i, w in enumerate(words) if len(w) >= 5]
            for i in long[:1] or [0]:
                if len(words[i]) >= 3:
                    words[i] = _typo(words[i], rng)
        queries.append(Query(language, f"{kind}-{n_words}", " ".join(words)))
    return queries
