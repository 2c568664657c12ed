"""Tests for cityanalytics.corpus.read: encodings, formats and the errors users see."""

from __future__ import annotations

import random
from copy import deepcopy

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from cityanalytics import load_corpus
from cityanalytics.corpus.read import (
    SUPPORTED_SUFFIXES,
    FileText,
    decode_bytes,
    read_file,
)
from cityanalytics.errors import InputFileError

TITLE = "嘉兴市深化接轨上海工作实施方案"
SIMPLIFIED = "为贯彻落实长江三角洲区域一体化发展国家战略，进一步深化接轨上海，制定本实施方案。"
TRADITIONAL = "嘉興市深化接軌上海工作實施方案\n為貫徹落實長江三角洲區域一體化發展國家戰略，進一步深化接軌上海，制定本實施方案。"


def write(path, data: bytes):
    path.write_bytes(data)
    return path


def read_error(path) -> InputFileError:
    """The InputFileError read_file raises for `path`, checked to name the file."""
    with pytest.raises(InputFileError) as info:
        read_file(path)
    assert str(path) in str(info.value)
    assert info.value.path == str(path)
    return info.value


def make_pdf(path, pages: list[str], **kwargs):
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), **kwargs)
    for line in pages:
        pdf.setFont("STSong-Light", 14)
        pdf.drawString(72, 720, line)
        pdf.showPage()
    pdf.save()
    return path


# --- text encodings -----------------------------------------------------------------------


def test_utf8_text_is_nfc_normalised_with_unix_newlines(tmp_path):
    path = write(tmp_path / "a.txt", f"{TITLE}\r\n第一条\rcafe\u0301\n".encode())
    result = read_file(path)
    assert result == FileText(path=str(path), text=f"{TITLE}\n第一条\ncafé\n", encoding="utf-8", format="txt")


