"""Each cleaning step on small inputs, including the cases it must leave alone."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from cityanalytics.codepoints import code_points, from_code_points
from cityanalytics.corpus import clean
from cityanalytics.corpus.split import (
    heading_level,
    paragraph_rows,
    paragraphs,
    sentences,
    split_compilation,
)


def test_width_and_punctuation_are_unified():
    assert clean.normalize_width("（一）加强领导,完善机制:") == "（一）加强领导，完善机制："
    assert clean.normalize_width("(一)推进") == "（一）推进"
    assert clean.normalize_width("(1)建设") == "（1）建设"
    assert clean.normalize_width("２０１６年ＡＢＣ") == "2016年ABC"
    assert clean.normalize_width("增长1,000.5万元, 同比") == "增长1,000.5万元，同比"
    assert clean.normalize_width("会议, 高举旗帜") == "会议，高举旗帜"
    assert clean.normalize_width("version (2.0) of x") == "version (2.0) of x"
    assert clean.normalize_width("“通知”,《规划》:?x,y") == "“通知”，《规划》：?x,y"  # closing marks count as Chinese
    assert clean.normalize_width(",开头与结尾!") == "，开头与结尾！"
    assert clean.normalize_width("空\u3000格\u200b与\ufeff零宽。 句后，  空格") == "空 格与零宽。句后，空格"


def test_the_compiled_width_pass_is_the_width_table():
    """The compiled pass does what ``str.translate`` with the width table does, on every character the table names
    mixed with others, characters beyond the table, beyond the Basic Multilingual Plane and lone surrogates."""
    rng = random.Random(0)
    alphabet = [chr(code) for code in clean._WIDTH_TABLE] + list("a1。（\uff5b\uff0f𠀀\ud800\U0010ffff")
    for _ in range(2_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        narrow, changed = clean._narrowed(code_points(text), clean._WIDTH_ARRAY)
        assert from_code_points(narrow) == text.translate(clean._WIDTH_TABLE), repr(text)
        assert changed == (text.translate(clean._WIDTH_TABLE) != text)


def test_traditional_to_simplified_says_whether_it_changed():
    assert clean.to_simplified("推進國際化城市建設") == ("推进国际化城市建设", True)
    assert clean.to_simplified("推进国际化城市建设") == ("推进国际化城市建设", False)


def test_traditional_only_characters_are_judged_one_by_one():
    """The table of Traditional-only characters agrees with converting each character on its own."""
    classes = clean._character_classes()
    for ch in "國際進坏乾噁薹" + "".join(chr(code) for code in range(0x4E00, 0x9FFF, 97)):
        simplified = clean._t2s().convert(ch)
        traditional_only = simplified != ch and ch in clean._s2t().convert(simplified)
        assert classes[ord(ch)] == (clean._TRADITIONAL_ONLY if traditional_only else clean._CHINESE), ch
    assert classes[ord("a")] == classes[0xA000] == clean._OTHER  # U+A000 lies between the two ranges
    assert clean.traditional_share("國際abc发展") == (2, 0.5)
    assert clean.traditional_share("abc") == (0, 0.0)
    assert clean.traditional_share("國\u3400\u4dc0\u9fff\uf900\ufaff\ua000\ufb00𠀀\ud800") == (1, 1 / 6)  # six in the ranges


def test_simplified_text_is_never_rewritten():
    """OpenCC maps 坏 → 坯, 噁 → 𫫇, 乾 → 干, 薹 → 苔 even in Simplified text; such text is left alone."""
    text = "不得破坏土地。控制二噁英排放。乾隆年间的菜薹种植。"
    assert clean.to_simplified(text) == (text, False)


@pytest.mark.parametrize(
    "line",
    ["上传人:b****5 文档编号:6441351 上传时间:2023-01-06", "海宁市实施接沪融杭战略.docx_第1页", "第1页 / 共17页",
     "展开阅读全文", "copyright@ 2008-2022 冰豆网网站版权所有", "扫码关注“杭州杂志”", "2019-08-21 15:11:44   浏览次数:2601",
     "首页 > 编辑推荐 > 城市视点 > 正文", "当前文档最多预览五页,下载文档查看全文", "来源：福建日报",
     "来源：天津人大—天津日报\xa0\xa0", "信息来源:深圳市人民政府办公厅"],
)
def test_site_furniture_lines_are_recognised(line):
    assert clean.is_furniture(line)


@pytest.mark.parametrize(
    "line",
    ["加强与新闻媒体的联系与合作。", "2011年杭州都市经济圈合作项目计划安排表", "下载文档是常见做法。", "1、加强领导，完善机制。",
     "资金来源：市级财政", "来源：各区县上报数据，经汇总后形成。"],
)
def test_document_text_is_not_furniture(line):
    assert not clean.is_furniture(line)


def test_page_numbers_go_wherever_they_are():
    assert clean.remove_page_numbers("公共服务共享实现新突破。—15—与上海在教育") == "公共服务共享实现新突破。与上海在教育"
    assert clean.remove_page_numbers("办公室2016年5月16日—15—2016年嘉兴市") == "办公室2016年5月16日2016年嘉兴市"
    for kept in ["2016-05-16", "标准DBJ14-022-2003", "电话0571-87-654321"]:
        assert clean.remove_page_numbers(kept) == kept
    assert clean.remove_page_numbers("第3页\n正文") == "正文"
    assert clean.remove_page_numbers("2\n规划") == "2\n规划"  # a table's serial number stays
    assert clean.remove_page_numbers("—3—开头") == "开头"
    assert clean.remove_page_numbers("a--5--b") == "a-b"  # a dash glued to a word is not a page number's


def test_preview_chunks_are_rejoined_mid_word():
    text = f"1、{'乙' * 150}国民经济和社\n\n2、会发展第十三个五年规划纲要{'丙' * 150}张\n\n3、江科技城。"
    assert clean.join_numbered_chunks(text) == f"{'乙' * 150}国民经济和社会发展第十三个五年规划纲要{'丙' * 150}张江科技城。"


def test_genuine_numbered_points_are_not_joined():
    points = "\n".join(f"{n}、{'加强合作' * 40}。" for n in range(1, 4))
    assert clean.join_numbered_chunks(points) == points
    items = "\n".join(f"{n}、{'加强合作' * 40}{'；' if n < 3 else '。'}" for n in range(1, 4))
    assert clean.join_numbered_chunks(items) == items
    short = "1、加强领导，完善机制。\n2、建立平台，合作推进。"
    assert clean.join_numbered_chunks(short) == short


def test_lines_broken_mid_sentence_are_joined():
    cut = "甲" * 60 + "深港两地携手成为世界的经济中心"
    assert clean.join_broken_lines(f"{cut}\n和亚太地区的创新之城。") == f"{cut}和亚太地区的创新之城。"
    assert clean.join_broken_lines("致力于推进城市群同城化，\n\n探索建立新的区域合作平台") == "致力于推进城市群同城化，探索建立新的区域合作平台"
    assert clean.join_broken_lines("关于印发《2011年工作\n要点》的通知") == "关于印发《2011年工作要点》的通知"
    assert clean.join_broken_lines("一是加大力度，努力实现人与自然的和\n谐统一。") == "一是加大力度，努力实现人与自然的和谐统一。"


def test_units_that_start_a_line_are_never_joined_to_the_line_before():
    long_open = "甲" * 70 + "经济中心之"
    for unit in ["一、跨国公司总部集聚地。", "第一章 总则", "第三条 本条例所称城市", "杭委发〔2019〕12号", "（二）推进合作"]:
        assert clean.join_broken_lines(f"{long_open}\n{unit}") == f"{long_open}\n{unit}"
    title = "中共杭州市委杭州市人民政府关于贯彻实施长三角一体化发展国家战略全面提升城市综合能级和核心竞争力加快建设国际大都市的实施意见"
    text = f"{title}\n杭委发〔2019〕12号\n一、总体要求\n加快建设。"
    assert clean.join_broken_lines(text) == text


def test_headings_and_table_rows_are_not_joined():
    assert clean.join_broken_lines("一、指导思想\n全面贯彻落实。") == "一、指导思想\n全面贯彻落实。"
    assert clean.join_broken_lines("海宁：叫响“不是杭州，就在杭州”新品牌\n杭州东大门外的海宁。") == (
        "海宁：叫响“不是杭州，就在杭州”新品牌\n杭州东大门外的海宁。"
    )
    assert clean.join_broken_lines("致力于打造创新共同体，\n3.推动优势产业互补。") == "致力于打造创新共同体，\n3.推动优势产业互补。"
    assert clean.join_broken_lines("宽40米，长1550米\n1\t规划") == "宽40米，长1550米\n1\t规划"


def test_glued_headings_start_a_new_line():
    assert clean.break_before_inline_headings("推进任务落实。（二）落实目标责任。") == "推进任务落实。\n（二）落实目标责任。"
    assert clean.break_before_inline_headings("舆论氛围。第四篇：推进") == "舆论氛围。\n第四篇：推进"
    assert clean.break_before_inline_headings("增长7.8%。1.5亿元") == "增长7.8%。1.5亿元"
    assert clean.break_before_inline_headings("由市划定。一、二级火险区设立标志。") == "由市划定。一、二级火险区设立标志。"
    assert clean.break_before_inline_headings("完成。 \t（三）下一步；  第二章") == "完成。\n（三）下一步；\n第二章"


def test_vertical_titles_are_joined():
    assert clean.join_vertical_text("攻坚行动\n实\n施\n方\n案\n（2020年3月22日）") == "攻坚行动实施方案\n（2020年3月22日）"


def test_recipe_repairs_fail_loudly_when_they_no_longer_fit():
    with pytest.raises(ValueError, match="matches 0 lines"):
        clean.apply_line_joins("甲\n乙", ["丙"], "x.txt")
    with pytest.raises(ValueError, match="already ends a sentence"):
        clean.apply_line_joins("甲。\n乙", ["甲"], "x.txt")
    with pytest.raises(ValueError, match="occurs 2 times"):
        clean.insert_paragraph_breaks("甲乙甲乙", ["甲"], "x.txt")


def test_compilations_split_at_their_part_markers():
    parts = split_compilation("第一篇：甲方案\n甲方案\n正文。\n第二篇：乙报告\n乙报告\n正文。")
    assert [title for title, _ in parts] == ["甲方案", "乙报告"]
    assert parts[1][1] == "乙报告\n正文。"


@pytest.mark.parametrize(
    "line, level",
    [("第一章 总则", 1), ("第二节 目标", 2), ("一、指导思想", 3), ("（一）完善机制", 4), ("1.总体要求。", 5),
     ("12、强化考核", 5), ("行动计划3.建设旅游胜地", 5), ("（1）建设品牌之城", 6), ("2012年我市", None), ("一是加大", None)],
)
def test_heading_levels(line, level):
    assert heading_level(line) == level


def test_paragraphs_carry_their_heading_path():
    text = "方案\n一、指导思想\n全面贯彻。\n（一）完善机制\n1.加强领导。要强化责任。\n二、保障\n加大宣传。"
    rows = paragraphs(text)
    assert [r.kind for r in rows] == ["title", "heading", "paragraph", "heading", "paragraph", "heading", "paragraph"]
    assert rows[4].heading_path == ("一、指导思想", "（一）完善机制", "1.加强领导。")
    assert rows[6].heading_path == ("二、保障",)
    assert rows[6].section == 4


def test_list_items_are_paragraphs_and_points_with_text_under_them_are_headings():
    text = "条例\n第五条 有下列情形之一的，可以减免：\n（一）经市人民政府审核同意的。\n（二）属于公益项目的；\n（三）其他情形。"
    kinds = [r.kind for r in paragraphs(text)]
    assert kinds == ["title", "paragraph", "paragraph", "paragraph", "paragraph"]
    points = paragraphs("要点\n1、加强领导，完善机制。\n各部门要强化责任。\n2、建立平台。\n合作推进。")
    assert [r.kind for r in points] == ["title", "heading", "paragraph", "heading", "paragraph"]
    assert heading_level("一、二级森林火险区由区人民政府设立标志。") is None


def test_sentences_keep_closing_quotes():
    assert sentences("他说：“加快发展。”然后推进！最后") == ["他说：“加快发展。”", "然后推进！", "最后"]
    assert sentences("序号\t类别\t要求。") == ["序号", "类别", "要求。"]


@pytest.mark.parametrize(
    "raw, expected",
    [("甲\r\n乙\r丙", "甲\n乙\n丙"), ("  甲 \n\u3000乙\u3000\n丙\t", "甲\n乙\n丙"), ("甲\n\n\n乙", "甲\n\n乙"), ("甲\n\n\n \n乙", "甲\n\n乙"),
     ("\n\n甲\n乙\n\n", "甲\n乙"), (" \n甲", "甲"), ("甲\n\n乙", "甲\n\n乙"), ("e\u0301\n乙", "\u00e9\n乙"), ("", "")],
)
def test_whitespace_is_normalized(raw, expected):
    assert clean.normalize_whitespace(raw) == expected


@pytest.mark.parametrize(
    "line",
    ["上传人:b****5 文档编号:6441351 上传时间:2023-01-06", "海宁市实施接沪融杭战略.docx_第1页", "第1页 / 共17页",
     "展开阅读全文", "copyright@ 2008-2022 冰豆网网站版权所有", "扫码关注“杭州杂志”", "2019-08-21 15:11:44   浏览次数:2601",
     "首页 > 编辑推荐 > 城市视点 > 正文", "当前文档最多预览五页,下载文档查看全文", "方案.docx", "下载资源", "来源：福建日报"],
)
@pytest.mark.parametrize("edges", [("", ""), ("", "  "), ("\u3000", ""), (" ", "\t")])
def test_furniture_lines_are_dropped_from_texts_wherever_they_stand(line, edges):
    """Searching the whole text at once must find a furniture line first, last, or padded with whitespace."""
    padded = edges[0] + line + edges[1]
    assert clean.drop_furniture_lines(f"第一条 正文。\n{padded}\n第二条 正文。") == "第一条 正文。\n第二条 正文。"
    assert clean.drop_furniture_lines(f"{padded}\n第一条 正文。") == "第一条 正文。"
    assert clean.drop_furniture_lines(f"第一条 正文。\n\n{padded}") == "第一条 正文。\n"


def test_text_without_furniture_is_returned_as_it_is():
    text = "第一条 为了加强管理，制定本条例。\n\n第二条 本条例适用于本市。"
    assert clean.drop_furniture_lines(text) == text
    assert clean.drop_furniture_lines("甲（本站编辑 张三）乙") == "甲乙"
    assert clean.drop_furniture_lines("丙(来源:新华社)") == "丙"


def test_shipped_furniture_patterns_can_be_searched_in_whole_texts():
    """No shipped pattern looks beyond its line, so a text is searched at once instead of line by line."""
    assert clean._furniture_in_text() is not None
    for pattern in ["a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(?>a)b", "a*+", "a++", "a?+", "a{2}+", r"\Aa", r"a\Z"]:
        assert clean._NOT_LINE_LOCAL.search(pattern), pattern


def test_page_numbers_with_any_dash_go():
    for dash in "—－─-":
        assert clean.remove_page_numbers(f"突破。{dash}15{dash}与上海") == "突破。与上海"


def test_preview_chunks_are_rejoined_after_other_lines():
    text = f"前言。\n1、{'乙' * 150}国民经济和社\n2、会发展{'丙' * 150}张\n3、江科技城。"
    assert clean.join_numbered_chunks(text) == f"前言。\n{'乙' * 150}国民经济和社会发展{'丙' * 150}张江科技城。"


def test_vertical_titles_with_spaces_are_joined():
    assert clean.join_vertical_text("攻坚行动\n 实 \n\u3000施\n方案") == "攻坚行动实施\n方案"
    assert clean.join_vertical_text("实\n施\n方案") == "实施\n方案"
    assert clean.join_vertical_text("完成。\n实") == "完成。\n实"


def test_headings_glued_after_any_stop_start_a_new_line():
    assert clean.break_before_inline_headings("甲！（一）乙？二、丙；1.丁") == "甲！\n（一）乙？\n二、丙；\n1.丁"


def test_spaces_go_only_after_chinese_punctuation():
    assert clean.normalize_width("甲 ，  乙、 丙。\u3000丁") == "甲 ，乙、丙。丁"


def test_lines_inside_open_quotes_are_joined_even_after_a_full_stop():
    assert clean.join_broken_lines("他说：“加快发展。\n\n然后推进。”\n下一段。") == "他说：“加快发展。然后推进。”\n下一段。"
    assert clean.join_broken_lines("依照《上海市\n条例》执行。\n完。") == "依照《上海市条例》执行。\n完。"
    assert clean.join_broken_lines("致力于推进，\n序号\t类别\n完成。") == "致力于推进，\n序号\t类别\n完成。"


def test_a_number_cut_by_a_break_joins_again():
    assert clean.join_broken_lines("今年投入资金，共计10\n万元。") == "今年投入资金，共计10万元。"
    assert clean.join_broken_lines("今年投入资金，共计\n10万元。") == "今年投入资金，共计10万元。"
    assert clean.join_broken_lines("惠及城乡居民，共计1\n100多万人。") == "惠及城乡居民，共计1100多万人。"  # a wrapped page


def test_a_stray_mark_glues_no_paragraphs():
    """A ``“`` or ``《`` that a typo left open (the 2006 State Council report has “纲要（草案）》) joins no line: the
    mark holds a line open only when the next line closes it soon."""
    text = "一是建设新农村。“纲要》把三农问题放在首位。\n二是推进结构调整。“三农”问题不少。\n各位代表！目标一定要达到。"
    assert clean.join_broken_lines(text) == text
    assert clean.clean_text(text).split("\n") == text.split("\n")
    far = "依照《上海市条例执行。\n" + "甲" * 120 + "》。"  # closed, but too far on to be the same title
    assert clean.join_broken_lines(far) == far
    long_ago = "依照《" + "乙" * 150 + "。\n" + "甲" * 40 + "》。"  # the mark is 150 characters back already
    assert clean.join_broken_lines(long_ago) == long_ago
    assert clean.join_broken_lines("他说：“加快发展。\n“然后推进。”") == "他说：“加快发展。\n“然后推进。”"  # quoted paragraphs


def test_a_title_or_quotation_cut_by_a_break_is_still_joined():
    assert clean.join_broken_lines("根据《\n中华人民共和国著作权法\n》第五条，本作品属于公有领域。") == (
        "根据《中华人民共和国著作权法》第五条，本作品属于公有领域。")
    assert clean.join_broken_lines("他指出：“发展是第一要务。\n\n人才是第一资源。”\n下一段。") == (
        "他指出：“发展是第一要务。人才是第一资源。”\n下一段。")
    record = "2015年7月24日 会议《关于修改〈浙江省县\n\n乡两级人民代表大会代表选举实施细则〉的决定》修正"
    assert clean.join_broken_lines(f"{record}\n\n总则") == record.replace("\n\n", "", 1) + "\n\n总则"


def test_a_complete_line_does_not_swallow_a_paragraph_across_a_blank_line():
    """A long line that lacks a full stop goes on across a break but not across a blank line: in the regulations,
    amendment records are such lines, and each stands on its own, as does the chapter heading after them."""
    first = "2011年11月17日 上海市第十三届人民代表大会常务委员会第三十次会议《关于修改〈上海市中小学校学生伤害事故处理条例〉的决定》第一次修正"
    second = "2021年3月26日 浙江省第十三届人民代表大会常务委员会第二十八次会议《关于修改〈浙江省防震减灾条例〉等五件地方性法规的决定》第二次修正"
    text = f"{first}\n\n{second}\n\n总则\n\n第一条 为了保护归侨侨眷权益，制定本办法。"
    assert clean.join_broken_lines(text) == text


def test_a_line_that_starts_with_punctuation_joins_the_line_before():
    assert clean.join_broken_lines("会同市发展改革、规划资源、建设\n、交通、商务等部门编制规划。") == (
        "会同市发展改革、规划资源、建设、交通、商务等部门编制规划。")
    assert clean.join_broken_lines("本作品是中华人民共和国的法律\n。\n下一段。") == "本作品是中华人民共和国的法律。\n下一段。"


_REPORT = [
    "上海市人民政府关于印发上海市加快推进数字经济高质量发展实施方案的通知",
    "各位代表：",
    "现在，我代表市人民政府，向大会报告工作，请予审议，并请市政协委员和其他列席人员提出意见。",
    "一、2024年工作回顾",
    "过去一年，全市生产总值增长5%，城市经济规模进入了5万亿元以上的新阶段。地方一般公共预算收入达到8374亿元、增长0.7%，"
    "居民消费价格与上年基本持平。我们加快建设“五个中心”，深入实施《上海市优化营商环境条例》，按照经济社会发展需要推进各项"
    "改革，全年新增就业岗位60万个。",
    "（一）加快建设国际科技创新中心",
    "推动集成电路、生物医药、人工智能三大先导产业规模达到1.8万亿元，新认定高新技术企业一批（含外资研发中心），关键核心技术"
    "攻关取得重要进展。",
    "序号\t指标\t目标",
    "第五条 市口岸服务部门应当会同市发展改革、规划资源、建设、交通、商务、财政等部门根据上海对外开放和经济社会发展需要组织编制"
    "上海口岸开放规划。",
]
"""Paragraphs of a report and a regulation: a two-line title, headings, an article, a table row, digits."""


def _wrapped(paragraphs: list[str], width: int) -> str:
    """The paragraphs cut every ``width`` characters, as a print-width text keeps them."""
    return "\n".join(paragraph[k : k + width] for paragraph in paragraphs for k in range(0, len(paragraph), width))


def _laid_out(paragraphs: list[str], cells: int) -> str:
    """The paragraphs as a page lays them out, ``cells`` full-width cells a line, an ASCII character half of one."""
    lines = []
    for paragraph in paragraphs:
        line, used = "", 0.0
        for char in paragraph:
            size = 0.5 if char.isascii() else 1.0
            if used + size > cells:
                lines.append(line)
                line, used = "", 0.0
            line, used = line + char, used + size
        lines.append(line)
    return "\n".join(lines)


def test_a_hard_wrapped_text_is_rejoined_exactly():
    """Official documents run 28 characters a line (GB/T 9704); a PDF text layer or a print-width text keeps those
    breaks, which cut words (``发展需`` / ``要``) and titles. Lines about as long as the text's wrap width go on."""
    text = "\n".join(_REPORT)
    wrapped = _wrapped(_REPORT, 28)
    assert "社会发展需\n要组织" in wrapped and clean._wrap_width(wrapped) == 28
    assert clean.join_broken_lines(wrapped) == text
    assert clean.join_broken_lines(wrapped.replace("5万亿\n", "5万亿\n\n")) == text  # a page break leaves a blank line
    laid_out = _laid_out(_REPORT, 28)  # lines holding digits hold more characters
    assert clean._wrap_width(laid_out) == 28 and clean.join_broken_lines(laid_out) == text


