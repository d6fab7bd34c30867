"""Reading a gettext catalogue and finding half-width punctuation among Chinese characters (tests only).

polib is not a dependency of the project; the .po grammar used here (msgctxt, msgid, msgid_plural, msgstr,
msgstr[n], continued quoted lines, #, flags, #~ obsolete entries) is small enough to read directly.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(f"[{CJK}]")
HALF_WIDTH = ",:;?!()"

# where half-width punctuation is right: placeholders, template tags, HTML, URLs, grouped numbers, times, code
_SAFE = re.compile(
    r"%\([^)]*\)[-+ #0-9.]*[a-zA-Z]"  # %(name)s
    r"|%[-+ #0-9.]*[sdifr%]"  # %s, %d
    r"|\{\{.*?\}\}|\{%.*?%\}"  # {{ var }}, {% tag %}
    r"|<[^>]*>"  # HTML tags and their attributes
    r"|&[a-zA-Z#0-9]+;"  # entities
    r"|https?://\S+|mailto:\S+"
    r"|\d[,:]\d"  # 1,000 and 09:30
    r"|`[^`]*`"  # code
)
_BRACES = re.compile(r"\{[^{}]*\}")  # {}, {name}, and a JSON shape {渠道: {语言: {body}}} from the inside out
_PARENTHESISED = re.compile(r"\(([^()]*)\)")


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str = ""
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def po_entries(path: str | Path) -> list[Entry]:
    """The live entries of a .po file (the header and #~ obsolete ones left out)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    key = None
    values: dict[str, str] = {}

    def close():
        if entry is not None and key is not None:
            entry.msgid = values.get("msgid", "")
            entry.msgid_plural = values.get("msgid_plural", "")
            entry.msgctxt = values.get("msgctxt", "")
            entry.msgstrs = [values[name] for name in sorted(values) if name.startswith("msgstr")]
            if entry.msgid:
                entries.append(entry)

    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags = {flag.strip() for flag in line[2:].split(",")}
            if key is not None:  # a new entry begins with its comments
                close()
                entry, key, values = Entry(line=number), None, {}
            if entry is None:
                entry = Entry(line=number)
            entry.flags |= flags
            continue
        if not line or line.startswith("#"):
            if key is not None and not line.startswith("#"):
                continue
            if key is not None:
                close()
                entry, key, values = None, None, {}
            continue
        if line.startswith('"'):
            values[key] += ast.literal_eval(line)
            continue
        name, _, text = line.partition(" ")
        if name == "msgctxt" or (name == "msgid" and (key is None or key.startswith("msgstr"))):
            if key is not None and key.startswith("msgstr"):
                close()
                entry, values = None, {}
            if entry is None:
                entry = Entry(line=number)
        key = name
        values[key] = ast.literal_eval(text)
    close()
    return entries


def has_cjk(text: str) -> bool:
    return bool(_CJK_CHAR.search(text))


def _mask(text: str) -> str:
    """The text with the places where half-width marks belong blanked out (same length)."""
    masked = _SAFE.sub(lambda match: "\x00" * len(match.group()), text)
    while True:
        inner = _BRACES.sub(lambda match: "\x00" * len(match.group()), masked)
        if inner == masked:
            return masked
        masked = inner


def half_width_problems(text: str) -> list[str]:
    """Each half-width mark that sits against a Chinese character (or wraps Chinese text), with its context."""
    if not has_cjk(text):
        return []
    masked = _mask(text)
    problems = []
    flagged: set[int] = set()
    for match in _PARENTHESISED.finditer(masked):
        inner = match.group(1)
        before = masked[: match.start()].rstrip()[-1:]
        after = masked[match.end():].lstrip()[:1]
        if has_cjk(inner) or has_cjk(before) or has_cjk(after):
            flagged |= {match.start(), match.end() - 1}
    for index, char in enumerate(masked):
        if char not in HALF_WIDTH:
            continue
        before = masked[:index].rstrip()[-1:]
        after = masked[index + 1:].lstrip()[:1]
        if index in flagged or has_cjk(before) or has_cjk(after):
            problems.append(text[max(index - 6, 0): index + 7])
    return problems
