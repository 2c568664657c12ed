"""Loading a user's folder: encodings, Traditional characters, metadata, inference, and the load report."""

from __future__ import annotations

import pandas as pd
import pytest

from cityanalytics import Corpus, InputFileError, MetadataError, load_corpus
from cityanalytics.corpus import corpus as corpus_module
from cityanalytics.corpus.metadata import infer_metadata, parse_date
from cityanalytics.scale.executors import open_executor
from cityanalytics.scale.sources import FolderChunks

NOTICE = (
    "杭州市人民政府关于印发2020年杭州市数字经济工作要点的通知\n"
    "杭政发〔2020〕12号\n"
    "各区、县（市）人民政府：\n"
    "现将《2020年杭州市数字经济工作要点》印发给你们，请认真贯彻执行。\n"
    "2020年3月5日\n"
)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "hangzhou.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "bom.txt").write_bytes("\ufeff嘉兴市深化接轨上海工作实施方案\n全面深化与上海的交流与合作。".encode("utf-8"))
    (tmp_path / "gbk.txt").write_bytes("乌鲁木齐市国际化城市建设情况汇报\n加快城市国际化进程。".encode("gbk"))
    (tmp_path / "traditional.txt").write_text("深圳市推進國際化城市建設行動綱要\n加快轉變經濟發展方式。", encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<html><head><meta charset='utf-8'><script>var x=1;</script></head>"
        "<body><p>海宁市实施接沪融杭战略</p><p>务实开展山海协作工作。</p></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "zz_copy_of_hangzhou.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "table.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "only_furniture.txt").write_text("上传人:b****5 文档编号:6441351\n展开阅读全文\n", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(
        "file,city,year,programme\nbom.txt,嘉兴,2016,接轨上海\ngbk.txt,乌鲁木齐,,国际化城市\n", encoding="utf-8"
    )
    return tmp_path


def test_every_file_is_accounted_for(folder):
    corpus = load_corpus(folder)
    report = corpus.report.set_index("file")
    assert set(report.index) == {p.name for p in folder.iterdir()}
    assert report.loc["hangzhou.txt", "status"] == "loaded"
    skipped = report[report["status"] == "skipped"]["reason"]
    assert skipped["zz_copy_of_hangzhou.txt"] == "duplicate of hangzhou.txt"
    assert skipped["empty.txt"] == "empty file"
    assert "not a text file" in skipped["binary.txt"]
    assert "unsupported file type '.xls'" in skipped["table.xls"]
    assert skipped[".DS_Store"] == "hidden file"
    assert skipped["only_furniture.txt"] == "no text left after removing site furniture"
    assert report.loc["metadata.csv", "reason"] == "metadata table (2 rows)"
    loaded = report[report["status"] == "loaded"]
    assert set(loaded["doc_id"].dropna()) - {""} == set(corpus.docs["doc_id"])
    assert len(corpus) == 5


def test_reading_in_several_processes_gives_the_same_corpus(folder, monkeypatch):
    asked = []

    def recording_executor(kind, n_jobs):
        asked.append(n_jobs)
        return open_executor(kind, n_jobs)

    monkeypatch.setattr(corpus_module, "open_executor", recording_executor)
    alone, together = load_corpus(folder), load_corpus(folder, n_jobs=2)
    assert asked == [1, 2]  # the second load read its files in a pool of two processes
    pd.testing.assert_frame_equal(alone.docs, together.docs)
    pd.testing.assert_frame_equal(alone.report, together.report)
    single, several = FolderChunks(folder, size=2), FolderChunks(folder, size=2, n_jobs=2)
    pd.testing.assert_frame_equal(pd.concat(list(several), ignore_index=True), pd.concat(list(single), ignore_index=True))
    pd.testing.assert_frame_equal(several.report, alone.report)


def test_encodings_and_traditional_conversion_are_recorded(folder):
    docs = load_corpus(folder).docs.set_index("doc_id")
    assert docs.loc["bom", "encoding"] == "utf-8-sig"
    assert docs.loc["gbk", "encoding"] == "gb18030"
    assert docs.loc["gbk", "text"].startswith("乌鲁木齐市国际化城市建设情况汇报")
    assert docs.loc["traditional", "text"].startswith("深圳市推进国际化城市建设行动纲要")
    assert docs.loc["traditional", "simplified"]
    assert not docs.loc["bom", "simplified"]
    kept = load_corpus(folder, simplified=False).docs.set_index("doc_id")
    assert kept.loc["traditional", "text"].startswith("深圳市推進國際化")
    assert "script" not in docs.loc["page", "text"] and "var x" not in docs.loc["page", "text"]