def test_a_wrapped_line_that_ends_with_a_closing_mark_after_no_stop_goes_on():
    paragraph = ("我们再加快建设具有全球影响力的国际科技中心（张江科学城）推动集成电路、生物医药、人工智能三大先导产业规模达到新高，"
                 "关键核心技术攻关取得重要进展，全年新增就业岗位六十万个，城市治理水平不断提升。")
    wrapped = _wrapped([paragraph] * 3, 28)
    assert "（张江科学城）\n推动" in wrapped and clean._wrap_width(wrapped) == 28
    assert clean.join_broken_lines(wrapped) == "\n".join([paragraph] * 3)


def test_a_text_of_lines_alike_is_no_wrapped_text_where_one_sign_of_wrapping_is_missing():
    """Each test of :func:`clean._wrap_width` on its own: the wrapped report with every line closed, with no
    sentence ended, or with its lines as table rows (a tab in each) is not taken for wrapped."""
    wrapped = _wrapped(_REPORT, 28)
    assert clean._wrap_width(wrapped) == 28
    closed = "\n".join(line[:-1] + "。" if len(line) > 20 else line for line in wrapped.split("\n"))
    no_sentence_ends = re.sub("[。！？!?…]", "，", wrapped)
    table_rows = "\n".join(line[:5] + "\t" + line[6:] for line in wrapped.split("\n"))
    for text in (closed, no_sentence_ends, table_rows):
        assert clean._wrap_width(text) == 0

