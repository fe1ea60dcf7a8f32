"""The words a person wrote in a mail: HTML made plain, quoted history and signatures cut.

The rule is small and tested rather than a library's: the reply parsers on PyPI know
English and European clients but not Hindi Gmail's "को ... ने लिखा:". What is cut:

- from an attribution line on: "On <date>, <name> wrote:" (also wrapped over two or three
  lines) and Hindi Gmail's "<date> को <name> ने लिखा:";
- from Outlook's "-----Original Message-----", or a line of underscores, or a "From:"
  line followed within three lines by "Sent:"/"Date:", on;
- from the signature delimiter "-- " and "Sent from my ..." on;
- every line starting with ">" (quoted text, also between inline answers).

Forwarded messages ("---------- Forwarded message ---------") are kept: what was forwarded
is the question. If nothing is left, the whole text is kept (nothing lost).
"""

import re
from html.parser import HTMLParser

_ATTRIBUTION = [
    re.compile(r"^On\s.+\swrote:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^.+को\s.+ने\s+लिखा\s*:?\s*$", re.DOTALL),
]
_ORIGINAL = re.compile(r"^-{3,}\s*(Original Message|मूल संदेश)\s*-{3,}$", re.IGNORECASE)
_UNDERSCORES = re.compile(r"^_{20,}$")
_OUTLOOK_HEADER = re.compile(r"^(Sent|Date|भेजा गया)\s*:", re.IGNORECASE)
_MOBILE = re.compile(r"^(Sent from my |Get Outlook for )", re.IGNORECASE)


def _attribution_at(lines: list[str], index: int) -> bool:
    """An attribution starts at ``index``, on one line or wrapped over up to three (never
    across a blank line). It opens with "On" or a date, so its first line has "On " or a
    digit: a name above it ("सुनीता") is not swallowed into it."""
    first = lines[index].strip()
    if not (first.lower().startswith("on ") or any(ch.isdigit() for ch in first)):
        return False
    joined = ""
    for line in lines[index : index + 3]:
        if not line.strip():
            return False
        joined = f"{joined} {line.strip()}".strip()
        if any(pattern.match(joined) for pattern in _ATTRIBUTION):
            return True
    return False


def _history_starts(lines: list[str], index: int) -> bool:
    stripped = lines[index].strip()
    if not stripped:
        return False
    if lines[index].rstrip("\r") in ("-- ", "--"):
        return True
    if _ORIGINAL.match(stripped) or _UNDERSCORES.match(stripped) or _MOBILE.match(stripped):
        return True
    if stripped.lower().startswith(("from:", "प्रेषक:")) and any(
        _OUTLOOK_HEADER.match(line.strip()) for line in lines[index + 1 : index + 4]
    ):
        return True
    # An attribution always ends in "wrote:" / "लिखा:" within three lines.
    return _attribution_at(lines, index)


def strip_quoted(text: str) -> str:
    """The new words of a reply (see the module's rule); the whole text if none are left."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _history_starts(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    reply = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return reply or text.strip()


_BLOCKS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "table",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "hr",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
}
_SKIPPED = {"script", "style", "head", "title", "template"}
#: blocks that end a line without a blank line after it
_LINES = {"br", "li", "tr"}


class _PlainText(HTMLParser):
    """HTML → lines of text; text inside <blockquote> gets "> " per level, so the quote
    rule cuts it like a plain-text client's quote."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.skipping = 0
        self.pre = 0

    def _break(self, *, paragraph: bool = False) -> None:
        """End the current line; ``paragraph``: also leave one blank line after it."""
        line = "".join(self.current)
        if not self.pre:
            line = " ".join(line.split())
        prefix = "> " * self.quote_depth
        if line or (self.pre and self.current):
            self.lines.append((prefix + line).rstrip())
        if paragraph and self.lines and self.lines[-1].strip("> "):
            self.lines.append(prefix.rstrip())
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self._break(paragraph=tag not in _LINES and tag != "br")
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre += 1
            elif tag == "li":
                self.current.append("- ")
        elif tag == "td" and self.current:
            self.current.append(" ")

    def handle_endtag(self, tag):
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "blockquote":
            self._break()
            self.quote_depth = max(0, self.quote_depth - 1)
            self._break(paragraph=True)
        elif tag in _BLOCKS:
            self._break(paragraph=tag not in _LINES)
            if tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_data(self, data):
        if not self.skipping:
            self.current.append(data if self.pre else data.replace("\n", " "))

    def text(self) -> str:
        self._break()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip()


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail: paragraphs and line breaks kept, scripts and
    styles dropped, entities decoded, quoted blocks marked with ">"."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return parser.text()
