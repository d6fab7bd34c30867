"""The Chinese catalogue reads as Chinese: full-width punctuation among Chinese characters, every entry
translated and none fuzzy (issue 13, "Chinese done right")."""

from pathlib import Path

import pytest
from django.conf import settings

from .po_audit import half_width_problems, po_entries

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_no_chinese_string_carries_half_width_punctuation():
    found = [f"line {entry.line}: {problem!r}" for entry in po_entries(CATALOGUE) for text in entry.msgstrs
             for problem in half_width_problems(text)]
    assert found == [], "use ，：；？！（） next to Chinese characters:\n" + "\n".join(found)


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = po_entries(CATALOGUE)
    assert len(entries) > 1000
    assert [entry.msgid for entry in entries if not all(entry.msgstrs) or "fuzzy" in entry.flags] == []


@pytest.mark.parametrize(("text", "flagged"), [
    ("名称：%(name)s", False),
    ("名称: %(name)s", True),
    ("资产(AUM)", True),
    ("是吗?", True),
    ("%(name)s, 你好", True),
    ("共 1,000 笔，09:30 开门", False),
    ("见 https://example.com/a?b=1,2 说明", False),
    ('<a href="/x" title="a,b">链接</a>', False),
    ("占位符 {name}、{branch}；{渠道: {语言: {body}}}", False),
    ("Plain English, (no Chinese): fine", False),
])
def test_the_audit_tells_chinese_punctuation_from_code(text, flagged):
    assert bool(half_width_problems(text)) is flagged


def test_the_reader_sees_plural_and_multi_line_entries(tmp_path):
    catalogue = tmp_path / "django.po"
    catalogue.write_text('msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n#: a.py:1\n#, python-format\n'
                         'msgid "%(n)d item"\nmsgid_plural "%(n)d items"\nmsgstr[0] "%(n)d 项"\n\n'
                         '#, fuzzy\nmsgid "A"\n"B"\nmsgstr ""\n"甲"\n"乙"\n\n#~ msgid "old"\n#~ msgstr "旧"\n',
                         encoding="utf-8")
    entries = po_entries(catalogue)
    assert [(e.msgid, e.msgid_plural, e.msgstrs, "fuzzy" in e.flags) for e in entries] == [
        ("%(n)d item", "%(n)d items", ["%(n)d 项"], False), ("AB", "", ["甲乙"], True)]