def test_short_unwrapped_lines_are_left_alone():
    """Lines of one length that are a list, not a wrapped text, are not joined."""
    headings = "\n".join(["加快建设具有全球影响力的科技创新中心", "推动长三角一体化发展取得新突破", "深入推进城市数字化转型",
                          "全面提升城市软实力和国际影响力", "加快建设人民城市"])
    assert clean._wrap_width(headings) == 0 and clean.join_broken_lines(headings) == headings
    alike = "\n".join(["推进城市更新和基础设施建设行动", "加快推动数字经济高质量发展行动", "持续提升城市治理现代化水平行动"])
    assert clean._wrap_width(alike) == 0 and clean.join_broken_lines(alike) == alike
    assert clean._wrap_width("\n".join(_REPORT)) == 0
    names = ["上海市浦东新区张江高科技园区管理委员会", "北京市海淀区中关村科技园区管理委员会", "深圳市南山区科技创新局高新技术产业处",
             "杭州市滨江区高新技术产业开发区管委会", "苏州工业园区管理委员会科技和信息化局", "南京市江宁区经济技术开发区管理委员会"]
    notice = "关于公布示范单位名单的通知\n各有关单位：\n经评审，现将名单公布如下。\n" + "\n".join(names) + "\n特此通知。"
    assert clean._wrap_width(notice) == 0 and clean.join_broken_lines(notice) == notice  # names hold no clause mark


