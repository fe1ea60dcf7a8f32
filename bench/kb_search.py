"""Knowledge-base search benchmark: Whoosh index build and query latency at 100k documents.

    .venv/bin/python bench/kb_search.py [--docs 100000] [--queries 300] [--http-requests 1000]
                                        [--workers 2] [--keep-dir DIR] [--reuse] [--seed N]

What it does, every run:

1. Builds a synthetic multilingual corpus (English, Hindi, Malayalam, Kannada, Odia from the
   real articles in helpdesk/knowledge/articles/, plus small seed vocabularies for Bengali,
   Assamese, Tamil and Telugu).  Each language's words are ranked by their frequency in the
   articles and sampled Zipf-like, followed by a long tail of rarer compound words, so common
   query words match tens of thousands of documents and rare ones a handful.  70% articles
   (90% of them published), 30% resolved tickets; ids "article-N"/"ticket-N" like the app's.
2. Indexes it with SearchIndex.rebuild() into a fresh directory: docs/s and total seconds.
3. A fixed query set (the real questions of tests/kb_relevance.json plus generated 1-5 word
   queries in every language: common, mid-frequency, rare words and English/Indic typos) is
   run, in the same order, against:
   - SearchIndex.search() in-process (kind=article, status=published, limit 10: what the API
     asks for an agent);
   - raw Whoosh on the same index: searcher.search() of an OR of the analyzed words over
     title/body/tags with the same filter, limit 10: no typo expansion, no coverage
     re-ranking, no highlighting;
   - SQLite FTS5 on the same corpus (see FTS5_TOKENIZER), bm25() ORDER BY, LIMIT 10;
   - the real app over HTTP: gunicorn wsgi:app on 127.0.0.1 with a throwaway SQLite database
     (flask db upgrade, flask users create), SEARCH_INDEX_DIR pointed at the built index and a
     bearer token from POST /api/v1/auth/tokens; GET /api/v1/kb/search?q=..., one request at
     a time, a new connection per request, timed by the client.
   Each engine gets one warm-up pass over the queries, then the measured passes.
4. Prints build rate, p50/p95/p99 per engine, ratios and whether the targets hold.

A benchmark that prints figures, not a test: it exits 0 whether or not the targets hold.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = ROOT / ".venv" / "bin"
ARTICLES_DIR = ROOT / "helpdesk" / "knowledge" / "articles"

from helpdesk.knowledge.analysis import WORD_RE, analyze  # noqa: E402  (after sys.path)
from helpdesk.knowledge.search import (  # noqa: E402
    SCHEMA_VERSION,
    SearchIndex,
    plain_whoosh_search,
)

TARGET_HTTP_P95_MS = 15.0
TARGET_RATIO = 3.0
TARGET_REBUILD_S = 360.0

USER_EMAIL = "bench.kb@example.org"
USER_PASSWORD = "bench-" + secrets.token_hex(8)

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


# --------------------------------------------------------------------------- queries


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


def query_set(count: int, vocab: dict[str, Vocabulary], seed: int) -> list[tuple[str, str, str]]:
    """(language, kind, text): the relevance set's real questions, then generated queries."""
    rng = random.Random(seed + 2)
    cases = json.loads((ROOT / "tests" / "kb_relevance.json").read_text(encoding="utf-8"))
    queries = [(c["language"], "real", c["query"]) for c in cases][: count // 4]
    langs, weights = list(LANGUAGES), list(LANGUAGES.values())
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
        queries.append((language, f"{kind}-{n_words}", " ".join(words)))
    return queries


# --------------------------------------------------------------------------- engines


SEARCH_KW = {"kind": "article", "status": "published", "limit": 10}


def time_calls(label: str, queries: list[str], call, rounds: int) -> tuple[list[float], list]:
    """One warm-up pass, then ``rounds`` timed passes; returns (ms per call, first results)."""
    results = [call(q) for q in queries]
    progress, times = Progress(label, rounds * len(queries)), []
    for _round in range(rounds):
        for q in queries:
            t0 = time.perf_counter()
            call(q)
            times.append((time.perf_counter() - t0) * 1000)
            if (len(times)) % 50 == 0:
                progress(len(times))
    progress.done(len(times))
    return times, results


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


# --------------------------------------------------------------------------- HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_environment(work: str, index_path: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("REDIS_URL", "RQ_QUEUE", "TEST_DATABASE_URL", "TEST_REDIS_URL"):
        env.pop(name, None)
    env.update(
        DATABASE_URL=f"sqlite:///{os.path.join(work, 'helpdesk.sqlite3')}",
        HELPDESK_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(32),
        SESSION_COOKIE_SECURE="0",
        SEARCH_INDEX_DIR=index_path,
        PYTHONUNBUFFERED="1",
    )
    return env


def run(cmd: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def request(
    port: int, method: str, path: str, body: dict | None = None, token: str | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"Connection": "close"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def http_bench(
    work: str, index_path: str, queries: list[str], n_requests: int, workers: int
) -> dict:
    env = app_environment(work, index_path)
    for suffix in ("", "-wal", "-shm"):  # a throwaway database: fresh every run
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(work, "helpdesk.sqlite3" + suffix))
    flask = str(VENV_BIN / "flask")
    log("[http] flask db upgrade, flask users create ...")
    run([flask, "--app", "wsgi", "db", "upgrade"], env, "flask db upgrade")
    run(
        [
            flask,
            "--app",
            "wsgi",
            "users",
            "create",
            "--email",
            USER_EMAIL,
            "--name",
            "Bench Reader",
            "--role",
            "agent",
            "--password",
            USER_PASSWORD,
            "--languages",
            ",".join(LANGUAGES),
        ],
        env,
        "flask users create",
    )
    port = free_port()
    log_fd, log_path = tempfile.mkstemp(prefix="bench-kb-gunicorn-", suffix=".log")
    proc = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "--chdir",
            str(ROOT),
            "-w",
            str(workers),
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_fd,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    os.close(log_fd)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise SystemExit("gunicorn exited:\n" + Path(log_path).read_text()[-3000:])
            try:
                request(port, "GET", "/api/v1/categories")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not answer in 60s") from None
                time.sleep(0.2)
        status, data = request(
            port, "POST", "/api/v1/auth/tokens", {"email": USER_EMAIL, "password": USER_PASSWORD}
        )
        if status != 201:
            raise SystemExit(f"POST /api/v1/auth/tokens: {status} {data[:300]!r}")
        token = json.loads(data)["token"]
        paths = [f"/api/v1/kb/search?q={urllib.parse.quote(q)}" for q in queries]
        statuses, degraded, totals = Counter(), 0, {}
        for path in paths[: min(len(paths), 100)] * 2:  # warm-up: every worker opens its reader
            request(port, "GET", path, token=token)
        progress, times = Progress("http", n_requests), []
        for i in range(n_requests):
            path = paths[i % len(paths)]
            t0 = time.perf_counter()
            status, data = request(port, "GET", path, token=token)
            times.append((time.perf_counter() - t0) * 1000)
            statuses[status] += 1
            if status == 200:
                payload = json.loads(data)
                degraded += bool(payload["degraded"])
                totals[path] = payload["total"]
            if (i + 1) % 50 == 0:
                progress(i + 1)
        progress.done(n_requests)
        return {"times": times, "statuses": statuses, "degraded": degraded, "workers": workers}
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        with open(log_path, errors="replace") as fh:
            errors = [line for line in fh if "Traceback" in line or "ERROR" in line]
        if errors:
            log(f"[http] gunicorn log has {len(errors)} error lines: {log_path}")
        else:
            os.unlink(log_path)


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--docs", type=int, default=100_000, help="corpus size (default 100000)")
    p.add_argument("--queries", type=int, default=300, help="distinct queries (default 300)")
    p.add_argument("--rounds", type=int, default=3, help="timed passes in-process (default 3)")
    p.add_argument("--http-requests", type=int, default=1000, help="timed HTTP requests")
    p.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    p.add_argument(
        "--keep-dir",
        metavar="DIR",
        help="work in DIR (index, FTS5 db, app db) and keep it afterwards",
    )
    p.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep-dir: reuse an index/FTS5 db built there by an earlier run "
        "with the same --docs/--seed (no build figures then)",
    )
    p.add_argument("--skip-http", action="store_true")
    p.add_argument("--skip-fts5", action="store_true")
    p.add_argument("--seed", type=int, default=20240917)
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    work = os.path.abspath(args.keep_dir) if args.keep_dir else tempfile.mkdtemp(prefix="bench-kb-")
    os.makedirs(work, exist_ok=True)
    index_path = os.path.join(work, "index")
    fts_path = os.path.join(work, "fts5.sqlite3")
    manifest_path = os.path.join(work, "manifest.json")
    manifest = {"docs": args.docs, "seed": args.seed, "schema": SCHEMA_VERSION}
    reuse = (
        args.reuse
        and args.keep_dir
        and os.path.exists(manifest_path)
        and json.loads(Path(manifest_path).read_text()) == manifest
    )
    load_start = os.getloadavg()[0]
    try:
        t0 = time.monotonic()
        vocab = vocabularies(args.seed)
        log(
            "[corpus] vocabularies: "
            + ", ".join(
                f"{lang} {len(v.real)}+{len(v.words) - len(v.real)}" for lang, v in vocab.items()
            )
        )
        docs = corpus(args.docs, vocab, args.seed)
        corpus_s = time.monotonic() - t0
        n_words = sum(len(d["body"].split()) + len(d["title"].split()) for d in docs)
        by_lang = Counter(d["language"] for d in docs)
        queries = query_set(args.queries, vocab, args.seed)
        texts = [q for _, _, q in queries]

        build = None
        if reuse:
            log(f"[whoosh] reusing the index in {index_path}")
        else:
            for stale in (index_path, fts_path, manifest_path):
                if os.path.islink(stale) or os.path.isfile(stale):
                    os.unlink(stale)
            index = SearchIndex(index_path)
            progress = Progress("whoosh rebuild", len(docs))
            build = index.rebuild(iter(docs), progress=progress)
            progress.done(build["indexed"])
            index.close()
        index_bytes = sum(e.stat().st_size for e in os.scandir(os.path.realpath(index_path)))

        index = SearchIndex(index_path)
        ours_ms, ours_results = time_calls(
            "in-process", texts, lambda q: index.search(q, **SEARCH_KW), args.rounds
        )
        raw_call, raw_searcher = plain_whoosh_search(index_path)
        raw_ms, raw_results = time_calls("raw whoosh", texts, raw_call, args.rounds)
        raw_searcher.close()

        fts = None
        if not args.skip_fts5:
            fts_build_s = None
            if not reuse:
                log(f"[fts5] tokenizer: {FTS5_TOKENIZER_DESC}")
                fts_build_s = build_fts5(fts_path, docs)
            fts_call, fts_count, con = fts5_search(fts_path)
            fts_ms, fts_results = time_calls("fts5", texts, fts_call, args.rounds)
            fts_totals = [fts_count(q) for q in texts]
            con.close()
            fts = {
                "build_s": fts_build_s,
                "ms": fts_ms,
                "results": fts_results,
                "totals": fts_totals,
                "bytes": os.path.getsize(fts_path),
            }
        Path(manifest_path).write_text(json.dumps(manifest))
        del docs

        http, http_error = None, None
        if not args.skip_http:
            try:
                http = http_bench(work, index_path, texts, args.http_requests, args.workers)
            except SystemExit as exc:  # the app could not be served: keep the other figures
                http_error = str(exc).strip().splitlines()
                log(f"[http] FAILED: {str(exc)[-2000:]}")

        # per-query-kind view of our search (p95 of each group)
        groups: dict[str, list[float]] = {}
        for r in range(args.rounds):
            for (language, kind, _), ms in zip(queries, ours_ms[r * len(queries) :]):
                groups.setdefault(kind.split("-")[0], []).append(ms)
                groups.setdefault(f"lang:{language}", []).append(ms)
        totals = [res.total for res in ours_results]
        overlap = [
            len(set(i["id"] for i in ours.items[:10]) & set(raw[1][:10]))
            for ours, raw in zip(ours_results, raw_results)
        ]

        def line(name, times, extra=""):
            return (
                f"  {name:<24} p50 {percentile(times, 50):7.2f} ms   p95 "
                f"{percentile(times, 95):7.2f} ms   p99 {percentile(times, 99):7.2f} ms   "
                f"mean {sum(times) / len(times):7.2f} ms{extra}"
            )

        print()
        print(f"KB search benchmark: {args.docs} documents, seed {args.seed}")
        print(
            f"corpus: {n_words / 1e6:.1f}M words, built in {corpus_s:.1f}s; languages "
            + ", ".join(f"{k} {v}" for k, v in by_lang.most_common())
        )
        print(
            f"queries: {len(queries)} distinct ("
            + ", ".join(
                f"{k} {v}" for k, v in Counter(kind.split("-")[0] for _, kind, _ in queries).items()
            )
            + "); languages "
            + ", ".join(
                f"{k} {v}" for k, v in Counter(lang for lang, _, _ in queries).most_common()
            )
        )
        print(
            f"matches per query (ours, kind=article status=published): median "
            f"{percentile(totals, 50):.0f}, p95 {percentile(totals, 95):.0f}, max {max(totals)}, "
            f"zero for {sum(1 for t in totals if not t)}"
        )
        print(
            f"machine: {os.cpu_count()} CPUs, load average at start {load_start:.1f}, at end "
            f"{os.getloadavg()[0]:.1f} (other processes skew absolute figures); python {sys.version.split()[0]}; sqlite "
            f"{sqlite3.sqlite_version}"
        )
        print()
        if build:
            rate = build["indexed"] / build["seconds"] if build["seconds"] else float("nan")
            print(
                f"Whoosh rebuild: {build['indexed']} docs in {build['seconds']:.1f}s = "
                f"{rate:.0f} docs/s; index {index_bytes / 1e6:.0f} MB"
            )
        else:
            print(f"Whoosh rebuild: (reused index; {index_bytes / 1e6:.0f} MB)")
        if fts and fts["build_s"] is not None:
            print(
                f"FTS5 build:     {args.docs} docs in {fts['build_s']:.1f}s = "
                f"{args.docs / fts['build_s']:.0f} docs/s; db {fts['bytes'] / 1e6:.0f} MB"
            )
        print()
        print(
            f"Query latency ({len(queries)} queries; in-process engines {args.rounds} timed "
            f"passes after a warm-up, limit 10):"
        )
        print(line("SearchIndex.search", ours_ms))
        print(line("raw Whoosh OR query", raw_ms))
        if fts:
            print(line("SQLite FTS5 bm25", fts["ms"]))
        if http:
            errs = sum(n for s, n in http["statuses"].items() if s != 200)
            print(
                line(
                    f"HTTP ({http['workers']} sync workers)",
                    http["times"],
                    f"   ({len(http['times'])} requests, errors {errs}, "
                    f"degraded {http['degraded']})",
                )
            )
        if http_error:
            print(f"  HTTP: could not run: {http_error[-1] if http_error else ''}")
        print(
            "  SearchIndex.search p95 by query kind: "
            + ", ".join(
                f"{k} {percentile(v, 95):.1f}"
                for k, v in groups.items()
                if not k.startswith("lang:")
            )
        )
        print(
            "  SearchIndex.search p95 by language:   "
            + ", ".join(
                f"{k[5:]} {percentile(v, 95):.1f}"
                for k, v in groups.items()
                if k.startswith("lang:")
            )
        )
        print(f"  top-10 overlap ours vs raw Whoosh: mean {sum(overlap) / len(overlap):.1f}/10")
        if fts:
            print(
                f"  FTS5 matches per query: median {percentile(fts['totals'], 50):.0f}, "
                f"p95 {percentile(fts['totals'], 95):.0f}; tokenizer: {FTS5_TOKENIZER_DESC}"
            )
        print()
        raw_p95 = percentile(raw_ms, 95)
        ours_p95 = percentile(ours_ms, 95)
        print(
            f"ratios (p95): SearchIndex/raw Whoosh {ours_p95 / raw_p95:.2f}x"
            + (f", HTTP/raw Whoosh {percentile(http['times'], 95) / raw_p95:.2f}x" if http else "")
            + (f", SearchIndex/FTS5 {ours_p95 / percentile(fts['ms'], 95):.1f}x" if fts else "")
        )
        checks = []
        if build:
            checks.append(
                (f"rebuild <= {TARGET_REBUILD_S / 60:g} min", build["seconds"] <= TARGET_REBUILD_S)
            )
        if http:
            http_p95 = percentile(http["times"], 95)
            checks.append(
                (f"HTTP p95 <= {TARGET_HTTP_P95_MS:g} ms", http_p95 <= TARGET_HTTP_P95_MS)
            )
            checks.append(
                (
                    f"HTTP p95 <= {TARGET_RATIO:g}x raw Whoosh p95",
                    http_p95 <= TARGET_RATIO * raw_p95,
                )
            )
        checks.append(
            (
                f"in-process p95 <= {TARGET_RATIO:g}x raw Whoosh p95",
                ours_p95 <= TARGET_RATIO * raw_p95,
            )
        )
        print("targets: " + "  ".join(f"{label}: {'yes' if ok else 'NO'}" for label, ok in checks))
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
