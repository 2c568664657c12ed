"""The shipped seed corpus: reproducible from raw/, free of site furniture, complete, well described."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from cityanalytics import load_corpus
from cityanalytics.corpus.clean import (
    clean_text,
    drop_furniture_lines,
    is_furniture,
    normalize_width,
)
from cityanalytics.corpus.seeds import seed_dir, write_seed_corpus

SEEDS = seed_dir()


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def _doc(corpus, doc_id: str) -> str:
    return corpus.text(doc_id)


def test_raw_files_are_the_shared_sources_byte_for_byte():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for source in sorted(shared.iterdir()):
        assert (SEEDS / "raw" / source.name).read_bytes() == source.read_bytes()


def test_rebuilding_from_raw_reproduces_every_shipped_file(tmp_path):
    copy = tmp_path / "seeds"
    copy.mkdir()
    shutil.copytree(SEEDS / "raw", copy / "raw")
    shutil.copy(SEEDS / "recipe.yaml", copy / "recipe.yaml")
    written = write_seed_corpus(copy)
    assert {p.relative_to(copy).as_posix() for p in written} == {
        *(f"documents/{p.name}" for p in (SEEDS / "documents").iterdir()),
        "metadata.csv",
        "paragraphs.csv",
        "datapackage.json",
    }
    for path in written:
        shipped = SEEDS / path.relative_to(copy)
        assert path.read_bytes() == shipped.read_bytes(), f"{shipped} differs from a rebuild"


def test_nine_documents_and_the_five_cities(corpus):
    assert len(corpus) == 9
    cities = set(corpus.docs["city"])
    assert {"嘉兴", "海宁", "深圳", "乌鲁木齐", "杭州"} <= cities
    assert (corpus.report["status"] == "loaded").all()


EXPECTED_METADATA = {
    "haining_2011_workpoints": dict(city="海宁", province="浙江", year=2011, date="2011-05-09", doc_type="工作要点",
                                    doc_no="海接轨办〔2011〕1号", issuer="海宁市接轨沪杭和融入长三角工作领导小组办公室"),
    "jiaxing_2016_scheme": dict(city="嘉兴", province="浙江", year=2016, date="2016-05-16", doc_type="实施方案",
                                doc_no="嘉委办发〔2016〕27号"),
    "shenzhen_2011_outline": dict(city="深圳", province="广东", year=2011, doc_type="行动纲要", doc_no=""),
    "urumqi_2013_report": dict(city="乌鲁木齐", province="新疆", year=2013, date="2013-08-12", doc_type="情况汇报",
                               issuer="乌鲁木齐市发展和改革委员会"),
    "township_2020_civilised_city_scheme": dict(city="", province="", year=2020, date="2020-03-22", issuer=""),
    "untitled_urban_construction_measures": dict(city="", province="", date="", issuer="", doc_no=""),
    "hangzhou_area_2009_integration_outline": dict(city="杭州、湖州、嘉兴、绍兴", year=2009, date="2009-06-03",
                                                   doc_type="行动纲要"),
    "hangzhou_2019_decision": dict(city="杭州", year=2019, date="", doc_type="决定", issuer="中共杭州市委"),
    "hangzhou_area_2018_press_release": dict(city="杭州", year=2018, date=""),
}


@pytest.mark.parametrize("doc_id", sorted(EXPECTED_METADATA))
def test_each_seed_document_is_described_correctly(corpus, doc_id):
    row = corpus.docs.set_index("doc_id").loc[doc_id]
    for name, expected in EXPECTED_METADATA[doc_id].items():
        value = row[name]
        value = "" if pd.isna(value) else value
        assert value == expected, f"{doc_id}.{name}"
    assert row["source"].startswith("raw/")
    assert row["notes"]


def test_unstated_year_stays_empty(corpus):
    year = corpus.docs.set_index("doc_id").loc["untitled_urban_construction_measures", "year"]
    assert pd.isna(year)


def test_preview_and_anonymisation_are_noted(corpus):
    notes = corpus.docs.set_index("doc_id")["notes"]
    assert "first five pages" in notes["jiaxing_2016_scheme"]
    assert "anonymised" in notes["township_2020_civilised_city_scheme"]
    assert "joint" in notes["hangzhou_area_2009_integration_outline"]


FURNITURE = [
    "上传人", "文档编号", "下载", "_第", "共17页", "点击查看更多", "资源描述", "会员", "展开阅读全文", "相关资源",
    "猜你喜欢", "相关搜索", "当前位置", "copyright", "Copyright", "ICP", "版权所有", "扫码关注", "浏览次数",
    "预览", "温馨提示", "天天文库", "冰豆网", ".docx", "—15—", "本站编辑", "信息提供日期", "首页",
    # headlines listed after the 2018 press release, unrelated to it
    "反邪教", "大棚房", "高栏港区", "九龙坡", "商丘", "宜宾",
]


def test_no_site_furniture_survives(corpus):
    for doc_id, text in zip(corpus.docs["doc_id"], corpus.docs["text"]):
        for marker in FURNITURE:
            assert marker not in text, f"{marker!r} left in {doc_id}"
        for line in text.split("\n"):
            assert not is_furniture(line), f"furniture pattern matches a line of {doc_id}: {line[:40]}"


REPAIRED = {
    "jiaxing_2016_scheme": [
        "根据《嘉兴市国民经济和社会发展第十三个五年规划纲要》",  # cut between chunks 1 and 2
        "全面推进平湖张江长三角科技城建设",  # chunks 2 and 3
        "全面接轨上海的工作体系进一步形成，建立完善多层次常态化交流互访机制。",  # 3 and 4
        "加快建立与上海统一的市场准入政策体系",  # 4 and 5
        "积极争取跨区域基础设施与上海协同规划建设",  # 5 and 6
        "并做好与上海市域总体规划的沟通衔接。",  # 6 and 7
        "力争实现主干航道“四改三”工作。",  # 7 and 8
    ],
    "shenzhen_2011_outline": ["携手成为世界的经济中心之一、跨国公司总部集聚地"],
    "urumqi_2013_report": [
        "健全中小企业信用担保机构。",
        "抢占发展先机",
        "作为推动经济社会发展的主要方向",
        "建成区绿化覆盖率37%",
        "新建13个空气自动监测站",
        "人口和计划生育各项政策全面落实",
        "用于改善农村生产生活条件",
        "努力实现人与自然的和谐统一。",
        "重视困难群体就业",
        "进一步巩固和发展平等、团结、互助、和谐的社会主义新型民族关系",
        "“十二五”后两年着力在以下几方面做好工作：",
    ],
    "township_2020_civilised_city_scheme": ["关于2020深入推进文明城市建设攻坚行动实施方案"],
    "hangzhou_2019_decision": ["致力于推进城市群同城化，探索建立新的区域合作平台"],
}


@pytest.mark.parametrize("doc_id", sorted(REPAIRED))
def test_repaired_sentences_are_whole(corpus, doc_id):
    text = _doc(corpus, doc_id)
    for sentence in REPAIRED[doc_id]:
        assert sentence in text, f"{sentence!r} not whole in {doc_id}"


def test_no_page_numbers_or_chunk_numbers_remain(corpus):
    text = _doc(corpus, "jiaxing_2016_scheme")
    assert not re.search(r"—\d+—", text)
    assert not re.search(r"[\u4e00-\u9fff]\d、[\u4e00-\u9fff]", text), "a preview chunk number is left mid-text"


def _lines(corpus, doc_id):
    return _doc(corpus, doc_id).split("\n")


def test_haining_28_work_points_and_29_row_project_table(corpus):
    lines = _lines(corpus, "haining_2011_workpoints")
    points = [int(m.group(1)) for line in lines if (m := re.match(r"^(\d{1,2})、", line))]
    assert points == list(range(1, 29))
    rows = [line.split("\t") for line in lines if "\t" in line]
    assert rows[0][:6] == ["序号", "类别", "项目名称", "项目内容", "责任单位", "进度要求"]
    assert [int(r[0]) for r in rows[1:-1]] == list(range(1, 30))
    assert rows[-1][0] == "备注"
    assert "29\t市长\t会议\t第五次市长联席会议" in "\n".join(lines)


def test_hangzhou_2019_has_all_24_points(corpus):
    points = [int(m.group(1)) for line in _lines(corpus, "hangzhou_2019_decision") if (m := re.match(r"^(\d{1,2})\.", line))]
    assert points == list(range(1, 25))


def test_shenzhen_19_action_plans_and_51_measures(corpus):
    lines = _lines(corpus, "shenzhen_2011_outline")
    plans = [int(m.group(1)) for line in lines if (m := re.match(r"^行动计划(\d+)\.", line))]
    measures = [int(m.group(1)) for line in lines if (m := re.match(r"^（(\d+)）", line))]
    assert plans == list(range(1, 20))
    assert measures == list(range(1, 52))


def _fragments(text: str) -> list[str]:
    text = normalize_width(drop_furniture_lines(text))
    text = re.sub(r"(?m)^\d{1,2}、(?=.{100})", "", text)  # preview chunk numbers
    text = re.sub(r"[—－-]\d{1,3}[—－-]", "", text)
    parts = re.split(r"[。！？\n★\t]", text)
    return [re.sub(r"\s+", "", p) for p in parts if len(re.sub(r"\s+", "", p)) >= 6]


def test_every_sentence_of_the_documents_is_kept(corpus):
    """Each sentence of a raw file is in a clean document, unless it is site furniture or a line the
    recipe names as outside the documents (letterheads, colophons, the page around a document)."""
    recipe = yaml.safe_load((SEEDS / "recipe.yaml").read_text("utf-8"))["documents"]
    by_source: dict[str, str] = {}
    for spec in recipe:
        by_source.setdefault(spec["source"], "")
        by_source[spec["source"]] += re.sub(r"\s+", "", _doc(corpus, spec["doc_id"]))
    outside = {
        "000_78d40db8c299a787.txt": ["海宁市实施接沪融杭战略", "工作领导小组办公室文件", "海接轨办", "主题词", "接沪融杭区域合作要点", "抄送", "市委办、市府办",
                                     "海宁市接轨办2011年5月9日发", "当前位置"],
        "001_4a82f9acf3260205.txt": ["中共嘉兴市委办公室嘉兴市人民政府办公室关于印发《2016", "中共嘉兴市委办公室文件"],
        "002_41fdb1d0b6ca1f9e.txt": ["xxx党委政府", "第一篇", "第二篇", "第三篇", "第四篇", "第五篇"],
        "003_9458f5847de70aff.txt": ["地址"],
        "004_82135229baaf78b7.txt": [],
    }
    unrelated_headlines_from = {"004_82135229baaf78b7.txt": "宣传贯彻《安全生产法》提升安全生产水平"}
    for source, clean in by_source.items():
        raw = (SEEDS / "raw" / source).read_text("utf-8")
        if source in unrelated_headlines_from:
            raw = raw[: raw.index(unrelated_headlines_from[source])]
        lost = [
            f
            for f in _fragments(raw)
            if f not in clean
            and not any(f.startswith(prefix) for prefix in outside[source])
            and not re.fullmatch(r"[\d\-:：.]+", f)
        ]
        assert lost == [], f"{source}: sentences missing from the clean documents: {lost[:5]}"


def test_clean_documents_are_a_fixed_point_of_cleaning(corpus):
    for doc_id in corpus.docs["doc_id"]:
        text = (SEEDS / "documents" / f"{doc_id}.txt").read_text("utf-8")
        assert clean_text(text) + "\n" == text, doc_id


def test_heading_paths(corpus):
    paras = corpus.paragraphs()
    haining = paras[paras["doc_id"] == "haining_2011_workpoints"]
    under_point_1 = haining[haining["text"].str.startswith("各有关部门要进一步强化责任")].iloc[0]
    assert under_point_1["heading_path"] == (
        "一、完善“接沪融杭”工作机制，建立合作协调平台，全面推进两地合作项目建设。 > 1、加强领导，完善机制。"
    )
    hangzhou = paras[paras["doc_id"] == "hangzhou_2019_decision"]
    point_3 = hangzhou[hangzhou["text"].str.startswith("3.优化市域统筹发展格局")].iloc[0]
    assert point_3["heading_path"] == "致力于推进城市群同城化，探索建立新的区域合作平台 > 3.优化市域统筹发展格局。"
    assert set(paras["kind"]) == {"title", "heading", "paragraph", "table_row"}
    assert (paras.groupby("doc_id")["kind"].first() == "title").all()


def test_shipped_paragraph_table_matches_the_structure_of_the_documents(corpus):
    shipped = pd.read_csv(SEEDS / "paragraphs.csv", dtype={"heading_path": str}, keep_default_na=False)
    computed = corpus.paragraphs().astype({"level": object}).fillna("")
    assert len(shipped) == len(computed)
    order = ["doc_id", "para"]
    assert shipped.sort_values(order)["heading_path"].tolist() == computed.sort_values(order)["heading_path"].tolist()


def test_datapackage_describes_every_file_with_its_hash():
    import hashlib
    import json

    package = json.loads((SEEDS / "datapackage.json").read_text("utf-8"))
    paths = {r["path"]: r for r in package["resources"]}
    for path in [*(f"documents/{p.name}" for p in (SEEDS / "documents").iterdir()),
                 *(f"raw/{p.name}" for p in (SEEDS / "raw").iterdir()), "metadata.csv", "paragraphs.csv"]:
        assert path in paths, path
        digest = hashlib.sha256((SEEDS / path).read_bytes()).hexdigest()
        assert paths[path]["hash"] == f"sha256:{digest}"
    metadata_fields = [f["name"] for f in paths["metadata.csv"]["schema"]["fields"]]
    assert metadata_fields[:3] == ["doc_id", "city", "province"]