def test_only_a_line_that_leaves_a_title_or_quotation_open_is_looked_at_for_it():
    text = "根据《中华人民共和国城乡规划法》制定本条例。\n“绿色”发展。\n依照《城乡规划法。\n实施条例》执行。\n“加强。\n”建设。"
    assert clean._lines_that_may_continue(text, False) == [text.index("依照"), text.index("“加强")]
    assert clean.join_broken_lines(text) == ("根据《中华人民共和国城乡规划法》制定本条例。\n“绿色”发展。\n"
                                             "依照《城乡规划法。实施条例》执行。\n“加强。”建设。")


def test_a_line_that_starts_with_punctuation_joins_the_line_before_across_blank_lines():
    assert clean.join_broken_lines("第一段。\n\n，第二段。") == "第一段。，第二段。"
    assert clean.join_broken_lines("第一段\n\n，第二段。") == "第一段，第二段。"


def test_a_heading_whose_text_starts_with_a_thousand_stays_a_heading():
    text = "一、总体要求\n\n三、千方百计扩大就业，增加城乡居民收入\n\n要坚持就业优先战略。"
    assert clean.join_broken_lines(text) == text
    assert clean.break_before_inline_headings("做好今年工作意义重大。三、千方百计扩大就业") == (
        "做好今年工作意义重大。\n三、千方百计扩大就业")


