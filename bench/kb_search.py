"""Knowledge-base search benchmark: the old and new read path on one 100k-document index.

    .venv/bin/python bench/kb_search.py [--docs 100000] [--stress 150] [--rounds 3]
                                        [--old-rounds 1] [--http-requests 400] [--workers 2]
                                        [--keep-dir DIR] [--reuse] [--seed N]

What it does, every run:

1. Builds a synthetic multilingual corpus (English, Hindi, Malayalam, Kannada, Odia from the
   real articles in helpdesk/knowledge/articles/, plus small seed vocabularies for Bengali,
   Assamese, Tamil and Telugu), words sampled Zipf-like then a long tail of rarer compounds,
   so common words match tens of thousands of documents.  70% articles (90% published), 30%
   resolved tickets.  ``--keep-dir DIR --reuse`` reuses an index built there before.
2. Indexes it with SearchIndex.rebuild() (docs/s), and into SQLite FTS5 (the reference).
3. Two query sets (bench/kb_queries.py): the realistic one (the relevance set's questions,
   demo ticket subjects, ticket text as the suggestion box sends it, nukta-less and
   romanized Hindi) and a stress set of generated ORs of frequent, rare and misspelt words.
4. Times, interleaved query by query on the same index: SearchIndex.search with
   read_path="bulk" (new: block-wise scoring, score cache) and read_path="whoosh" (old:
   Whoosh's own search loop), and SQLite FTS5 bm25; each after one warm-up pass.
5. Compares both paths' top 10 with the exhaustive ranking (read_path="exhaustive": Whoosh
   scores every match, coverage first): overlap, and the rank of its first result (MRR).
6. Serves the app twice with gunicorn (SEARCH_READ_PATH=whoosh and =bulk) and alternates
   realistic requests between them: GET /api/v1/kb/search?q= or /api/v1/kb/suggest?text=,
   a new connection each, timed by the client.
7. Prints p50/p95/p99, the goal (HTTP p95 <= 50 ms on realistic queries) and the ratio to
   FTS5.  A benchmark that prints figures, not a test: it exits 0 whether or not the goal
   holds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
import unicodedata
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
ARTICLES_DIR = ROOT / "helpdesk" / "knowledge" / "articles"

import kb_http  # noqa: E402  (after sys.path)
from kb_queries import Query, realistic_queries, stress_queries  # noqa: E402

from helpdesk.knowledge.analysis import WORD_RE, analyze  # noqa: E402
from helpdesk.knowledge.search import SCHEMA_VERSION, SearchIndex  # noqa: E402

TARGET_HTTP_P95_MS = 50.0
TARGET_REBUILD_S = 360.0
READ_PATHS = {"new": "bulk", "old": "whoosh"}

# share of documents per language
LANGUAGES = {"en": 40, "hi": 18, "ml": 10, "kn": 5, "or": 5, "bn": 7, "as": 3, "ta": 7, "te": 5}
CATEGORIES = [
    "enterprise",
    "finance",
    "accounts",
    "market-linkage",
    "training",
    "nutrition",
    "convergence",
    "mis",
    "cbo",
    "social-development",
]

# No articles in these languages yet: a small domain vocabulary, most common first.
SEED_WORDS = {
    "bn": "ব্যবসা পরিকল্পনা ঋণ ব্যাংক স্বনির্ভর গোষ্ঠী সদস্য হিসাব খাতা বাজার প্রশিক্ষণ উদ্যোগ আয় "
    "লাভ খরচ সঞ্চয় মহিলা গ্রাম সভা নথি আবেদন সুদ কিস্তি পণ্য বিক্রি মূলধন সহায়তা পরামর্শ "
    "প্রকল্প জেলা ব্লক দল মাসিক সাপ্তাহিক হাট নগদ রেজিস্টার তথ্য সমস্যা সমাধান এবং করে জন্য "
    "থেকে হবে আছে না",
    "as": "ব্যৱসায় আঁচনি ঋণ বেংক গোট সদস্য হিচাপ বজাৰ প্ৰশিক্ষণ উদ্যোগ আয় লাভ খৰচ সঞ্চয় মহিলা "
    "গাঁও সভা আবেদন সুত কিস্তি সামগ্ৰী বিক্ৰী মূলধন সহায় পৰামৰ্শ জিলা খণ্ড মাহেকীয়া সাপ্তাহিক "
    "হাট নগদ তথ্য সমস্যা সমাধান স্বয়ং সহায়ক আৰু কৰে বাবে পৰা হ'ব আছে নাই",
    "ta": "வணிகத் திட்டம் கடன் வங்கி சுய உதவிக் குழு உறுப்பினர் கணக்கு புத்தகம் சந்தை பயிற்சி "
    "தொழில் வருமானம் லாபம் செலவு சேமிப்பு பெண்கள் கிராமம் கூட்டம் ஆவணம் விண்ணப்பம் வட்டி "
    "தவணை பொருள் விற்பனை மூலதனம் உதவி ஆலோசனை மாவட்டம் வட்டாரம் மாதாந்திர வாராந்திர ரொக்கம் "
    "பதிவேடு தகவல் பிரச்சனை தீர்வு மற்றும் செய்ய வேண்டும் இருந்து உள்ளது இல்லை",
    "te": "వ్యాపార ప్రణాళిక రుణం బ్యాంకు స్వయం సహాయక సంఘం సభ్యులు ఖాతా పుస్తకం మార్కెట్ శిక్షణ "
    "సంస్థ ఆదాయం లాభం ఖర్చు పొదుపు మహిళలు గ్రామం సమావేశం పత్రాలు దరఖాస్తు వడ్డీ వాయిదా "
    "ఉత్పత్తి అమ్మకం పెట్టుబడి సహాయం సలహా జిల్లా మండలం నెలవారీ వారపు సంత నగదు రిజిస్టర్ "
    "సమాచారం సమస్య పరిష్కారం మరియు చేయాలి కోసం నుండి ఉంది లేదు",
}

# FTS5: unicode61 treats combining marks (Indic vowel signs, viramas, nuktas, anusvaras: Mn/Mc)
# as separators, cutting "योजना" into "य", "ज", "न".  Declaring every mark of the Indic blocks
# (U+0900-U+0DFF) and ZWNJ/ZWJ as token characters keeps words whole; porter stems English.
_INDIC_MARKS = (
    "".join(chr(c) for c in range(0x0900, 0x0E00) if unicodedata.category(chr(c)).startswith("M"))
    + "\u200c\u200d"
)
FTS5_TOKENIZER = f"porter unicode61 remove_diacritics 2 tokenchars '{_INDIC_MARKS}'"
FTS5_TOKENIZER_DESC = (
    "porter unicode61 remove_diacritics 2, tokenchars = the "
    f"{len(_INDIC_MARKS) - 2} combining marks of U+0900-U+0DFF + ZWNJ/ZWJ"
)


# --------------------------------------------------------------------------- output


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Progress:
    """A progress bar on a terminal, a line every 10% otherwise; always on stderr."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.start = label, max(total, 1), time.monotonic()
        self.tty, self.last_shown, self.last_step = sys.stderr.isatty(), 0.0, -1

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        frac = min(done / self.total, 1.0)
        elapsed = now - self.start
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - done) / rate if rate > 0 else float("nan")
        text = (
            f"[{self.label}] {done:>7}/{self.total} {frac * 100:5.1f}%  "
            f"{rate:8.0f}/s  {elapsed:6.1f}s elapsed, ~{eta:5.0f}s left"
        )
        if self.tty:
            if now - self.last_shown >= 0.2 or done >= self.total:
                bar = "#" * int(frac * 30)
                print(f"\r{text} [{bar:<30}]", end="", file=sys.stderr, flush=True)
                self.last_shown = now
        elif int(frac * 10) > self.last_step:
            self.last_step = int(frac * 10)
            log(text)

    def done(self, done: int) -> None:
        self(done)
        if self.tty:
            print(file=sys.stderr)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