def test_path_is_kept_as_given(tmp_path):
    path = write(tmp_path / "a.md", f"# {TITLE}\n".encode())
    result = read_file(str(path))
    assert result.path == str(path)
    assert result.format == "md"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (b"\xef\xbb\xbf" + TITLE.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + TITLE.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + TITLE.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_byte_order_marks(tmp_path, data, encoding):
    result = read_file(write(tmp_path / "bom.txt", data))
    assert (result.text, result.encoding) == (TITLE, encoding)


@pytest.mark.parametrize("codec", ["gbk", "gb2312", "gb18030"])
def test_gb_family_reads_as_gb18030(tmp_path, codec):
    text = f"{TITLE}\n{SIMPLIFIED}\n"
    result = read_file(write(tmp_path / "gb.txt", text.encode(codec)))
    assert (result.text, result.encoding) == (text, "gb18030")


@pytest.mark.parametrize("text", [TRADITIONAL, TRADITIONAL.splitlines()[0]])
def test_big5_is_not_mistaken_for_gb18030(tmp_path, text):
    # Big5 bytes are valid GB18030 too, but decode to private-use characters.
    result = read_file(write(tmp_path / "big5.txt", text.encode("big5")))
    assert (result.text, result.encoding) == (text, "big5")


def test_traditional_text_in_gbk_reads_as_gb18030(tmp_path):
    # GBK holds Traditional characters too; they are in common use, just not in GB2312.
    result = read_file(write(tmp_path / "gbk.txt", TRADITIONAL.encode("gbk")))
    assert (result.text, result.encoding) == (TRADITIONAL, "gb18030")


def test_shift_jis_is_not_read_as_gb18030_gibberish(tmp_path):
    # Shift-JIS bytes decode without error as GB18030, into rare characters (怺巗恖柉…).
    japanese = "東京都は、国際金融都市の実現に向けて、新たな戦略を策定しました。交通インフラの整備と人材の育成を進めます。"
    assert japanese.encode("shift_jis").decode("gb18030") != japanese
    result = read_file(write(tmp_path / "sjis.txt", japanese.encode("shift_jis")))
    assert result.text == japanese
    assert result.encoding in {"shift_jis", "cp932"}


def test_a_gb18030_reading_of_rare_characters_only_is_refused(tmp_path):
    rare = "".join(chr(c) for c in range(0x3400, 0x3400 + 60))  # Extension A: none in common use
    error = read_error(write(tmp_path / "rare.txt", rare.encode("gb18030")))
    assert "reads as GB18030 (GBK) only as gibberish (0% of its Chinese characters are in common use)" in str(error)


def test_truncated_gb18030_keeps_text_with_replacement_character(tmp_path):
    data = (SIMPLIFIED * 3).encode("gb18030")[:-1]
    result = read_file(write(tmp_path / "cut.txt", data))
    assert result.encoding == "gb18030"
    assert result.text == (SIMPLIFIED * 3)[:-1] + "\ufffd"


def test_decode_bytes_returns_text_and_encoding():
    assert decode_bytes(TITLE.encode("utf-8"), "x.txt") == (TITLE, "utf-8")
    assert decode_bytes(TITLE.encode("gbk"), "x.txt") == (TITLE, "gb18030")


def test_decode_bytes_rejects_binary():
    with pytest.raises(InputFileError, match="x.txt: not a text file"):
        decode_bytes(b"\x00" * 64, "x.txt")


# --- HTML ---------------------------------------------------------------------------------

HTML_PAGE = f"""<!DOCTYPE html>
<html><head>
<meta {{meta}}>
<title>网站标题</title>
<script>var s = "脚本内容";</script>
<style>p {{{{ color: red; }}}}</style>
</head><body>
<noscript>请启用脚本</noscript>
<!-- 注释 -->
<h1>{TITLE}</h1>
<div>第一条　总则<br>第二行
   继续</div>
<p>第二段&nbsp;内容，wrapped
   source 与 <b>ASCII</b>
<i>字</i>
<span>体</span></p>
<p>加快“数字经济”
发展……
继续“推进”
and “quoted”
“引号”。</p>
<p>Café
咖啡</p>
<table><tr><td>项目
名称</td><td>投资额</td></tr></table>
</body></html>
"""
HTML_LINES = [TITLE, "第一条　总则", "第二行继续", "第二段\xa0内容，wrapped source 与 ASCII 字体",
              "加快“数字经济”发展……继续“推进” and “quoted” “引号”。", "Café 咖啡", "项目名称\t投资额"]


@pytest.mark.parametrize(
    "meta", ['charset="gbk"', 'http-equiv="Content-Type" content="text/html; charset=gb2312"']
)
def test_html_uses_meta_charset_and_keeps_only_visible_text(tmp_path, meta):
    page = HTML_PAGE.format(meta=meta)
    result = read_file(write(tmp_path / "page.html", page.encode("gbk")))
    assert (result.format, result.encoding) == ("html", "gb18030")
    assert result.text.split("\n") == HTML_LINES


def test_html_declared_charset_loses_to_valid_utf8(tmp_path):
    page = HTML_PAGE.format(meta='charset="gb2312"')
    result = read_file(write(tmp_path / "page.htm", page.encode("utf-8")))
    assert result.encoding == "utf-8"
    assert result.text.split("\n") == HTML_LINES


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252"])
def test_a_single_byte_charset_declaration_yields_to_plain_chinese_but_not_to_gibberish(tmp_path, charset):
    chinese = "<html><head><meta charset='{}'></head><body><p>2025年浙江省政府工作报告</p><p>各位代表：现在，我代表省人民政府，向大会报告工作，请予审议。</p></body></html>"
    result = read_file(write(tmp_path / "mislabelled.html", chinese.format(charset).encode("gbk")))
    assert (result.encoding, result.text.split("\n")[0]) == ("gb18030", "2025年浙江省政府工作报告")
    western = f"<html><head><meta charset='{charset}'></head><body><p>Métro Médiathèque Générale Réseau</p></body></html>"
    result = read_file(write(tmp_path / "western.html", western.encode("latin-1")))
    assert result.text == "Métro Médiathèque Générale Réseau"


def test_html_declared_big5(tmp_path):
    title, sentence = TRADITIONAL.split("\n")
    page = f'<html><head><meta charset="big5"></head><body><h1>{title}</h1><p>{sentence}</p></body></html>'
    result = read_file(write(tmp_path / "page.html", page.encode("big5")))
    assert (result.text, result.encoding) == (TRADITIONAL, "big5")


def test_html_leaves_out_hidden_elements_and_form_controls(tmp_path):
    page = (f'<html><body><h1>{TITLE}</h1><div hidden>隐藏的菜单</div><p style="color:red; DISPLAY: none">不显示</p>'
            '<span style="visibility:hidden">看不见</span><select><option>选择城市</option><option>杭州</option></select>'
            '<textarea>请输入留言</textarea><p>第一条　总则</p></body></html>')
    assert read_file(write(tmp_path / "page.html", page.encode("utf-8"))).text.split("\n") == [TITLE, "第一条　总则"]


def test_html_without_visible_text(tmp_path):
    path = write(tmp_path / "blank.html", b"<html><body><script>x()</script></body></html>")
    assert read_error(path).problem == "HTML page has no visible text"


TABLE_ROWS = [
    ("加快地铁建设，推进机场快线", "市交通局", "是"),
    ("优化营商环境，深化改革", "市发改委", "否"),
    ("推动长三角生态绿色一体化发展示范区建设，加强跨区域生态环境联保共治和基础设施互联互通，形成可复制推广的制度创新成果",
     "市生态环境局、市住建局", "是"),
]  # fmt: skip
TABLE_INTRO = "各区人民政府：现将重点任务分工列表如下，请认真贯彻执行。"


def test_html_table_rows_stay_apart_after_cleaning(tmp_path):
    rows = "".join(f"<tr>{''.join(f'<td>{cell}</td>' for cell in row)}</tr>" for row in TABLE_ROWS)
    page = (f"<html><body><h1>{TITLE}</h1><p>{TABLE_INTRO}</p>"
            f"<table><thead><tr><th>任务</th><th>牵头单位</th><th>是否完成</th></tr></thead><tbody>{rows}</tbody></table>"
            "<p>附件：任务清单</p></body></html>")  # fmt: skip
    write(tmp_path / "plan.html", page.encode("utf-8"))
    text = load_corpus(tmp_path, progress=False).docs["text"].iloc[0]
    header = "任务\t牵头单位\t是否完成"
    assert text.split("\n") == [TITLE, TABLE_INTRO, header, *map("\t".join, TABLE_ROWS), "附件：任务清单"]


def test_html_nested_table_is_flattened_into_its_cell(tmp_path):
    page = ("<html><body><table><tr><th>重点项目</th><td><table><tr><td>地铁</td><td>是</td></tr>"
            "<tr><td>机场</td><td>否</td></tr></table></td></tr><tr><td>备注<br>无</td><td></td></tr></table></body></html>")  # fmt: skip
    path = write(tmp_path / "nested.html", page.encode("utf-8"))
    assert read_file(path).text.split("\n") == ["重点项目\t地铁 是 机场 否", "备注 无"]


# --- DOCX ---------------------------------------------------------------------------------


def test_docx_tables_stay_in_body_order_one_row_per_line(tmp_path):
    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0))  # vertically merged cell appears once; its column stays
    table.cell(0, 0).text = "项目名称"
    table.cell(0, 1).text = "投资额"
    table.cell(1, 1).text = "10亿元"
    table.cell(2, 0).text = "科创走廊"
    table.cell(2, 1).text = "5亿元\n（第一期）\t另计"
    table.cell(2, 1).add_paragraph("二期")
    document.add_paragraph("第二条\t附则")
    path = tmp_path / "plan.docx"
    document.save(path)

    result = read_file(path)
    assert (result.format, result.encoding) == ("docx", "docx")
    assert result.text.split("\n") == [
        TITLE, "项目名称\t投资额", "\t10亿元", "科创走廊\t5亿元 （第一期） 另计 二期", "第二条\t附则",
    ]  # fmt: skip