def test_an_article_of_five_to_seven_numerals_is_never_joined_to_the_line_before():
    for text in ("第一百二十二条 有下列情形之一的，\n第一百二十三条 本条例自公布之日起施行。",
                 "第一千二百五十九条 民法所称的“以上”、“以下”，\n第一千二百六十条 本法自2021年1月1日起施行。"):
        assert clean.join_broken_lines(text) == text


class _Reading:
    """A compiled pattern that adds up the lengths of the strings it is asked to read."""

    def __init__(self, pattern):
        self.pattern, self.read = pattern, 0

    def __getattr__(self, name):
        def reading(string, *args):
            self.read += len(string)
            return getattr(self.pattern, name)(string, *args)

        return reading


def test_a_long_run_of_broken_lines_is_read_once(monkeypatch):
    unpunctuated = "\n".join(["推进城市更新和基础设施建设" * 7] * 2200)  # 200,000 characters, one run
    assert clean.join_broken_lines(unpunctuated) == unpunctuated.replace("\n", "")
    # lines with a comma outside quotes go on whatever their length, and are tested for a heading marker each time
    with_commas = "\n".join(["推进“城市更新，基础设施”建设，加快发展"] * 10_000)
    patterns = {name: _Reading(getattr(clean, name)) for name in ("_HEADING_START", "_ARTICLE_START", "_QUOTE_OR_COMMA")}
    for name, pattern in patterns.items():
        monkeypatch.setattr(clean, name, pattern)
    assert clean.join_broken_lines(with_commas, min_long=10**9) == with_commas.replace("\n", "")
    assert sum(pattern.read for pattern in patterns.values()) <= 4 * len(with_commas)  # not the joined line each time