# --------------------------------------------------------------------------- corpus


def _article_texts() -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for path in sorted(ARTICLES_DIR.glob("*.md")):
        if path.name == "SOURCES.md":
            continue
        raw = path.read_text(encoding="utf-8")
        header, _, body = raw[4:].partition("\n---\n")
        meta = dict(line.partition(":")[::2] for line in header.splitlines())
        language = meta.get("language", "en").strip()
        texts.setdefault(language, []).append(meta.get("title", "") + "\n" + body)
    return texts


def _surface_words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", re.sub(r"[*#_`>\[\]()|]", " ", text))
    return [m.group(0) for m in WORD_RE.finditer(text)]


class Vocabulary:
    """One language's words by falling frequency, then a long tail; Zipf-Mandelbrot weights."""

    def __init__(self, language: str, counts: Counter, rng: random.Random, tail_factor: int = 6):
        lowered = Counter()
        for word, n in counts.items():
            lowered[word if language != "en" else word.lower()] += n
        self.real = [w for w, _ in lowered.most_common()]
        seen, tail = set(self.real), []
        # rarer words: compounds of two real words' halves (village, product, scheme names)
        longer = [w for w in self.real if len(w) >= 4 and not w.isdigit()]
        while len(tail) < tail_factor * len(self.real) and longer:
            a, b = rng.choice(longer), rng.choice(longer)
            word = a[: len(a) // 2 + 1] + b[len(b) // 2 :]
            if word not in seen and WORD_RE.fullmatch(word):
                seen.add(word)
                tail.append(word)
        self.words = self.real + tail
        cum, total = [], 0.0
        for rank in range(len(self.words)):
            total += 1.0 / (rank + 2.7) ** 1.07
            cum.append(total)
        self.cum = cum

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


def vocabularies(seed: int) -> dict[str, Vocabulary]:
    rng = random.Random(seed)
    texts = _article_texts()
    vocab = {}
    for language in LANGUAGES:
        if language in SEED_WORDS:
            words = SEED_WORDS[language].split()
            # the listed order is the frequency order; mix in the Latin words Indic articles use
            counts = Counter({w: 1000 - i for i, w in enumerate(words)})
            for w in ("MEC", "SHG", "CDS", "CLF", "PTS", "app", "Kudumbashree"):
                counts[w] = 300
        else:
            counts = Counter(w for t in texts.get(language, []) for w in _surface_words(t))
        vocab[language] = Vocabulary(language, counts, rng)
    return vocab


def corpus(n: int, vocab: dict[str, Vocabulary], seed: int) -> list[dict]:
    rng = random.Random(seed + 1)
    langs, weights = list(LANGUAGES), list(LANGUAGES.values())
    progress, docs = Progress("corpus", n), []
    for i in range(n):
        language = rng.choices(langs, weights)[0]
        v = vocab[language]
        is_article = rng.random() < 0.7
        title_words = v.sample(rng, rng.randint(3, 9))
        if is_article:
            length = min(900, max(30, int(rng.lognormvariate(math.log(170), 0.6))))
        else:
            length = min(400, max(10, int(rng.lognormvariate(math.log(60), 0.6))))
        words = v.sample(rng, length)
        # sentences of 6-18 words, so snippets and highlights look like prose
        body, at = [], 0
        while at < len(words):
            step = rng.randint(6, 18)
            end = "।" if language in ("hi",) else "."
            body.append(" ".join(words[at : at + step]) + end)
            at += step
        doc = {
            "title": " ".join(title_words).capitalize(),
            "body": " ".join(body),
            "language": language,
            "category": rng.choice(CATEGORIES),
        }
        if is_article:
            doc.update(
                id=f"article-{i + 1}",
                kind="article",
                status="published" if rng.random() < 0.9 else "draft",
                tags=v.sample(rng, rng.randint(0, 3)),
            )
        else:
            doc.update(
                id=f"ticket-{i + 1}",
                kind="ticket",
                status="resolved",
                block_id=str(rng.randint(1, 40)),
            )
        docs.append(doc)
        if (i + 1) % 1000 == 0:
            progress(i + 1)
    progress.done(n)
    return docs


# --------------------------------------------------------------------------- engines


def search_call(index: SearchIndex):
    """How the app asks: a search (published articles, 10) or a suggestion (ticket text, 5)."""

    def call(q: Query):
        if q.suggest:
            return index.search(q.text[:1000], kind="article", status="published", limit=5)
        return index.search(q.text[:500], kind="article", status="published", limit=10)

    return call


def time_interleaved(engines: dict, queries: list[Query], rounds: dict[str, int]):
    """One warm-up pass per engine, then timed passes with the engines taking turns query by
    query (the machine's load changes from second to second); an engine with 0 rounds is
    timed in the warm-up pass (the old path has no cache to warm).  Returns ({engine: [ms]},
    {engine: [first results]})."""
    results = {name: [] for name in engines}
    times = {name: [] for name in engines}
    progress = Progress("warm-up", len(queries))
    for i, q in enumerate(queries):
        for name, call in engines.items():
            t0 = time.perf_counter()
            results[name].append(call(q))
            if not rounds.get(name, 1):  # no timed pass: this one's times count
                times[name].append((time.perf_counter() - t0) * 1000)
        progress(i + 1)
    progress.done(len(queries))
    total = sum(rounds.get(name, 1) for name in engines) * len(queries)
    progress, done = Progress("timed", total), 0
    for r in range(max(rounds.values(), default=0)):
        for i, q in enumerate(queries):
            names = [n for n in engines if rounds.get(n, 1) > r]
            if (i + r) % 2:
                names.reverse()
            for name in names:
                t0 = time.perf_counter()
                engines[name](q)
                times[name].append((time.perf_counter() - t0) * 1000)
                done += 1
            if i % 20 == 0:
                progress(done)
    progress.done(done)
    return times, results


def agreement(found: list, reference: list) -> dict:
    """Top-10 overlap with the reference order and the reciprocal rank of its first hit."""
    overlaps, rr, same_first = [], [], 0
    for ours, ref in zip(found, reference):
        a = [i["id"] for i in ours.items[:10]]
        b = [i["id"] for i in ref.items[:10]]
        if not b:
            continue
        overlaps.append(len(set(a) & set(b)) / min(10, len(b)))
        rr.append(1 / (a.index(b[0]) + 1) if b[0] in a else 0.0)
        same_first += bool(a) and a[0] == b[0]
    n = len(overlaps) or 1
    return {
        "overlap": sum(overlaps) / n,
        "mrr": sum(rr) / n,
        "first": same_first / n,
        "n": len(overlaps),
    }


def build_fts5(path: str, docs: list[dict]) -> float:
    started = time.monotonic()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute(
        f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, kind UNINDEXED, "
        f'status UNINDEXED, title, body, tokenize="{FTS5_TOKENIZER}")'
    )
    progress = Progress("fts5 index", len(docs))
    for start in range(0, len(docs), 2000):
        chunk = docs[start : start + 2000]
        con.executemany(
            "INSERT INTO docs VALUES (?, ?, ?, ?, ?)",
            [(d["id"], d["kind"], d["status"], d["title"], d["body"]) for d in chunk],
        )
        progress(start + len(chunk))
    con.commit()
    con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    con.commit()
    con.close()
    progress.done(len(docs))
    return time.monotonic() - started


def fts5_search(path: str):
    con = sqlite3.connect(path)
    sql = (
        "SELECT id, title FROM docs WHERE docs MATCH ? AND kind = 'article' "
        "AND status = 'published' ORDER BY bm25(docs, 0, 0, 0, 2.0, 1.0) LIMIT 10"
    )
    count_sql = (
        "SELECT count(*) FROM docs WHERE docs MATCH ? AND kind = 'article' AND status = 'published'"
    )

    def expression(text: str) -> str:
        words = [m.group(0) for m in WORD_RE.finditer(unicodedata.normalize("NFC", text))]
        words = [w for w in dict.fromkeys(w.lower() for w in words) if analyze(w)][:16]
        return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)

    def call(text: str):
        expr = expression(text)
        if not expr:
            return []
        return [row[0] for row in con.execute(sql, (expr,))]

    def count(text: str) -> int:
        expr = expression(text)
        return con.execute(count_sql, (expr,)).fetchone()[0] if expr else 0

    return call, count, con


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=100_000, help="corpus size (default 100000)")
    p.add_argument("--stress", type=int, default=150, help="generated stress queries")
    p.add_argument("--rounds", type=int, default=3, help="timed passes of the new path")
    p.add_argument(
        "--old-rounds",
        type=int,
        default=0,
        help="timed passes of the old path after its warm-up (0: time the warm-up pass)",
    )
    p.add_argument(
        "--realistic",
        type=int,
        default=0,
        help="use this many realistic queries, spread evenly over the set (0: all)",
    )
    p.add_argument("--http-requests", type=int, default=400, help="timed requests per server")
    p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    p.add_argument("--keep-dir", metavar="DIR", help="work in DIR and keep it afterwards")
    p.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep-dir: reuse the index/FTS5 db built there by an earlier run with "
        "the same --docs/--seed (no build figures then)",
    )
    p.add_argument(
        "--cache-mb",
        type=int,
        default=256,
        help="SEARCH_SCORE_CACHE_MB of the new path, in-process and served (default 256)",
    )
    p.add_argument("--skip-http", action="store_true")
    p.add_argument("--seed", type=int, default=20240917)
    return p.parse_args(argv)