def test_docx_nested_table_is_flattened_into_its_cell(tmp_path):
    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "重点项目"
    inner = table.cell(0, 1).add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "地铁", (0, 1): "是", (1, 0): "机场", (1, 1): "否"}.items():
        inner.cell(row, col).text = text
    path = tmp_path / "nested.docx"
    document.save(path)
    assert read_file(path).text.split("\n") == [TITLE, "重点项目\t地铁 是 机场 否"]


def paragraph_xml(fragment: str) -> str:
    """A <w:p> holding ``fragment`` between the runs 会议于 and 召开。."""
    return f"<w:p {nsdecls('w')}>{run('会议于')}{fragment}{run('召开。')}</w:p>"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        (
            f'<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="chsdate">{run("2019年5月1日")}'
            "</w:smartTag>",
            "会议于2019年5月1日召开。",
        ),
        (
            f'<w:ins w:id="1" w:author="a">{run("北京")}<w:r><w:tab/><w:t>市</w:t><w:br/><w:cr/></w:r></w:ins>',
            "会议于北京\t市\n\n召开。",
        ),
        ('<w:del w:id="2" w:author="a"><w:r><w:delText>上海</w:delText></w:r></w:del>', "会议于召开。"),
        (
            f'<w:fldSimple w:instr=" DATE \\@ &quot;yyyy年M月d日&quot; ">{run("2020年1月2日")}</w:fldSimple>',
            "会议于2020年1月2日召开。",
        ),
        (
            f'<w:sdt><w:sdtPr><w:alias w:val="地点"/></w:sdtPr><w:sdtContent>{run("杭州")}</w:sdtContent></w:sdt>',
            "会议于杭州召开。",
        ),
        (f'<w:hyperlink r:id="rId99" {nsdecls("r")}>{run("市政府")}</w:hyperlink>', "会议于市政府召开。"),
        (
            f'<w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent>{run("单击或点击此处输入文字。")}'
            "</w:sdtContent></w:sdt>",
            "会议于召开。",
        ),
    ],
    ids=["smartTag", "ins", "del", "fldSimple", "inline sdt", "hyperlink", "placeholder"],
)
def test_docx_text_wrapped_inside_a_paragraph_is_read(tmp_path, fragment, expected):
    document = docx.Document()
    document.element.body.insert(0, parse_xml(paragraph_xml(fragment)))
    path = tmp_path / "wrapped.docx"
    document.save(path)
    assert read_file(path).text == expected