def _closed_in(reach: str, opening: str, closing: str) -> bool:
    """Whether ``reach`` holds a closing mark beyond those that close marks it opens itself."""
    depth = 1
    for mark in reach:
        depth += (mark == opening) - (mark == closing)
        if depth == 0:
            return True
    return False


def _continues_by_whole_line(line: str, last: str, ahead: str, after_blank: bool, min_long: int, wrap_width: int):
    """The rule :class:`clean._JoinedLine` keeps up to date, read off the whole line (``last`` its last piece)."""
    if not line:
        return False
    if ahead[0] in clean._NO_LINE_START or line[-1] in "《“":
        return True
    for opening, closing in clean._MARKS:
        reach = ahead[: max(0, clean._MARK_SPAN - (len(line) - line.rfind(opening)))]
        if line.count(opening) > line.count(closing) and _closed_in(reach, opening, closing):
            return True
    title = re.search(f"({'|'.join(clean._TITLE_WORDS)})$", line)
    wrapped = 0 < wrap_width - clean._WRAP_SLACK <= len(last) and not title
    if line[-1] in clean._CLOSED_END:
        return wrapped and line[-1] in clean.CLOSING and len(line) > 1 and line[-2] not in clean._CLOSED_END
    return (
        line[-1] in "，、"
        or wrapped
        or ("，" in re.sub("“[^”]*”", "", line) and not clean._HEADING_START.match(line))
        or (len(line) >= min_long and not title and not after_blank)
    )


REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
REAL_TEXTS = {"lawrefbook_local_regulations.jsonl": "text", "aldohemsn_government_work_reports_central.jsonl": "content",
              "provincial_gwr_2025.jsonl": "text"}


def test_no_real_document_is_taken_for_hard_wrapped():
    """The real corpora keep one paragraph a line, and :func:`clean._wrap_width` takes none of their documents for
    hard-wrapped (of its tests against a false width, lines wider than it decides here; the test above checks the
    others on their own)."""
    if not REALDATA.exists():
        pytest.skip("../shared/realdata is not beside this checkout")
    for name, field in REAL_TEXTS.items():
        for n, line in enumerate((REALDATA / name).read_text("utf-8").splitlines()):
            assert clean._wrap_width(clean.normalize_whitespace(json.loads(line)[field])) == 0, (name, n)


def test_a_title_or_quotation_cut_over_three_lines_is_rejoined():
    assert clean.join_broken_lines("关于印发《上海市加快推进\n数字经济高质量发展\n实施方案》的通知") == (
        "关于印发《上海市加快推进数字经济高质量发展实施方案》的通知")
    assert clean.join_broken_lines("他说：“我们要加快\n推进城市数字化转型\n和高质量发展。”") == (
        "他说：“我们要加快推进城市数字化转型和高质量发展。”")
    record = ("2015年12月3日 山东省第十二届人民代表大会常务委员会第十七次会议《关于修改〈山东省县乡两级人民代表大会选举实施"
              "细则〉\n\n〈山东省实施《中华人民共和国全国人民代表大会和地方各级人民代表大会代表法》办法〉\n\n"
              "〈山东省乡镇人民代表大会工作若干规定〉的决定》第二次修正")  # as a regulation's record has it
    assert clean.join_broken_lines(record) == record.replace("\n", "")  # the title quoted inside is closed on the way
    stray = "加强“城市\n" + "更新改造。" * 20 + "\n再一段”。"  # closed only past the span: a typo, not a cut
    assert clean.join_broken_lines(stray) == stray