def test_metadata_columns_become_docvars_and_given_values_win(folder):
    docs = load_corpus(folder).docs.set_index("doc_id")
    assert docs.loc["bom", "programme"] == "接轨上海"
    assert docs.loc["bom", "city"] == "嘉兴" and docs.loc["bom", "year"] == 2016
    assert "city" not in docs.loc["bom", "inferred"].split(",")


def test_metadata_is_inferred_only_where_the_text_states_it(folder):
    docs = load_corpus(folder).docs.set_index("doc_id")
    hangzhou = docs.loc["hangzhou"]
    assert hangzhou["city"] == "杭州"
    assert hangzhou["province"] == "浙江"
    assert hangzhou["doc_no"] == "杭政发〔2020〕12号"
    assert hangzhou["date"] == "2020-03-05" and hangzhou["year"] == 2020
    assert hangzhou["doc_type"] == "通知"
    assert set(hangzhou["inferred"].split(",")) >= {"city", "doc_no", "date", "year", "doc_type"}
    page = docs.loc["page"]
    assert page["city"] == "海宁"
    assert pd.isna(page["year"]) and page["date"] == "" and page["doc_no"] == ""


@pytest.mark.parametrize(
    "given, expected",
    [  # the notice is Hangzhou's (浙江), dated 2020-03-05, 文号 of 2020
        ("date\n2019-05-01", {"date": "2019-05-01", "year": 2019, "province": "浙江"}),  # a given date gives its year
        ("year\n2019", {"date": "", "year": 2019}),  # the notice's date of 2020 would contradict it
        ("year\n2020", {"date": "2020-03-05", "year": 2020}),  # agrees: read off
        ("city\n深圳", {"city": "深圳", "province": ""}),  # 浙江 was Hangzhou's province, not Shenzhen's
        ("city\n杭州", {"city": "杭州", "province": "浙江"}),  # the title's city: its province stands
        ("province\n广东", {"city": "", "province": "广东"}),  # Hangzhou is not in 广东
        ("province\n浙江", {"city": "杭州", "province": "浙江"}),
        ("city,province\n深圳,广东", {"city": "深圳", "province": "广东"}),
    ],
)
def test_what_is_read_off_the_text_never_contradicts_the_metadata_table(tmp_path, given, expected):
    (tmp_path / "hangzhou.txt").write_text(NOTICE, encoding="utf-8")
    header, values = given.split("\n")
    (tmp_path / "metadata.csv").write_text(f"file,{header}\nhangzhou.txt,{values}\n", encoding="utf-8")
    row = load_corpus(tmp_path).docs.iloc[0]
    assert {name: row[name] for name in expected} == expected
    inferred = set(row["inferred"].split(","))
    assert not inferred & set(header.split(",")) and ("year" in inferred) == ("year" not in expected)


def test_inference_never_takes_a_passing_date_for_the_document_date():
    found = infer_metadata("城市建设主要举措\n到2025年5月1日前完成全部改造任务。\n加快推进。")
    assert "date" not in found and "year" not in found


@pytest.mark.parametrize(
    "text, expected",
    [
        ("关于印发2030年前碳达峰行动方案的通知\n各省人民政府：\n现将方案印发给你们。",  # a deadline is no year
         {"title": "关于印发2030年前碳达峰行动方案的通知", "doc_type": "通知"}),
        ("2019年杭州市政府工作要点\n一、总体要求", {"title": "2019年杭州市政府工作要点", "year": 2019, "city": "杭州",
                                              "province": "浙江", "doc_type": "工作要点"}),
        ("各位代表：\n现在，我代表国务院，向大会报告政府工作。", {}),  # a speech states no title
        ("各位代表：\n一、2024年工作回顾\n过去一年，我们推进发展。", {}),  # a numbered heading is no title
        ("第一百零一条 本条例自公布之日起施行\n通知", {"title": "通知", "doc_type": "通知"}),  # nor an article
        ("本" * 101 + "\n短标题", {"title": "短标题"}),  # a line longer than any title is a paragraph
        ("杭州市人民政府门户网站\n浙江省人民政府关于加快发展数字经济的实施意见\n各市人民政府：",  # a site's name is none
         {"title": "浙江省人民政府关于加快发展数字经济的实施意见", "doc_type": "实施意见"}),
    ],
)
def test_only_a_line_that_can_be_a_title_is_taken_for_one(text, expected):
    assert infer_metadata(text) == expected