def test_docx_block_content_controls_are_read(tmp_path):
    document = docx.Document()
    document.add_paragraph(TITLE)
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "地铁"
    table.cell(0, 1).text = "是"
    row_control = (  # a repeating-section row holding a cell in a content control
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:tr><w:tc><w:p>{run('机场')}</w:p></w:tc>"
        f"<w:sdt><w:sdtContent><w:tc><w:p>{run('否')}</w:p></w:tc></w:sdtContent></w:sdt>"
        "</w:tr></w:sdtContent></w:sdt>"
    )
    table._tbl.append(parse_xml(row_control))
    block = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")
    block[1].append(parse_xml(paragraph_xml("")))
    block[1].append(deepcopy(table._tbl))
    document.element.body.insert(1, block)
    prompt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent/></w:sdt>")
    prompt[1].append(parse_xml(paragraph_xml(run("单击或点击此处输入文字。"))))
    document.element.body.insert(0, prompt)  # a block control still showing its prompt: no text of the document
    path = tmp_path / "controls.docx"
    document.save(path)
    assert read_file(path).text.split("\n") == [TITLE, "会议于召开。", "地铁\t是", "机场\t否", "地铁\t是", "机场\t否"]


def test_docx_text_boxes_ruby_annotations_and_fallback_copies_stay_out(tmp_path):
    text_box = (
        '<w:r><w:pict xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox><w:txbxContent>'
        f"<w:p>{run('浮动框')}</w:p></w:txbxContent></v:textbox></w:pict></w:r>"
    )
    ruby = f"<w:r><w:ruby><w:rt>{run('hang')}</w:rt><w:rubyBase>{run('杭')}</w:rubyBase></w:ruby></w:r>"
    alternate = (
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
        f'<mc:Choice Requires="w14">{run("州")}</mc:Choice><mc:Fallback>{run("州")}</mc:Fallback></mc:AlternateContent>'
    )
    document = docx.Document()
    document.element.body.insert(0, parse_xml(paragraph_xml(text_box + ruby + alternate)))
    path = tmp_path / "extras.docx"
    document.save(path)
    assert read_file(path).text == "会议于杭州召开。"