def line(name: str, times: list[float], extra: str = "") -> str:
    if not times:
        return f"  {name:<30} (not run)"
    return (
        f"  {name:<30} p50 {percentile(times, 50):7.2f} ms   p95 {percentile(times, 95):7.2f} ms"
        f"   p99 {percentile(times, 99):7.2f} ms   mean {sum(times) / len(times):7.2f} ms{extra}"
    )


def build(args, work: str, index_path: str, fts_path: str, reuse: bool):
    """(docs or None, build figures or None): the corpus indexed, unless reused."""
    if reuse:
        log(f"[whoosh] reusing the index in {index_path}")
        return None, None
    vocab = vocabularies(args.seed)
    docs = corpus(args.docs, vocab, args.seed)
    for stale in (index_path, fts_path):
        if os.path.islink(stale) or os.path.isfile(stale):
            os.unlink(stale)
    index = SearchIndex(index_path)
    progress = Progress("whoosh rebuild", len(docs))
    figures = index.rebuild(iter(docs), progress=progress)
    progress.done(figures["indexed"])
    index.close()
    log(f"[fts5] tokenizer: {FTS5_TOKENIZER_DESC}")
    figures["fts5_s"] = build_fts5(fts_path, docs)
    return docs, figures


def http_run(args, work: str, index_path: str, queries: list[Query]) -> dict:
    """Both read paths served at once; requests alternate between them."""
    kb_http.prepare_database(work, index_path, LANGUAGES)
    paths = [
        ("/api/v1/kb/suggest?text=" if q.suggest else "/api/v1/kb/search?q=")
        + urllib.parse.quote(q.text[:1000] if q.suggest else q.text)
        for q in queries
    ]
    out = {name: {"times": [], "errors": 0} for name in READ_PATHS}
    env = {
        name: {"SEARCH_READ_PATH": path, "SEARCH_SCORE_CACHE_MB": str(args.cache_mb)}
        for name, path in READ_PATHS.items()
    }
    with (
        kb_http.serve(work, index_path, args.workers, env["old"]) as old_port,
        kb_http.serve(work, index_path, args.workers, env["new"]) as new_port,
    ):
        ports = {"old": old_port, "new": new_port}
        bearer = kb_http.token(new_port)
        # Every worker opens its reader; the new path's score cache fills as in steady use.
        # The old path has nothing to warm but its reader: a few requests do.
        progress = Progress("http warm-up", len(paths))
        for i, path in enumerate(paths):
            kb_http.timed_get(ports["new"], path, bearer)
            if i < 4 * args.workers:
                kb_http.timed_get(ports["old"], path, bearer)
            progress(i + 1)
        progress.done(len(paths))
        progress = Progress("http", 2 * args.http_requests)
        for i in range(args.http_requests):
            path = paths[i % len(paths)]
            names = list(READ_PATHS) if i % 2 else list(reversed(READ_PATHS))
            for name in names:
                ms, status, _payload = kb_http.timed_get(ports[name], path, bearer)
                out[name]["times"].append(ms)
                out[name]["errors"] += status != 200
            progress(2 * (i + 1))
        progress.done(2 * args.http_requests)
    return out