def test_a_joined_line_goes_on_as_its_whole_text_says():
    rng = random.Random(0)
    tokens = [*"《》“”，、。：甲1", "一、", "（二）", "3.", "第一章", "通知", ""]
    for _ in range(3000):
        pieces = ["".join(rng.choices(tokens, k=rng.randint(0, 6))) for _ in range(rng.randint(1, 5))]
        joined = clean._JoinedLine(pieces[0])
        for k, piece in enumerate(pieces):
            if k:
                joined.add(piece)
            line = "".join(pieces[: k + 1])
            assert joined.text() == line
            ahead = "\n".join("".join(rng.choices(tokens, k=rng.randint(0, 6))) + "乙" for _ in range(rng.randint(1, 3)))
            for min_long, wrap_width, after_blank in ((3, 0, False), (60, 0, True), (60, 6, False), (3, 60, True)):
                args = (ahead, after_blank, min_long, wrap_width)
                assert joined.continues(*args) == _continues_by_whole_line(line, piece, *args), (line, *args)


def test_an_empty_numbered_line_ends_a_run_of_preview_chunks():
    first, second = "1、" + "国民经济和社" * 30, "2、会发展" + "规划纲要" * 40
    text = f"{first}\n{second}\n3、\n正文。"
    assert clean.join_numbered_chunks(text) == f"{first[2:]}{second[2:]}\n3、\n正文。"


def test_markdown_heading_marks_and_html_comments_are_markup_not_text():
    raw = ("# 上海口岸服务条例\n\n2020年5月14日 第一次修正\n\n<!-- INFO END -->\n\n## 第一章  总则\n\n"
           "第一条 为了规范口岸开放，制定本条例。\n\n\u3000### 第一节 一般规定\n\n编号 #1 不变。\n####### 七个井号不是标题")
    cleaned = clean.clean_text(raw)
    assert [line for line in cleaned.split("\n") if line] == [
        "上海口岸服务条例", "2020年5月14日 第一次修正", "第一章  总则", "第一条 为了规范口岸开放，制定本条例。",
        "第一节 一般规定", "编号 #1 不变。", "####### 七个井号不是标题"]
    # the chapter and the section are read by their markers (levels 1 and 2), not as short unmarked lines (3)
    levels = {row[5]: row[2] for row in paragraph_rows(cleaned)}
    assert (levels["第一章  总则"], levels["第一节 一般规定"]) == (1, 2)
    # a paragraph between two comments is text: only the comments go
    assert clean.strip_markup("标题\n\n<!-- a -->第一条 正文。<!-- b -->\n\n第二条 其他。") == (
        "标题\n\n第一条 正文。\n\n第二条 其他。")
    for comment_elsewhere in ("甲\n<!-- 注释 -->\n乙", "<!-- 注释 -->\n\n甲\n\n乙", "甲\n\n乙<!-- 多行\n注释 -->"):
        before, after = comment_elsewhere.split("<!--")[0], comment_elsewhere.split("-->")[1]
        assert clean.strip_markup(comment_elsewhere) == clean.normalize_whitespace(before + after)


@pytest.mark.parametrize(
    "line, cleaned",
    [
        ("第一章\t总则", "第一章 总则"),
        ("第三条\t 为了保护归侨侨眷的合法权益，制定本办法。", "第三条 为了保护归侨侨眷的合法权益，制定本办法。"),
        ("一、\t总体要求", "一、总体要求"),
        ("（二）\t营养费。", "（二）营养费。"),
        ("1.\t坚持统筹推进", "1. 坚持统筹推进"),  # after an ASCII mark a space, as from Word's numbering
        ("第一篇\t总论", "第一篇 总论"),
        ("1.\t项目甲\t100", "1.\t项目甲\t100"),  # a table row keeps its cells
        ("1.8\t万元", "1.8\t万元"),  # a number, not a marker
        ("第十八条 报告；\t也可以书面报告。", "第十八条 报告；\t也可以书面报告。"),  # not right after the marker
    ],
)
def test_a_tab_right_after_a_heading_marker_is_the_gap_the_documents_write(line, cleaned):
    assert clean.untab_markers(line) == cleaned
    assert clean.clean_text(f"某某条例\n{line}").split("\n")[1] == cleaned


def test_a_dated_record_is_a_line_of_its_own():
    """The adoption and amendment records at a regulation's head each keep their line, also in a wrapped text."""
    records = ("2015年7月24日浙江省第十二届人民代表大会常务委员会第二十一次会议通过，根据\n"
               "2018年11月30日 浙江省第十三届人民代表大会常务委员会第六次会议修正")
    assert clean.join_broken_lines(records) == records
    assert clean.join_broken_lines("会议决定，\n2018年11月30日召开。") == "会议决定，2018年11月30日召开。"  # prose: no space
