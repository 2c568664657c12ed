"""The compiled line structure against the rules written as regular expressions and Python."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest

from cityanalytics.codepoints import code_points, joined_code_points, strings_between
from cityanalytics.corpus import split
from cityanalytics.corpus.characters import character_classes
from cityanalytics.corpus.clean import CLOSING, SENTENCE_END
from cityanalytics.corpus.corpus import sentence_columns
from cityanalytics.corpus.line_structure import _is_date_only, marker_level
from cityanalytics.corpus.markers import ARTICLE_NUMERAL, CN_NUMERAL
from cityanalytics.corpus.metadata import DATE_ONLY

REGULATIONS = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "lawrefbook_local_regulations.jsonl"
MARKERS = [
    (1, re.compile(rf"第[{CN_NUMERAL}]{{1,3}}章")),
    (2, re.compile(rf"第[{CN_NUMERAL}]{{1,3}}节")),
    (3, re.compile(rf"[{CN_NUMERAL}]{{1,3}}、(?![{CN_NUMERAL}])")),
    (4, re.compile(rf"（[{CN_NUMERAL}]{{1,3}}）")),
    (5, re.compile(r"(?:[\u4e00-\u9fff]{2,4})?\d{1,2}[.．、](?!\d)")),
    (6, re.compile(r"（\d{1,2}）")),
]
"""The heading markers of the module docstring, as expressions."""
ARTICLE = re.compile(rf"第[{ARTICLE_NUMERAL}]{{1,7}}条")


def reference_level(line: str) -> int:
    return next((level for level, pattern in MARKERS if pattern.match(line)), 0)


def is_table_row(line: str) -> bool:
    """Whether a line holds a tab past the white space right after its heading or article marker."""
    lead = next((m.end() for m in (*(pattern.match(line) for _, pattern in MARKERS), ARTICLE.match(line)) if m), 0)
    return "\t" in (line[lead:].lstrip() if lead else line)


def reference_rows(text: str) -> list[tuple]:
    """``split.paragraph_rows`` as the rules read in Python, line by line."""
    lines = [line for line in map(str.strip, text.split("\n")) if line]
    levels = [*map(reference_level, lines), 0]
    table_rows = [*map(is_table_row, lines), False]
    rows, path, heading_path, section, in_article = [], [], (), 0, False
    for i, (line, following) in enumerate(zip(lines, [*lines[1:], None])):
        kind, level, head = "paragraph", 0, line
        article = not levels[i] and bool(ARTICLE.match(line))
        if i == 0:
            kind = "title"
        elif table_rows[i]:
            kind = "table_row"
        elif levels[i]:
            end = re.search(rf"[{SENTENCE_END}：]", line)
            goes_on = bool(end) and bool(line[end.end():].strip())
            head = line[: end.end()] if end else line
            head = head[:40] if goes_on else head
            # the nearest line before, past lines of deeper markers (a list inside an item), is an item of this list
            before = next((j for j in range(i - 1, 0, -1) if not levels[j] > levels[i]), 0)
            follows_item = before > 0 and levels[before] == levels[i] and rows[before][1:3] == ("paragraph", None)
            stands_over = line[-1] not in "；;" and (
                line[-1] not in SENTENCE_END
                or (following is not None and levels[i + 1] != levels[i] and not follows_item))
            follows_as_article = following is not None and not levels[i + 1] and bool(ARTICLE.match(following))
            heads_articles = levels[i] == 3 and not end and follows_as_article  # 二、管理职责 / 第三条 …
            article_item = in_article and levels[i] > 2 and not heads_articles
            if not article_item and (goes_on or stands_over):
                kind, level = ("paragraph" if goes_on else "heading"), levels[i]
        elif (not article and len(line) <= 30 and following is not None and line[-1] not in SENTENCE_END + "：；:，"
              and not DATE_ONLY.fullmatch(line) and not table_rows[i + 1]
              and (levels[i + 1] or (len(following) > len(line) and following[-1] in SENTENCE_END + CLOSING))):
            kind, level = "heading", 3
        if level:
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, head))
            heading_path, section = tuple(h for _, h in path), section + 1
        in_article = article or in_article and not level
        rows.append((i, kind, level or None, section, heading_path, line))
    return rows


PIECES = ["第一章", "第十二节", "第一二三四章", "第一条", "第一百二十三条", "第一二三四五六条", "第一千二百六十条", "第一千二百三十四条", "第一二三四五六七八条", "千", "千方百计", "一、", "十一、", "一、二", "（一）",
          "（十二）", "(一)", "1.", "12.", "123.", "1.5", "1、", "1．", "（1）", "（12）", "行动计划1.", "行动1.", "计划行动计划2.", "二○一一年五月九日", "（2020年3月22日）",
          "(2020年)", "2020年3月", "。", "！", "？", "!", "?", "…", "：", "；", ";", ":", "，", "”", "》", "）", ")", "\t", " ",
          "\u3000", "\r", "\x1c", "\x85", "١٢.", "１２．", "加强领导", "完善机制，推进", "短标题", "𠀀", "\ud800", "第", "章", "〇", "○",
          "（", "）", "（123）", "1", "12", "123", "十", "、", ".",
          "这是一个比较长的段落内容需要更多的字符才能超过前一行的长度而成为正文部分", "a", "百", "零", "年", "月", "日"]
"""Pieces of lines that touch every rule: markers and near-misses, dates, ends, tabs, white space."""


def fuzz_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["\n".join("".join(rng.choices(PIECES, k=rng.randint(0, 6))) for _ in range(rng.randint(0, 12)))
            for _ in range(n)]


def test_markers_are_the_expressions():
    lines = [text.split("\n")[0] for text in fuzz_texts(5000, 1)] + [p + q for p in PIECES for q in PIECES]
    assert [marker_level(line) for line in lines] == [reference_level(line) for line in lines]
    assert split.heading_level("（三）加强") == 4 and split.heading_level("加强") is None


def test_date_lines_are_the_expression():
    rng = random.Random(2)
    alphabet = "（()）二○一年月日九十 \u3000١2a。"
    lines = ["".join(rng.choices(alphabet, k=rng.randint(1, 8))) for _ in range(5000)]
    classes = character_classes()
    assert [bool(_is_date_only(code_points(line), 0, len(line), classes)) for line in lines] == [
        bool(DATE_ONLY.fullmatch(line)) for line in lines]


def test_paragraph_rows_follow_the_rules_on_mixed_lines():
    for text in fuzz_texts(3000, 3):
        assert split.paragraph_rows(text) == reference_rows(text)


def test_the_last_item_of_a_list_is_no_heading():
    text = ("条例\n第八条 下列事项由市人民代表大会制定地方性法规：\n（一）本市特别重大事项；\n"
            "（二）规定立法程序的事项；\n（三）法律规定由市人民代表大会制定地方性法规的事项。\n"
            "第九条 其他事项由常务委员会制定。")
    plan = "方案\n（一）加强组织领导。\n各地要建立工作机制。\n（二）强化督查考核。\n各地要定期通报。"
    assert [(row[1], row[2], row[3]) for row in split.paragraph_rows(text)[2:6]] == [("paragraph", None, 0)] * 4
    assert [(row[1], row[2], row[3], row[4]) for row in split.paragraph_rows(plan)[1:]] == [
        ("heading", 4, 1, ("（一）加强组织领导。",)), ("paragraph", None, 1, ("（一）加强组织领导。",)),
        ("heading", 4, 2, ("（二）强化督查考核。",)), ("paragraph", None, 2, ("（二）强化督查考核。",))]
    doc, section, para, sent, points, bounds = sentence_columns(*joined_code_points([text, plan]))
    assert section.tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2]
    nested = ("条例\n第八条 下列事项：\n（一）本市特别重大事项；\n（二）规定以下两类事项的法规；\n1. 子项一；\n2. 子项二；\n"
              "（三）其他事项。\n第九条 其他事项由常务委员会制定。")  # (三) follows the item (二) past its own list
    assert [row[1] for row in split.paragraph_rows(nested)] == ["title"] + ["paragraph"] * 7
    assert split.paragraph_rows(nested) == reference_rows(nested)


def test_an_article_closes_the_items_of_the_article_before():
    text = ("条例\n第三章 赔偿\n第十九条 可以要求赔偿下列费用：\n（一）医疗费，指必要费用。按实际计算。\n（二）营养费。\n"
            "第二十条 造成残疾的，还可以要求赔偿。\n第二十一条 本条例自公布之日起施行。")
    assert [row[1:5] for row in split.paragraph_rows(text)[1:]] == [
        ("heading", 1, 1, ("第三章 赔偿",))] + [("paragraph", None, 1, ("第三章 赔偿",))] * 5
    broken = "条例\n第三十五条 博物馆应当加强\n文物保护。\n第三十六条 其他单位参照执行。"  # an article broken after 加强
    assert [row[1:4] for row in split.paragraph_rows(broken)[1:]] == [("paragraph", None, 0)] * 3


def test_articles_past_one_thousand_own_their_items():
    code = ("民法典\n第二章 损害赔偿\n第一千一百七十九条 侵害他人造成人身损害的，应当赔偿下列费用：\n（一）医疗费\n"
            "（二）护理费\n第一千一百八十条 因同一侵权行为造成多人死亡的，可以以相同数额确定死亡赔偿金。")
    assert [row[1:3] for row in split.paragraph_rows(code)[1:]] == [("heading", 1)] + [("paragraph", None)] * 4
    assert split.paragraph_rows(code) == reference_rows(code)


def test_headings_between_articles_and_in_plans_stay_headings():
    regulation = ("条例\n第五条 下列行为禁止：\n（一）焚烧垃圾；\n（二）倾倒废水。\n法律责任\n"
                  "第六条 违反第五条规定的，处以罚款。\n第二节 附则\n第七条 本条例自公布之日起施行。")
    assert [row[1:5] for row in split.paragraph_rows(regulation)[1:]] == [
        *[("paragraph", None, 0, ())] * 3, ("heading", 3, 1, ("法律责任",)),
        ("paragraph", None, 1, ("法律责任",)), ("heading", 2, 2, ("第二节 附则",)), ("paragraph", None, 2, ("第二节 附则",))]
    plan = "方案\n一、总体要求\n（一）指导思想。坚持稳中求进。\n（二）基本原则。\n坚持创新，推动发展。\n二、重点任务\n推进改革。"
    assert [row[1:5] for row in split.paragraph_rows(plan)[1:]] == [
        ("heading", 3, 1, ("一、总体要求",)), ("paragraph", 4, 2, ("一、总体要求", "（一）指导思想。")),
        ("heading", 4, 3, ("一、总体要求", "（二）基本原则。")), ("paragraph", None, 3, ("一、总体要求", "（二）基本原则。")),
        ("heading", 3, 4, ("二、重点任务",)), ("paragraph", None, 4, ("二、重点任务",))]


def test_parts_numbered_like_headings_stand_over_articles():
    text = ("某某办法\n一、总则\n第一条 为了规范管理，制定本办法。\n第二条 本办法适用于本市。\n二、管理职责\n"
            "第三条 市政府负责下列事项：\n一、编制规划；\n二、组织实施。\n第四条 区政府负责。\n三、附则\n第五条 本办法自公布之日起施行。")
    rows = split.paragraph_rows(text)
    assert [row[3] for row in rows] == [0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3]  # the items of 第三条 open no part
    assert [row[4] for row in rows if row[1] == "heading"] == [("一、总则",), ("二、管理职责",), ("三、附则",)]
    assert rows == reference_rows(text)


def test_a_tab_after_a_marker_stands_for_a_space():
    text = "条例\n第一章\t总则\n第一条\t为了规范管理，制定本条例。\n序号\t名称\n1.\t项目甲\t100\n第二条 合计\t200"
    assert [row[1:5] for row in split.paragraph_rows(text)[1:]] == [
        ("heading", 1, 1, ("第一章\t总则",)), ("paragraph", None, 1, ("第一章\t总则",))] + [
        ("table_row", None, 1, ("第一章\t总则",))] * 3
    plan = "方案\n一、\t总体要求\n（一）\t加强领导\n做好工作。"
    assert [row[1:4] for row in split.paragraph_rows(plan)[1:]] == [("heading", 3, 1), ("heading", 4, 2), ("paragraph", None, 2)]


@pytest.mark.skipif(not REGULATIONS.exists(), reason="../shared/realdata is not beside this checkout")
def test_paragraph_rows_follow_the_rules_on_real_documents():
    texts = [json.loads(line)["text"] for line in REGULATIONS.read_text("utf-8").splitlines()[::10]]
    for text in texts:
        assert split.paragraph_rows(text) == reference_rows(text)


@pytest.mark.parametrize("seed", [4, 5])
def test_sentence_columns_are_the_paragraphs_split_one_by_one(seed):
    texts = fuzz_texts(300, seed)
    doc, section, para, sent, points, bounds = sentence_columns(*joined_code_points(texts))
    expected = [(d, row[3], row[0], k, s) for d, text in enumerate(texts) for row in split.paragraph_rows(text)
                for k, s in enumerate(split.sentences(row[5]))]
    found = [(d, sec, p, k, text) for d, sec, p, k, text in
             zip(doc.tolist(), section.tolist(), para.tolist(), sent.tolist(), strings_between(points, bounds))]
    assert found == expected
    assert np.all(np.diff(bounds) > 0)