def main(argv=None) -> int:
    args = parse_args(argv)
    work = os.path.abspath(args.keep_dir) if args.keep_dir else tempfile.mkdtemp(prefix="bench-kb-")
    os.makedirs(work, exist_ok=True)
    index_path = os.path.join(work, "index")
    fts_path = os.path.join(work, "fts5.sqlite3")
    manifest_path = os.path.join(work, "manifest.json")
    manifest = {"docs": args.docs, "seed": args.seed, "schema": SCHEMA_VERSION}
    reuse = bool(
        args.reuse
        and args.keep_dir
        and os.path.exists(manifest_path)
        and json.loads(Path(manifest_path).read_text()) == manifest
    )
    load_start = os.getloadavg()
    try:
        docs, figures = build(args, work, index_path, fts_path, reuse)
        Path(manifest_path).write_text(json.dumps(manifest))
        del docs
        index_bytes = sum(e.stat().st_size for e in os.scandir(os.path.realpath(index_path)))
        vocab = vocabularies(args.seed)
        realistic = realistic_queries()
        if 0 < args.realistic < len(realistic):
            step = len(realistic) / args.realistic
            realistic = [realistic[int(i * step)] for i in range(args.realistic)]
        sets = {
            "realistic": realistic,
            "stress": stress_queries(args.stress, vocab, LANGUAGES, args.seed, analyze),
        }
        new = SearchIndex(index_path, read_path="bulk", score_cache_mb=args.cache_mb)
        old = SearchIndex(index_path, read_path="whoosh")
        exhaustive = SearchIndex(index_path, read_path="exhaustive")
        fts_call, fts_count, con = fts5_search(fts_path)
        engines = {
            "new": search_call(new),
            "old": search_call(old),
            "fts5": lambda q: fts_call(q.text[:1000]),
        }
        rounds = {"new": args.rounds, "old": args.old_rounds, "fts5": args.rounds}
        runs = {}
        for set_name, queries in sets.items():
            log(f"[{set_name}] {len(queries)} queries")
            times, results = time_interleaved(engines, queries, rounds)
            reference = [search_call(exhaustive)(q) for q in queries]
            runs[set_name] = {
                "times": times,
                "results": results,
                "new_vs_ref": agreement(results["new"], reference),
                "old_vs_ref": agreement(results["old"], reference),
                "totals": [r.total for r in results["new"]],
                "totals_ok": sum(a.total == b.total for a, b in zip(results["new"], reference)),
            }
        book = new._book
        cached = book.cached_entries if book else 0
        cached_mb = book.cached_bytes / 1e6 if book else 0
        cache_mb = book.max_bytes / 1e6 if book else 0
        con.close()
        for ix in (new, old, exhaustive):
            ix.close()

        http, http_error = None, None
        if not args.skip_http:
            try:
                http = http_run(args, work, index_path, sets["realistic"])
            except SystemExit as exc:  # the app could not be served: keep the other figures
                http_error = str(exc).strip().splitlines()
                log(f"[http] FAILED: {str(exc)[-2000:]}")

        print()
        print(f"KB search benchmark: {args.docs} documents, seed {args.seed}")
        load_end = os.getloadavg()
        print(
            f"machine: {os.cpu_count()} CPUs, load average (1/5/15 min) at start "
            f"{load_start[0]:.1f}/{load_start[1]:.1f}/{load_start[2]:.1f}, at end "
            f"{load_end[0]:.1f}/{load_end[1]:.1f}/{load_end[2]:.1f}; python "
            f"{sys.version.split()[0]}; sqlite {sqlite3.sqlite_version}"
        )
        for set_name, queries in sets.items():
            kinds = Counter(
                q.kind.split("-")[0] if set_name == "stress" else q.kind for q in queries
            )
            totals = runs[set_name]["totals"]
            print(
                f"{set_name} queries: {len(queries)} ("
                + ", ".join(f"{k} {v}" for k, v in kinds.items())
                + f"); matches per query median {percentile(totals, 50):.0f}, "
                f"p95 {percentile(totals, 95):.0f}"
            )
        if figures:
            rate = figures["indexed"] / figures["seconds"] if figures["seconds"] else 0
            print(
                f"Whoosh rebuild: {figures['indexed']} docs in {figures['seconds']:.1f}s = "
                f"{rate:.0f} docs/s; index {index_bytes / 1e6:.0f} MB; FTS5 build "
                f"{figures['fts5_s']:.1f}s"
            )
        else:
            print(f"Whoosh rebuild: (reused index; {index_bytes / 1e6:.0f} MB)")
        print(
            f"score cache of the new path: {cached} entries (~{cached_mb:.0f} MB of "
            f"{cache_mb:.0f} MB allowed); process max RSS "
            f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
        )
        for set_name, run in runs.items():
            times = run["times"]
            print()
            print(
                f"In-process, {set_name} queries (new and FTS5: {args.rounds} passes after a "
                f"warm-up; old: {args.old_rounds or 'its first'} pass; interleaved):"
            )
            print(line("new (bulk BM25F, score cache)", times["new"]))
            print(line("old (Whoosh search loop)", times["old"]))
            print(line("SQLite FTS5 bm25 (reference)", times["fts5"]))
            for name in ("new", "old"):
                a = run[f"{name}_vs_ref"]
                print(
                    f"  {name} vs exhaustive ranking ({a['n']} queries with hits): top-10 "
                    f"overlap {a['overlap'] * 10:.2f}/10, MRR of its first hit {a['mrr']:.3f}, "
                    f"same first hit {a['first'] * 100:.0f}%"
                )
            print(
                f"  new total equals the exhaustive count: {run['totals_ok']}/{len(run['totals'])}"
            )
            new_p95, fts_p95 = percentile(times["new"], 95), percentile(times["fts5"], 95)
            print(
                f"  p95 ratios: new/old {new_p95 / percentile(times['old'], 95):.3f}x, "
                f"new/FTS5 {new_p95 / fts_p95:.2f}x"
            )
        if http:
            print()
            print(
                f"HTTP, realistic queries ({args.workers} sync workers per server, requests "
                f"alternating between the two servers):"
            )
            for name, label in (("new", "new (SEARCH_READ_PATH=bulk)"), ("old", "old (=whoosh)")):
                h = http[name]
                print(
                    line(
                        label, h["times"], f"   ({len(h['times'])} requests, errors {h['errors']})"
                    )
                )
            new_p95 = percentile(http["new"]["times"], 95)
            fts_p95 = percentile(runs["realistic"]["times"]["fts5"], 95)
            print(
                f"  p95 ratios: new/old {new_p95 / percentile(http['old']['times'], 95):.3f}x, "
                f"new over HTTP / FTS5 in-process {new_p95 / fts_p95:.2f}x"
            )
        if http_error:
            print(f"  HTTP: could not run: {http_error[-1] if http_error else ''}")
        checks = []
        if figures:
            checks.append(
                (
                    f"rebuild <= {TARGET_REBUILD_S / 60:g} min",
                    figures["seconds"] <= TARGET_REBUILD_S,
                )
            )
        if http:
            checks.append(
                (
                    f"HTTP p95 <= {TARGET_HTTP_P95_MS:g} ms (realistic, new)",
                    percentile(http["new"]["times"], 95) <= TARGET_HTTP_P95_MS,
                )
            )
        print()
        print("goal: " + "  ".join(f"{label}: {'yes' if ok else 'NO'}" for label, ok in checks))
        if args.keep_dir:
            print(f"kept: {work}")
        return 0
    finally:
        if not args.keep_dir:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