def test_docx_table_rows_stay_apart_after_cleaning(tmp_path):
    document = docx.Document()
    document.add_paragraph(TITLE)
    document.add_paragraph(TABLE_INTRO)
    table = document.add_table(rows=len(TABLE_ROWS), cols=3)
    for row, cells in zip(table.rows, TABLE_ROWS):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.add_paragraph("附件：任务清单")
    document.save(tmp_path / "plan.docx")
    text = load_corpus(tmp_path, progress=False).docs["text"].iloc[0]
    assert text.split("\n") == [TITLE, TABLE_INTRO, *map("\t".join, TABLE_ROWS), "附件：任务清单"]


def test_docx_without_text(tmp_path):
    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    assert read_error(path).problem == "document contains no text"


# --- DOCX: Word's automatic numbering ------------------------------------------------------


def level(ilvl: int, number_format: str, text: str, start: int = 1, extra: str = "") -> str:
    """A <w:lvl>; ``extra`` goes between w:numFmt and w:lvlText (w:lvlRestart, w:isLgl, w:suff)."""
    return (f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{number_format}"/>{extra}'
            f'<w:lvlText w:val="{text}"/></w:lvl>')


def abstract_num(abstract_id: int, *levels: str, link: str = "") -> str:
    return f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{link}{"".join(levels)}</w:abstractNum>'


def num(num_id: int, abstract_id: int, overrides: str = "") -> str:
    return f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'