def test_chinese_numeral_dates():
    assert parse_date("二○一一年五月九日") == "2011-05-09"
    assert parse_date("二〇一三年八月十二日") == "2013-08-12"
    assert parse_date("（2020年3月22日）") == "2020-03-22"
    assert parse_date("二〇二〇年十月二十日") == "2020-10-20" and parse_date("二〇二〇年十二月十日") == "2020-12-10"


def test_dates_that_are_no_dates_are_passed_over(tmp_path):
    """A mistyped numeral or a day the month lacks gives no date, and the file still loads."""
    assert parse_date("二〇一九年十二月十十日") is None
    assert parse_date("2019年2月30日") is None
    assert parse_date("2019年2月30日印发，二〇一九年三月一日起施行") == "2019-03-01"
    (tmp_path / "a.txt").write_text("杭州市关于交通的通知\n加强交通。\n二〇一九年十二月十十日\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("嘉兴市实施方案\n推进人才。\n", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert len(corpus) == 2 and corpus.docs.set_index("doc_id").loc["a", "city"] == "杭州"


def test_a_given_title_is_the_one_the_metadata_is_read_off(tmp_path):
    """The table's title stands for the document: its city, province, year and type are read off
    it, not off the text's first line (here an address line that states none of them)."""
    (tmp_path / "speech.txt").write_text("各位代表：\n现在，我代表市人民政府向大会报告工作。\n", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,title\nspeech.txt,2019年宁波市政府工作报告\n", encoding="utf-8")
    row = load_corpus(tmp_path).docs.iloc[0]
    assert (row["title"], row["city"], row["province"], row["year"], row["doc_type"]) == \
        ("2019年宁波市政府工作报告", "宁波", "浙江", 2019, "政府工作报告")
    assert set(row["inferred"].split(",")) == {"city", "province", "year", "doc_type"}
    (tmp_path / "metadata.csv").write_text("file,title\nspeech.txt,关于印发宁波市交通发展实施意见的通知\n", encoding="utf-8")
    (tmp_path / "speech.txt").write_text("杭州市人民政府关于印发杭州市交通规划的通知\n正文。\n", encoding="utf-8")
    row = load_corpus(tmp_path).docs.iloc[0]
    assert (row["city"], row["province"]) == ("宁波", "浙江")  # not the text's Hangzhou


@pytest.mark.parametrize(
    "content, row, column, problem",
    [
        ("name,city\nhangzhou.txt,杭州\n", None, "file", "no 'file' column"),
        ("file,year\nhangzhou.txt,二〇二〇\n", 2, "year", "not a four-digit year"),
        ("file,date\nhangzhou.txt,2020/03/05\n", 2, "date", "as YYYY, YYYY-MM or YYYY-MM-DD"),
        ("file,city\nhangzhou.txt,杭州\nmissing.txt,嘉兴\n", 3, "file", "does not exist"),
        ("file,city\nhangzhou.txt,杭州\nhangzhou.txt,嘉兴\n", 3, "file", "listed twice"),
        ("file,city\nhangzhou.txt,杭州\n./hangzhou.txt,嘉兴\n", 3, "file", "is the file of row 2 too"),
        ("file,date\nhangzhou.txt,2025-13-01\n", 2, "date", "not a date of the calendar"),
        ("file,date\nhangzhou.txt,2019-02-30\n", 2, "date", "not a date of the calendar"),
        ("file,year\nhangzhou.txt,\u0662\u0660\u0662\u0660\n", 2, "year", "not a four-digit year"),  # Arabic-Indic digits
        ("file,city,city\nhangzhou.txt,杭州,嘉兴\n", None, "city", "appear more than once"),
        ("file,,city\nhangzhou.txt,x,杭州\n", None, None, "column 2 holds values but has no name"),
    ],
)
def test_malformed_metadata_names_the_row_and_column(tmp_path, content, row, column, problem):
    (tmp_path / "hangzhou.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(content, encoding="utf-8")
    with pytest.raises(MetadataError) as error:
        load_corpus(tmp_path)
    message = str(error.value)
    assert "metadata.csv" in message and problem in message
    assert column is None or f"column '{column}'" in message
    if row is not None:
        assert f"row {row}" in message


def test_metadata_rows_are_read_as_written(tmp_path):
    """A first row with an unquoted comma is refused like any other row's; full-width digits are digits."""
    (tmp_path / "hangzhou.txt").write_text(NOTICE, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,title,year\nhangzhou.txt,关于交通,人才的意见,2020\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="metadata.csv: not a readable CSV table .*Expected 3 fields in line 2, saw 4"):
        load_corpus(tmp_path)
    (tmp_path / "metadata.csv").write_text("file,year,date\nhangzhou.txt,２０２０,２０２０-０３-２２\n", encoding="utf-8")
    docs = load_corpus(tmp_path).docs
    assert docs["year"].tolist() == [2020] and docs["date"].tolist() == ["2020-03-22"]
    (tmp_path / "metadata.csv").write_text("file,year,\nhangzhou.txt,2020,\n", encoding="utf-8")  # a trailing comma
    columns = load_corpus(tmp_path).docs.columns
    assert "" not in columns and not [name for name in columns if name.startswith("Unnamed")]


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(InputFileError, match="no such file or folder"):
        load_corpus(tmp_path / "nowhere")


def test_from_texts_subset_and_len():
    corpus = Corpus.from_texts(
        ["加快接沪融杭。", "深化长三角一体化。", "推进山海协作。"], city=["海宁", "杭州", "海宁"], year=[2011, 2019, 2012]
    )
    assert len(corpus) == 3
    assert list(corpus.docs.columns) == ["doc_id", "city", "year", "n_chars", "text"]
    assert corpus.docs["n_chars"].tolist() == [7, 9, 7]
    haining = corpus.subset(city="海宁")
    assert haining.docs["doc_id"].tolist() == ["doc1", "doc3"]
    assert len(corpus.subset(city="海宁", year=[2012])) == 1
    with pytest.raises(KeyError, match="no docvar 'town'"):
        corpus.subset(town="x")
    with pytest.raises(TypeError, match=r"docvar 'year' holds numbers; \['2011'\] holds text"):
        corpus.subset(year="2011")
    with pytest.raises(TypeError, match=r"docvar 'city' holds text; \[1\] holds numbers"):
        corpus.subset(city=1)
    assert corpus.subset(year=range(2011, 2013)).docs["doc_id"].tolist() == ["doc1", "doc3"]
    assert corpus.subset(year=pd.Series([2019])).docs["doc_id"].tolist() == ["doc2"]
    with pytest.raises(ValueError, match="at least one corpus"):
        corpus_module.concat([])
    with pytest.raises(ValueError, match="2 values for 3 texts"):
        Corpus.from_texts(["a", "b", "c"], city=["x", "y"])


def test_a_number_cited_in_the_body_is_not_the_document_number():
    found = infer_metadata("关于推进城市建设的意见\n为贯彻国发〔2014〕10号精神，现将浙政办发〔2016〕27号转发。\n1\n2016年5月16日")
    assert "doc_no" not in found
    assert found["date"] == "2016-05-16"  # a stray line before the date line does not hide it
    letterhead = infer_metadata("杭州市人民政府文件\n杭政发〔2020〕12号\n杭州市人民政府关于印发工作要点的通知\n正文。")
    assert letterhead["title"] == "杭州市人民政府关于印发工作要点的通知"
    assert letterhead["doc_no"] == "杭政发〔2020〕12号" and letterhead["year"] == 2020


def test_traditional_site_furniture_is_removed_after_conversion(tmp_path):
    (tmp_path / "page.txt").write_text("上傳人：某某\n深圳市推進國際化城市建設行動綱要\n加快轉變經濟發展方式。\n版權所有 某網站", encoding="utf-8")
    doc = load_corpus(tmp_path).docs.iloc[0]
    assert doc["text"] == "深圳市推进国际化城市建设行动纲要\n加快转变经济发展方式。"
    assert doc["title"] == "深圳市推进国际化城市建设行动纲要" and doc["city"] == "深圳"


def test_nothing_in_the_metadata_is_silently_ignored(tmp_path):
    (tmp_path / "a.txt").write_text("杭州", encoding="utf-8")
    (tmp_path / "b.txt").write_text("嘉兴", encoding="utf-8")
    with pytest.raises(MetadataError, match="metadata file not found"):
        load_corpus(tmp_path, metadata=tmp_path / "typo.csv")
    with pytest.raises(MetadataError, match="is a folder; name the metadata CSV file in it"):
        load_corpus(tmp_path, metadata=tmp_path)
    outside = tmp_path.parent / f"{tmp_path.name}_other.txt"
    outside.write_text("海宁", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text(f"file\n../{outside.name}\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="not among the files loaded"):
        load_corpus(tmp_path)
    (tmp_path / "metadata.csv").write_text("file,encoding\na.txt,x\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="reserved"):
        load_corpus(tmp_path)
    (tmp_path / "metadata.csv").write_text("file,doc_id\nb.txt,a\n", encoding="utf-8")
    docs = load_corpus(tmp_path).docs.set_index("source")
    assert sorted(docs.index) == ["a.txt", "b.txt"]
    assert docs.loc["b.txt", "doc_id"] == "a" and docs.loc["a.txt", "doc_id"] != "a"


def test_from_texts_edge_cases():
    import numpy as np

    empty = Corpus.from_texts([])
    assert len(empty) == 0 and list(empty.docs.columns) == ["doc_id", "n_chars", "text"]
    numbered = Corpus.from_texts(["甲。", "乙。"], doc_ids=[1, 2], year=np.array([2016, 2017]))
    assert numbered.docs["doc_id"].tolist() == ["1", "2"]
    assert numbered.docs["year"].tolist() == [2016, 2017]
    with pytest.raises(ValueError, match="reserved"):
        Corpus.from_texts(["甲。"], section=[1])
    varied = Corpus.from_texts(["甲。", "乙。"], order=range(2), year=pd.array([2016, None], dtype="Int64"),
                               rank=pd.Index([3, 4]), city="杭州").docs
    assert varied["order"].tolist() == [0, 1] and varied["rank"].tolist() == [3, 4]
    assert varied["year"].tolist()[0] == 2016 and pd.isna(varied["year"].tolist()[1]) and (varied["city"] == "杭州").all()
    with pytest.raises(TypeError, match="one name per text, not the one string 'ab'"):
        Corpus.from_texts(["甲。", "乙。"], doc_ids="ab")
    assert Corpus.from_texts(["甲。", "乙。"], doc_ids=(name for name in "xy")).docs["doc_id"].tolist() == ["x", "y"]


def test_concat_joins_corpora_and_their_reports():
    from cityanalytics import concat

    first = Corpus.from_texts(["加快接沪融杭。"], doc_ids=["a"], city="海宁")
    second = Corpus.from_texts(["深化长三角一体化。"], doc_ids=["b"], city="杭州")
    joined = concat([first, second])
    assert joined.docs["doc_id"].tolist() == ["a", "b"] and joined.docs["city"].tolist() == ["海宁", "杭州"]
    assert joined.report["doc_id"].tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="must be unique"):
        concat([first, first])


def test_a_lone_surrogate_is_named_with_its_document_and_column():
    with pytest.raises(ValueError, match=r"document 'b', column 'text': character 3 is a lone surrogate \(U\+D800\)"):
        Corpus.from_texts(["城市规划", "交通\ud800人才"], doc_ids=["a", "b"])
    with pytest.raises(ValueError, match=r"document 'a', column 'title': character 1 is a lone surrogate \(U\+DC80\)"):
        Corpus.from_texts(["城市规划"], doc_ids=["a"], title=["\udc80标题"])
    typed_by_hand = pd.DataFrame({"doc_id": ["x"], "text": ["生态\udfff"]}, dtype=object)
    with pytest.raises(ValueError, match=r"document 'x', column 'text': character 3 is a lone surrogate \(U\+DFFF\)"):
        Corpus(typed_by_hand)
    with pytest.raises(ValueError, match=r"row 2, column 'doc_id': character 1 is a lone surrogate"):
        Corpus.from_texts(["一。", "二。"], doc_ids=["a", "\ud801"])
    docvar_of_objects = pd.DataFrame({"doc_id": ["a", "b"], "text": ["一。", "二。"], "title": [2011, "标题\ud800"]},
                                     dtype=object)
    with pytest.raises(ValueError, match=r"document 'b', column 'title': character 3 is a lone surrogate \(U\+D800\)"):
        Corpus(docvar_of_objects)


def test_missing_texts_and_doc_ids_are_refused_rather_than_made_into_words():
    import numpy as np

    with pytest.raises(TypeError, match=r"text 2 is None \(NoneType\), and 1 more are not strings"):
        Corpus.from_texts(["城市。", None, np.nan])
    with pytest.raises(ValueError, match=r"doc_id 2 is nan"):
        Corpus.from_texts(["城市。", "交通。"], doc_ids=["a", np.nan])
    with pytest.raises(ValueError, match=r"document\(s\) \['b'\] have no text \(a missing value\)"):
        Corpus(pd.DataFrame({"doc_id": ["a", "b"], "text": ["城市。", None]}))
    with pytest.raises(ValueError, match=r"row\(s\) \[2\] have none"):
        Corpus(pd.DataFrame({"doc_id": ["a", None], "text": ["城市。", "交通。"]}))
    with pytest.raises(ValueError, match=r"needs a 'doc_id' and a 'text' column; this one has no \['doc_id'\]"):
        Corpus(pd.DataFrame({"id": ["a"], "text": ["城市。"]}))
    assert Corpus.from_texts([np.str_("城市。"), ""]).docs["n_chars"].tolist() == [3, 0]


def test_one_file_takes_its_own_row_of_its_folders_metadata(tmp_path):
    (tmp_path / "a.txt").write_text("杭州市人民政府关于加快发展的意见\n推进交通建设。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("嘉兴市人民政府工作报告\n发展人才。", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,year,series\na.txt,2016,意见\nb.txt,2018,报告\n", encoding="utf-8")
    corpus = load_corpus(tmp_path / "b.txt", progress=False)
    assert corpus.report[["file", "status"]].values.tolist() == [["b.txt", "loaded"]]
    doc = corpus.docs.iloc[0]
    assert (doc["year"], doc["series"], doc["city"]) == (2018, "报告", "嘉兴")
    (tmp_path / "metadata.csv").write_text("file,year\nmissing.txt,2016\n", encoding="utf-8")
    with pytest.raises(MetadataError, match="does not exist"):
        load_corpus(tmp_path / "b.txt", progress=False)


def test_links_pipes_and_linked_folders_are_accounted_for(tmp_path):
    import os

    folder, other = tmp_path / "corpus", tmp_path / "other"
    folder.mkdir(), other.mkdir()
    (folder / "a.txt").write_text("杭州市工作要点\n推进数字经济发展。", encoding="utf-8")
    (other / "b.txt").write_text("宁波市工作要点\n推进港口建设。", encoding="utf-8")
    (folder / "linked").symlink_to(other)
    (folder / "linked_again").symlink_to(other)
    (folder / "loop").symlink_to(folder)
    (folder / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(folder / "pipe.txt")
    report = load_corpus(folder, progress=False).report.set_index("file")
    assert report.loc["a.txt", "status"] == report.loc["linked/b.txt", "status"] == "loaded"
    assert report.loc["broken.txt", "reason"] == "link to nothing (its target is missing)"
    assert report.loc["pipe.txt", "reason"] == "not a regular file (a pipe, socket or device)"
    assert report.loc["linked_again", "reason"].startswith("link to the folder")
    assert report.loc["loop", "reason"].startswith("link to the folder")
    assert len(report) == 6
    (folder / "zz_real").mkdir()  # a folder of the corpus and a link to it that sorts first: the folder is read
    (folder / "zz_real" / "c.txt").write_text("嘉兴市工作要点\n推进接轨上海。", encoding="utf-8")
    (folder / "aa_link").symlink_to(folder / "zz_real")
    report = load_corpus(folder, progress=False).report.set_index("file")
    assert report.loc["zz_real/c.txt", "status"] == "loaded" and "aa_link/c.txt" not in report.index
    assert report.loc["aa_link", "reason"].startswith("link to the folder")
    (other / "sub").mkdir()  # below a linked folder, a folder and a link to it that sorts first: read once, by the link
    (other / "sub" / "d.txt").write_text("湖州市工作要点\n推进生态建设。", encoding="utf-8")
    (other / "link_sub").symlink_to(other / "sub")
    report = load_corpus(folder, progress=False).report.set_index("file")
    assert report.loc["linked/link_sub/d.txt", "status"] == "loaded" and "linked/sub/d.txt" not in report.index
    (folder / "zz_up").symlink_to(tmp_path)  # a link up to a folder above the corpus: the corpus is not read again
    report = load_corpus(folder, progress=False).report
    assert report["file"].str.startswith("zz_up/").sum() == 0 and report["file"].is_unique