def numbered_document(*definitions: str) -> docx.Document:
    """A document whose numbering part holds just ``definitions`` (w:abstractNum, then w:num)."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    for child in list(numbering):
        numbering.remove(child)
    for definition in definitions:
        numbering.append(parse_xml(definition))
    return document


def set_numbering(element, num_id: int, ilvl: int | None = None):
    """Give a paragraph (or paragraph style) element a w:numPr."""
    numbering = element.get_or_add_pPr().get_or_add_numPr()
    if ilvl is not None:
        numbering.get_or_add_ilvl().val = ilvl
    numbering.get_or_add_numId().val = num_id


def add_items(container, num_id: int, items: list[tuple[int | None, str]]):
    """Paragraphs of (level, text): numbered in list ``num_id`` at that level, or not where it is None."""
    for ilvl, text in items:
        paragraph = container.add_paragraph(text)
        if ilvl is not None:
            set_numbering(paragraph._p, num_id, ilvl)


def read_back(document, tmp_path) -> list[str]:
    path = tmp_path / "numbered.docx"
    document.save(path)
    return read_file(path).text.split("\n")


GOVERNMENT_LIST = abstract_num(
    1,
    level(0, "chineseCounting", "%1、"),
    level(1, "chineseCounting", "（%2）"),
    level(2, "decimal", "%3."),
    level(3, "decimal", "（%4）"),
)
GOVERNMENT_ITEMS = [
    (0, "总体要求"), (1, "指导思想"), (None, "以习近平新时代中国特色社会主义思想为指导，全面贯彻落实。"),
    (1, "基本原则"), (2, "坚持统筹推进"), (3, "明确分工"), (None, "各部门要明确分工。"), (3, "压实责任"),
    (2, "坚持改革创新"), (0, "主要任务"), (1, "推进交通互联"), (2, "加快地铁建设"),
]  # fmt: skip


def test_docx_government_multilevel_list_is_numbered_as_word_shows_it(tmp_path):
    document = numbered_document(GOVERNMENT_LIST, num(1, 1))
    add_items(document, 1, GOVERNMENT_ITEMS)
    assert read_back(document, tmp_path) == [
        "一、总体要求", "（一）指导思想", "以习近平新时代中国特色社会主义思想为指导，全面贯彻落实。", "（二）基本原则",
        "1. 坚持统筹推进", "（1）明确分工", "各部门要明确分工。", "（2）压实责任", "2. 坚持改革创新", "二、主要任务",
        "（一）推进交通互联", "1. 加快地铁建设",
    ]  # fmt: skip


def test_docx_chapters_and_articles_numbered_through_the_document(tmp_path):
    articles = level(1, "chineseCountingThousand", "第%2条", start=99, extra='<w:lvlRestart w:val="0"/>')
    document = numbered_document(abstract_num(1, level(0, "chineseCounting", "第%1章"), articles), num(1, 1))
    add_items(document, 1, [(0, "总则"), (1, "为了规范城市管理，制定本条例。"), (1, "本条例适用于本市行政区域。"),
                            (0, "附则"), (1, "本条例自公布之日起施行。")])  # fmt: skip
    assert read_back(document, tmp_path) == [
        "第一章 总则", "第九十九条 为了规范城市管理，制定本条例。", "第一百条 本条例适用于本市行政区域。",
        "第二章 附则", "第一百零一条 本条例自公布之日起施行。",
    ]  # fmt: skip


def test_docx_heading_styles_linked_to_a_list_are_numbered(tmp_path):
    # the headings' list is a list style: its abstractNum only links (w:numStyleLink) to the one defining the levels
    document = numbered_document(
        abstract_num(1, link='<w:numStyleLink w:val="GovHeadings"/>'),
        abstract_num(2, level(0, "chineseCounting", "%1、"), level(1, "chineseCounting", "（%2）"),
                     link='<w:styleLink w:val="GovHeadings"/>'),
        num(1, 2),
        num(2, 1),
    )  # fmt: skip
    list_style = (f'<w:style {nsdecls("w")} w:type="numbering" w:styleId="GovHeadings"><w:name w:val="Gov Headings"/>'
                  '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>')
    document.styles.element.append(parse_xml(list_style))
    set_numbering(document.styles["Heading 1"].element, 2)
    set_numbering(document.styles["Heading 2"].element, 2, ilvl=1)
    based_on_heading = document.styles.add_style("Task Heading", WD_STYLE_TYPE.PARAGRAPH)
    based_on_heading.base_style = document.styles["Heading 2"]
    document.add_heading(TITLE, level=0)
    document.add_heading("总体要求", level=1)
    document.add_heading("指导思想", level=2)
    document.add_paragraph("工作目标", style="Task Heading")
    unnumbered = document.add_heading("附件", level=1)
    set_numbering(unnumbered._p, 0)  # numId 0: numbering of the style taken away
    document.add_heading("主要任务", level=1)
    assert read_back(document, tmp_path) == [TITLE, "一、总体要求", "（一）指导思想", "（二）工作目标", "附件", "二、主要任务"]


def test_docx_bullets_and_levels_without_numbers_add_no_marker(tmp_path):
    document = numbered_document(
        abstract_num(1, level(0, "bullet", "\uf0b7"), level(1, "none", ""), level(2, "lowerLetter", "%3)")), num(1, 1)
    )
    add_items(document, 1, [(0, "加强组织领导"), (1, "落实工作责任"), (2, "细化任务分工"), (2, "强化督查考核")])
    assert read_back(document, tmp_path) == ["加强组织领导", "落实工作责任", "a) 细化任务分工", "b) 强化督查考核"]


def test_docx_instances_of_one_list_continue_it_until_a_start_override(tmp_path):
    restart = '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride>'
    document = numbered_document(abstract_num(1, level(0, "decimal", "%1.")), num(1, 1), num(2, 1), num(3, 1, restart))
    add_items(document, 1, [(0, "Transport"), (0, "Housing")])
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "重点项目"
    table.cell(0, 1).text = "地铁"
    set_numbering(table.cell(0, 1).paragraphs[0]._p, 2, ilvl=0)  # counted in reading order
    add_items(document, 2, [(0, "Energy")])
    add_items(document, 3, [(0, "Water"), (0, "Parks")])
    assert read_back(document, tmp_path) == [
        "1. Transport", "2. Housing", "重点项目\t3. 地铁", "4. Energy", "1. Water", "2. Parks",
    ]  # fmt: skip


def test_docx_legal_numbers_and_a_level_restarted_only_by_the_top_level(tmp_path):
    document = numbered_document(
        abstract_num(1, level(0, "upperRoman", "%1."), level(1, "decimal", "%1.%2", extra="<w:isLgl/>"),
                     level(2, "lowerLetter", "(%3)", extra='<w:lvlRestart w:val="1"/><w:suff w:val="nothing"/>')),
        num(1, 1),
    )  # fmt: skip
    items = [(0, "Scope"), (1, "Aims"), (2, "one"), (1, "Means"), (2, "two"), (0, "Rules"), (2, "three")]
    add_items(document, 1, items)
    assert read_back(document, tmp_path) == [
        "I. Scope", "1.1 Aims", "(a) one", "1.2 Means", "(b) two", "II. Rules", "(a) three",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("number_format", "start", "number"),
    [
        ("decimal", 7, "7"), ("decimalZero", 7, "07"), ("decimalFullWidth", 12, "１２"),
        ("decimalEnclosedCircle", 3, "③"), ("decimalEnclosedCircle", 20, "⑳"), ("decimalEnclosedCircle", 21, "21"),
        ("chineseCounting", 10, "十"), ("chineseCounting", 11, "十一"), ("chineseCounting", 20, "二十"),
        ("chineseCounting", 35, "三十五"), ("chineseCounting", 101, "一〇一"),
        ("chineseCountingThousand", 15, "十五"), ("chineseCountingThousand", 110, "一百一十"),
        ("chineseCountingThousand", 1010, "一千零一十"), ("chineseCountingThousand", 2000, "二千"),
        ("chineseLegalSimplified", 3, "叁"), ("chineseLegalSimplified", 10, "壹拾"),
        ("chineseLegalSimplified", 105, "壹佰零伍"), ("ideographTraditional", 4, "丁"), ("ideographZodiac", 3, "寅"),
        ("lowerLetter", 28, "bb"), ("upperLetter", 2, "B"), ("lowerRoman", 14, "xiv"), ("upperRoman", 1994, "MCMXCIV"),
        ("ordinalText", 3, "3"),  # a format not written out falls back to decimal
    ],
)  # fmt: skip
def test_docx_number_formats(tmp_path, number_format, start, number):
    document = numbered_document(abstract_num(1, level(0, number_format, "（%1）", start=start)), num(1, 1))
    add_items(document, 1, [(0, "任务")])
    assert read_back(document, tmp_path) == [f"（{number}）任务"]


def test_docx_numbered_headings_give_the_corpus_its_structure(tmp_path):
    document = numbered_document(GOVERNMENT_LIST, num(1, 1))
    document.add_paragraph(TITLE)
    add_items(document, 1, GOVERNMENT_ITEMS)
    document.save(tmp_path / "plan.docx")
    paragraphs = load_corpus(tmp_path, progress=False).paragraphs()
    headings = paragraphs[paragraphs["kind"] == "heading"]
    assert list(zip(headings["level"], headings["text"])) == [
        (3, "一、总体要求"), (4, "（一）指导思想"), (4, "（二）基本原则"), (5, "1. 坚持统筹推进"), (6, "（1）明确分工"),
        (6, "（2）压实责任"), (5, "2. 坚持改革创新"), (3, "二、主要任务"), (4, "（一）推进交通互联"), (5, "1. 加快地铁建设"),
    ]  # fmt: skip
    body = paragraphs[paragraphs["text"] == "各部门要明确分工。"].iloc[0]
    assert body["heading_path"] == "一、总体要求 > （二）基本原则 > 1. 坚持统筹推进 > （1）明确分工"
    assert headings["section"].tolist() == list(range(1, 11))


# --- PDF ----------------------------------------------------------------------------------


def test_pdf_pages_in_order_with_chinese_text(tmp_path):
    path = make_pdf(tmp_path / "plan.pdf", [f"{TITLE} 2023", "第二页 Page two"])
    result = read_file(path)
    assert (result.format, result.encoding) == ("pdf", "pdf")
    assert result.text.split() == [TITLE, "2023", "第二页", "Page", "two"]


def test_pdf_with_owner_password_only_is_read(tmp_path):
    path = make_pdf(tmp_path / "locked.pdf", [TITLE], encrypt=StandardEncryption("", ownerPassword="owner"))
    assert read_file(path).text.strip() == TITLE


def test_pdf_with_user_password(tmp_path):
    path = make_pdf(tmp_path / "secret.pdf", [TITLE], encrypt=StandardEncryption("user", ownerPassword="owner"))
    assert read_error(path).problem == "PDF is password-protected"


def make_pdf_with_character_map(path, codes: bytes, character_map: dict[int, str]):
    """A one-page PDF showing the byte ``codes`` in Helvetica, whose ToUnicode map sends each code
    to the UTF-16 code unit given in hex: a map can name half of a surrogate pair alone."""
    entries = " ".join(f"<{code:02X}> <{unit}>" for code, unit in character_map.items())
    cmap = (f"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapType 2 def 1 begincodespacerange "
            f"<00> <FF> endcodespacerange {len(character_map)} beginbfchar {entries} endbfchar endcmap "
            f"CMapName currentdict /CMap defineresource pop end end").encode()
    content = b"BT /F1 14 Tf 72 720 Td (" + codes + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap)]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return write(path, bytes(pdf))


def test_a_lone_surrogate_from_a_pdfs_character_map_becomes_a_replacement_character(tmp_path):
    path = make_pdf_with_character_map(tmp_path / "broken.pdf", b"ABAC", {0x41: "D800", 0x42: "57CE", 0x43: "5E02"})
    assert read_file(path).text.strip() == "\ufffd城\ufffd市"
    corpus = load_corpus(tmp_path, progress=False)
    assert corpus.report["status"].tolist() == ["loaded"] and corpus.docs["text"].str.contains("城").all()


def test_pdf_without_text(tmp_path):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(72, 72, 200, 200, fill=1)
    pdf.save()
    assert read_error(path).problem == "PDF has no extractable text (scanned image?)"


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b" \r\n\t ", "\u3000\n".encode()])
def test_empty_and_whitespace_files(tmp_path, content):
    assert read_error(write(tmp_path / "empty.txt", content)).problem == "empty file"


@pytest.mark.parametrize("name", ["empty.html", "empty.pdf", "empty.docx"])
def test_empty_files_of_other_formats(tmp_path, name):
    assert read_error(write(tmp_path / name, b"")).problem == "empty file"


def test_unsupported_suffix(tmp_path):
    error = read_error(write(tmp_path / "budget.xls", b"data"))
    assert error.problem.startswith("unsupported file type '.xls' (supported: ")
    assert all(suffix in error.problem for suffix in SUPPORTED_SUFFIXES)
    assert "(no extension)" in read_error(write(tmp_path / "README", b"data")).problem


def test_suffix_is_case_insensitive(tmp_path):
    assert read_file(write(tmp_path / "A.TXT", TITLE.encode())).format == "txt"


def test_missing_file(tmp_path):
    assert read_error(tmp_path / "missing.txt").problem == "file not found"


@pytest.mark.parametrize(
    "data", [random.Random(0).randbytes(4096), b"\x00" * 100, b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 50]
)
def test_binary_renamed_as_txt(tmp_path, data):
    error = read_error(write(tmp_path / "binary.txt", data))
    assert error.problem.startswith("not a text file")


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"this is not a zip file", "not a ZIP package"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "legacy Word .doc"),
        (b"PK\x03\x04" + bytes(100), ""),
    ],
)
def test_corrupt_docx(tmp_path, data, detail):
    error = read_error(write(tmp_path / "bad.docx", data))
    assert error.problem.startswith("not a valid .docx file (")
    assert detail in error.problem


@pytest.mark.parametrize("data", [b"%PDF-1.4\nnot really a pdf\n", b"plain text, no PDF header"])
def test_corrupt_pdf(tmp_path, data, caplog):
    error = read_error(write(tmp_path / "bad.pdf", data))
    assert error.problem.startswith("not a valid PDF file (")
    assert not [record for record in caplog.records if record.name.startswith("pypdf")]  # the problem is named once
