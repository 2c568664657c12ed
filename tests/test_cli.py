"""The command line: listing, showing, reporting, tokenizing, and clear errors."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from cityanalytics.cli import main


def run(*args):
    result = CliRunner().invoke(main, list(args))
    return result


def documented_columns(args: list[str]) -> list[str] | None:
    """The columns a command's help promises ("Columns: …"), for these arguments: "the --by
    column(s)" and "the --time column" become the docvars named (year unless told), notes in
    parentheses and what follows a ";" (other modes) are left out. None if the help lists none."""
    import re

    command, rest = main, list(args)
    while hasattr(command, "commands") and rest and rest[0] in command.commands:
        command = command.commands[rest.pop(0)]
    listed = re.search(r"Columns:\s*(.*?)[.;](\s|$)", " ".join(command.help.split()))
    if listed is None:
        return None
    value = {option: rest[rest.index(option) + 1] for option in ("--by", "--time") if option in rest}
    columns = []
    for item in re.sub(r"\s*\([^)]*\)", "", listed.group(1)).split(", "):
        named = re.fullmatch(r"the (--by|--time) columns?", item)
        if named is None:
            columns.append(item)
        elif named.group(1) in value or named.group(1) == "--time":
            columns.append(value.get(named.group(1), "year"))
    return columns


def test_corpus_list_shows_the_seed_cities_and_years():
    result = run("corpus", "list")
    assert result.exit_code == 0, result.output
    for city, year in [("嘉兴", "2016"), ("海宁", "2011"), ("深圳", "2011"), ("乌鲁木齐", "2013"), ("杭州", "2019")]:
        line = next(line for line in result.output.splitlines() if f" {city} " in f" {line} " and year in line)
        assert line


def test_corpus_list_as_csv_for_scripting(tmp_path):
    result = run("corpus", "list", "--format", "csv")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("doc_id,city,province,year")
    out = tmp_path / "docs.csv"
    assert run("corpus", "list", "--output", str(out)).exit_code == 0
    assert len(pd.read_csv(out)) == 9


def test_corpus_show_prints_docvars_report_and_text():
    result = run("corpus", "show", "urumqi_2013_report")
    assert result.exit_code == 0
    assert "city: 乌鲁木齐" in result.output
    assert "load: loaded from urumqi_2013_report.txt" in result.output
    assert "乌鲁木齐市国际化城市建设情况汇报" in result.output
    missing = run("corpus", "show", "no_such_doc")
    assert missing.exit_code != 0 and "no document 'no_such_doc'" in missing.output


def test_corpus_report_on_a_folder_with_bad_files(tmp_path):
    (tmp_path / "good.txt").write_text("嘉兴市实施方案\n加快接轨上海。", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "sheet.xlsx").write_bytes(b"PK")
    result = run("corpus", "report", str(tmp_path), "--format", "csv")
    assert result.exit_code == 0
    report = result.output
    assert "empty.txt,skipped,empty file" in report
    assert "sheet.xlsx,skipped,unsupported file type '.xlsx'" in report
    assert "good.txt,loaded" in report


def test_errors_are_one_clear_line(tmp_path):
    result = run("corpus", "list", str(tmp_path / "nowhere"))
    assert result.exit_code != 0
    assert "nowhere: no such file or folder" in result.output
    assert "Traceback" not in result.output
    (tmp_path / "a.txt").write_text("杭州", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("name\nx\n", encoding="utf-8")
    bad = run("corpus", "list", str(tmp_path))
    assert "metadata.csv (column 'file')" in bad.output
    (tmp_path / "metadata.csv").unlink()
    dictionary = tmp_path / "dictionaries" / "bad.dict"
    dictionary.parent.mkdir()
    dictionary.write_bytes(b"\xff\xfe\x00binary")
    no_dictionary = run("frequency", str(tmp_path), "--userdict", str(dictionary))
    assert no_dictionary.exit_code == 1 and "tokenizing" not in no_dictionary.output  # named before any progress bar
    assert no_dictionary.output.strip().splitlines()[-1].startswith(f"Error: {dictionary}: ")


def test_an_output_file_of_another_kind_is_refused_before_any_work(tmp_path):
    for args in (["tfidf", "--n", "1"], ["tokenize"]):
        result = run(*args, "--output", str(tmp_path / "t.json"))
        assert result.exit_code != 0 and "t.json: write a .csv or a .parquet file" in result.output
    assert not list(tmp_path.iterdir())
    (tmp_path / "a.txt").write_text("", encoding="utf-8")
    below_a_file = run("tfidf", "--output", str(tmp_path / "a.txt" / "sub" / "t.csv"))
    assert below_a_file.exit_code == 2 and f"{tmp_path / 'a.txt'} is a file, not a folder to write t.csv in" in below_a_file.output


def test_metadata_for_the_seed_corpus_is_read_not_ignored(tmp_path):
    result = run("corpus", "list", "--metadata", str(tmp_path / "nowhere.csv"))
    assert result.exit_code != 0 and "nowhere.csv: metadata file not found" in result.output


def test_tokenize_writes_the_token_table(tmp_path):
    out = tmp_path / "tokens.parquet"
    result = run("tokenize", "--output", str(out), "--boilerplate")
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out)
    assert list(table.columns) == ["doc_id", "section", "para", "sent", "i", "token", "tag", "is_term"]
    assert not table.loc[table["token"] == "加强", "is_term"].any()
    csv = tmp_path / "terms.csv"
    assert run("tokenize", "--output", str(csv), "--terms-only").exit_code == 0
    assert pd.read_csv(csv)["is_term"].all()


def test_help_explains_each_command():
    for args in (["--help"], ["corpus", "--help"], ["corpus", "list", "--help"], ["tokenize", "--help"]):
        result = run(*args)
        assert result.exit_code == 0 and "Usage" in result.output
    assert "--n-jobs" in run("tokenize", "--help").output


@pytest.fixture
def user_folder(tmp_path):
    texts = {
        "a_2018.txt": "甲市2018年工作要点\n加快轨道交通建设，推进人才引进。\n深化长三角一体化。",
        "b_2019.txt": "乙市2019年实施方案\n推进生态环境保护，加快交通建设。\n引进高层次人才。",
        "c_2020.txt": "丙市2020年工作报告\n推进长三角一体化和同城化。\n加快数字经济发展。",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,city,year\na_2018.txt,甲,2018\nb_2019.txt,乙,2019\nc_2020.txt,甲,2020\n",
                                           encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "args, columns",
    [
        (["emphasis", "--by", "city", "--n-boot", "50"], ["city", "theme", "label", "label_en", "n_theme"]),
        (["emphasis", "--by", "city", "--interval", "cluster"], ["city", "theme", "label", "label_en", "n_theme"]),
        (["compare", "--by", "city", "--n-perm", "50"], ["group", "versus", "theme"]),
        (["kwic", "--pattern", "长三角一体化"], ["doc_id", "section", "para", "sent", "i", "left", "keyword", "right"]),
        (["expand", "--theme", "transport", "--n", "3", "--min-count", "1"], ["theme", "term", "method", "score"]),
        (["frequency", "--by", "city", "--n", "3"], ["city", "term", "count", "rate_per_10k"]),
        (["tfidf", "--n", "2"], ["doc_id", "term", "weight", "rank"]),
        (["textrank", "--n", "2"], ["doc_id", "term", "score", "rank"]),
        (["keyness", "--by", "year", "--target", "2020"], ["term", "n_target", "n_reference", "g2", "chi2"]),
        (["logodds", "--by", "city"], ["group", "versus", "term", "count_group", "count_versus", "delta", "se", "z"]),
        (["collocations", "--min-count", "1"], ["collocation", "joined", "size", "count"]),
        (["trends", "--term", "长三角一体化", "--theme", "transport", "--n-boot", "20"], ["year", "series", "count"]),
        (["trend-test", "--theme", "talent", "--n-perm", "20"], ["series", "n_periods"]),
        (["first-appearance", "--term", "长三角一体化"], ["series", "first_period", "last_period"]),
    ],
)
def test_analysis_commands_write_csv_for_a_user_corpus(user_folder, tmp_path, args, columns):
    out = tmp_path / "table.csv"
    result = run(*args, str(user_folder), "--output", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns[: len(columns)]) == columns
    assert len(table) > 0
    documented = documented_columns(args)
    assert documented is None or list(table.columns) == documented, "the command's help lists other columns"


def test_validate_command_and_usage_errors(user_folder, tmp_path):
    hand = tmp_path / "hand.csv"
    hand.write_text("doc_id,para,theme,label\na_2018,1,transport,1\nb_2019,2,transport,0\n", encoding="utf-8")
    out = tmp_path / "v.csv"
    assert run("validate", str(user_folder), "--hand-coded", str(hand), "--output", str(out)).exit_code == 0
    assert pd.read_csv(out)["precision"].iloc[0] == 1.0
    hand.write_text("doc_id,para,theme,label\na_2018,1,transport,1\nb_2019,x,transport,0\n", encoding="utf-8")
    bad_para = run("validate", str(user_folder), "--hand-coded", str(hand))
    assert bad_para.exit_code == 1
    assert bad_para.output.strip().splitlines()[-1] == f"Error: {hand}: hand-coded 'para' must be a whole number, not 'x' (row 2 of the sample)"
    hand.write_text("doc_id,para,theme\na_2018,1,transport\n", encoding="utf-8")
    no_label = run("validate", str(user_folder), "--hand-coded", str(hand))
    assert no_label.output.strip().splitlines()[-1] == f"Error: {hand}: hand-coded sample needs columns ['label']"
    missing = run("trends", str(user_folder))
    assert missing.exit_code != 0 and "--term or --theme" in missing.output
    unknown = run("expand", str(user_folder), "--theme", "nonsense")
    assert unknown.exit_code != 0 and "no theme 'nonsense'" in unknown.output


@pytest.mark.parametrize(
    "args, columns",
    [
        (["topics", "terms", "--k", "3"], ["topic", "term", "weight", "rank"]),
        (["topics", "labels", "--k", "3"], ["topic", "top_terms", "frex_terms", "theme"]),
        (["topics", "doc-topics", "--k", "3", "--unit", "document"], ["doc_id", "city", "province", "year"]),
        (["topics", "prevalence", "--k", "3", "--by", "city", "--n-boot", "20"], ["city", "topic", "top_terms", "prevalence"]),
        (["topics", "effects", "--k", "3", "--covariate", "year"], ["topic", "top_terms", "covariate", "reference",
                                                                    "estimate", "std_error", "ci_low", "ci_high", "df"]),
        (["topics", "effects", "--k", "3", "--covariate", "year", "--interval", "bootstrap", "--n-boot", "20"],
         ["topic", "top_terms", "covariate"]),
        (["topics", "effects", "--k", "3", "--covariate", "city", "--reference", "city=杭州"],
         ["topic", "top_terms", "covariate", "reference"]),
        (["topics", "sweep", "--k", "2", "--k", "3", "--seed", "0", "--seed", "1", "--unit", "document", "--summary"],
         ["k", "n_seeds", "c_v_mean"]),
    ],
)
def test_topic_commands(tmp_path, args, columns):
    out = tmp_path / "table.csv"
    result = run(*args, "--boilerplate", "--output", str(out))
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table.columns[: len(columns)]) == columns and len(table) > 0
    documented = documented_columns(args)
    assert documented is None or "--summary" in args or list(table.columns) == documented, \
        "the command's help lists other columns"


def test_commands_default_to_the_functions_settings():
    """A command's option left out means what the function's argument left out means."""
    import inspect

    from cityanalytics.analysis.emphasis import emphasis
    from cityanalytics.analysis.trends import trends
    from cityanalytics.cli.analysis_commands import emphasis_command, trends_command
    from cityanalytics.cli.topic_commands import effects_command, terms_command
    from cityanalytics.topics.model import TopicModel
    from cityanalytics.topics.prevalence import topic_effects

    def defaults(command):
        return {option.name: option.default for option in command.params}

    def arguments(function):
        return {name: p.default for name, p in inspect.signature(function).parameters.items()}

    for command, function, names in [(emphasis_command, emphasis, ["interval", "n_boot", "seed"]),
                                     (trends_command, trends, ["interval", "unit", "n_boot", "seed"]),
                                     (effects_command, topic_effects, ["interval", "n_boot"])]:
        for name in names:
            assert defaults(command)[name] == arguments(function)[name], (command.name, name)
    cli, model = defaults(terms_command), arguments(TopicModel.__init__)
    for option, argument in [("n_topics", "n_topics"), ("seed", "random_state"), ("passes", "passes"),
                             ("min_docs", "min_docs"), ("max_docs_share", "max_docs_share"), ("engine", "engine"),
                             ("unit", "unit")]:
        assert cli[option] == model[argument], option


def test_bootstrap_resamples_are_checked_where_they_are_given(tmp_path):
    out = tmp_path / "prevalence.csv"
    result = run("topics", "prevalence", "--k", "2", "--by", "city", "--n-boot", "0", "--output", str(out))
    assert result.exit_code == 0, result.output  # 0: no intervals, as the option's help says
    assert pd.read_csv(out)[["ci_low", "ci_high"]].isna().all().all()
    result = run("topics", "effects", "--k", "2", "--covariate", "year", "--interval", "bootstrap", "--n-boot", "1")
    assert result.exit_code != 0 and "--n-boot" in result.output


def test_the_reference_level_is_the_one_given(tmp_path):
    out = tmp_path / "effects.csv"
    result = run("topics", "effects", "--k", "2", "--covariate", "city", "--reference", "city=杭州", "--output", str(out))
    assert result.exit_code == 0, result.output
    effects = pd.read_csv(out)
    assert (effects["reference"] == "杭州").all() and "city=杭州" not in set(effects["covariate"])
    result = run("topics", "effects", "--k", "2", "--covariate", "city", "--reference", "杭州")
    assert result.exit_code != 0 and "'杭州' is not COVARIATE=LEVEL" in result.output
    result = run("topics", "effects", "--k", "2", "--covariate", "city", "--reference", "city=杭州", "--reference",
                 "city=海宁")
    assert result.exit_code != 0 and "'city' is given a reference level more than once" in result.output


def test_topic_labels_take_a_users_codebook(tmp_path):
    book = tmp_path / "mine.yaml"
    book.write_text("name: mine\nversion: 1\nthemes:\n  linkage:\n    label: 接轨\n    label_en: Linkage\n"
                    "    definition: Links to Shanghai.\n    terms: [接轨, 上海, 长三角]\n", encoding="utf-8")
    out = tmp_path / "labels.csv"
    result = run("topics", "labels", "--k", "3", "--boilerplate", "--codebook", str(book), "--output", str(out))
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out)["theme"].dropna()) <= {"linkage"}
    assert "linkage" in set(pd.read_csv(out)["theme"])


def test_reproduce_reruns_an_experiment_into_the_project_folder(tmp_path):
    import json
    import shutil
    from pathlib import Path

    project = Path(__file__).resolve().parents[1]
    shutil.copytree(project / "experiments", tmp_path / "experiments", ignore=shutil.ignore_patterns("results"))
    result = run("reproduce", "corpus_overview", "--root", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "figures/document_similarity_tfidf_cosine.png" in result.output
    shipped = project / "experiments" / "results" / "corpus_overview"
    rerun = tmp_path / "experiments" / "results" / "corpus_overview"
    for table in shipped.glob("*.csv"):
        assert (rerun / table.name).read_bytes() == table.read_bytes(), f"{table.name} differs from the shipped one"
    # The manifest names package versions and the tokenizer backend, which may differ between
    # installs; what was run on what, and which tables came out, may not.
    before, after = (json.loads((d / "manifest.json").read_text("utf-8")) for d in (shipped, rerun))
    for key in ("config", "input", "outputs", "resources"):
        assert after[key] == before[key]
    assert set(after["figures"]) == set(before["figures"])


def test_reproduce_names_what_is_wrong():
    from pathlib import Path

    project = Path(__file__).resolve().parents[1]
    result = run("reproduce", "no_such_study", "--root", str(project))
    assert result.exit_code == 1 and "unknown experiment" in result.output
    result = run("reproduce", "--root", "/")
    assert result.exit_code == 1 and "no experiments/ folder" in result.output


def test_the_backend_option_changes_the_segmenter_not_the_tokens():
    reference = run("frequency", "--n", "30", "--format", "csv", "--backend", "jieba")
    fast = run("frequency", "--n", "30", "--format", "csv", "--backend", "numba")
    assert reference.exit_code == 0 and fast.exit_code == 0, reference.output + fast.output
    assert reference.output.splitlines()[-30:] == fast.output.splitlines()[-30:]
    assert "'pkuseg' is not one of 'auto', 'jieba', 'numba', 'rjieba'" in run("frequency", "--backend", "pkuseg").output


def test_trends_unit_option_resamples_paragraphs_as_the_api_does(tmp_path):
    import cityanalytics as ca

    out = tmp_path / "trends.csv"
    result = run("trends", "--term", "长三角", "--unit", "paragraph", "--n-boot", "50", "--seed", "3",
                 "--boilerplate", "--output", str(out))
    assert result.exit_code == 0, result.output
    with pytest.warns(UserWarning):  # the undated document is left out, as on the command line
        expected = ca.trends(ca.tokenize(ca.load_corpus(), boilerplate=True), ["长三角"], n_boot=50, seed=3,
                             unit="paragraph")
    table = pd.read_csv(out)
    assert table["ci_low"].notna().sum() > expected["n_docs"].gt(1).sum()  # single-document years get intervals
    pd.testing.assert_series_equal(table["ci_high"], expected["ci_high"], check_names=False, rtol=1e-9)


def test_validate_reads_hand_coded_doc_ids_as_written(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "001.txt").write_text("甲市工作要点\n加快轨道交通建设。\n引进高层次人才。", encoding="utf-8")
    (corpus / "002.txt").write_text("乙市实施方案\n推进生态环境保护。\n加快交通建设。", encoding="utf-8")
    hand = tmp_path / "hand.csv"
    hand.write_text("doc_id,para,theme,label\n001,1,transport,1\n002,2,transport,1\n001,2,transport,0\n", encoding="utf-8")
    result = run("validate", str(corpus), "--hand-coded", str(hand), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "transport,3,2,0,0,1,1.0,1.0,1.0" in result.output
    hand.write_bytes("doc_id,para,theme,label\n甲,1,transport,1\n".encode("gb18030"))
    unreadable = run("validate", str(corpus), "--hand-coded", str(hand))
    assert unreadable.exit_code == 1 and f"{hand}: not a readable UTF-8 CSV table" in unreadable.output


def test_files_that_cannot_be_written_or_read_are_one_line(tmp_path):
    (tmp_path / "docs.csv").mkdir()
    result = run("corpus", "list", "--output", str(tmp_path / "docs.csv"))
    assert result.exit_code == 1 and f"Error: {tmp_path / 'docs.csv'}: Is a directory" in result.output
    result = run("corpus", "build-seeds", "--directory", str(tmp_path))
    assert result.exit_code == 1 and f"{tmp_path / 'recipe.yaml'}: No such file or directory" in result.output
    assert "Traceback" not in result.output


def test_a_closed_pipe_is_left_to_click_to_end_quietly(monkeypatch):
    """``… | head -1`` closes standard output: that is no file problem to report as an error."""
    import cityanalytics.cli.corpus_commands as corpus_commands

    def closed_pipe(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(corpus_commands, "emit", closed_pipe)
    result = run("corpus", "list")
    assert result.exit_code == 1 and "Error" not in result.output and "Broken pipe" not in result.output


@pytest.mark.parametrize(
    "args, option",
    [
        (["topics", "terms", "--k", "0"], "--k"),
        (["topics", "sweep", "--k", "3", "--k", "-1"], "--k"),
        (["expand", "--theme", "talent", "--n", "-1"], "--n"),
        (["compare", "--n-perm", "0"], "--n-perm"),
        (["kwic", "--pattern", "长三角", "--window", "-1"], "--window"),
        (["emphasis", "--n-boot", "-5"], "--n-boot"),
        (["keyness", "--by", "year", "--target", "abc"], "--target"),
        (["textrank", "--window", "1"], "--window"),
        (["topics", "terms", "--min-docs", "-3"], "--min-docs"),
        (["topics", "terms", "--max-docs-share", "7"], "--max-docs-share"),
    ],
)
def test_out_of_range_values_are_refused_naming_the_option(args, option):
    result = run(*args)
    assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output


def test_a_folder_without_documents_is_an_error(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in (["frequency", str(empty)], ["corpus", "report", str(empty)]):
        result = run(*args)
        assert result.exit_code == 1 and f"{empty}: no files to read" in result.output
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    result = run("frequency", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path}: no document to analyse (1 of 1 files skipped; `cityanalytics corpus report" in result.output
    (tmp_path / "good.txt").write_text("嘉兴市实施方案\n加快接轨上海。", encoding="utf-8")
    result = run("frequency", str(tmp_path), "--format", "csv")
    assert result.exit_code == 0 and f"warning: {tmp_path}: 1 of 2 files skipped" in result.output
    report = run("corpus", "report", str(tmp_path), "--format", "csv")
    assert report.exit_code == 0 and "binary.txt,skipped" in report.output
    (tmp_path / "binary.txt").unlink()
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # a hidden file is expected, not warned about
    result = run("frequency", str(tmp_path), "--format", "csv")
    assert result.exit_code == 0 and "warning" not in result.output
    report = run("corpus", "report", str(tmp_path), "--format", "csv")
    assert ".DS_Store,skipped,hidden file" in report.output  # still accounted for


def test_warnings_are_one_line_without_source(user_folder):
    result = run("trends", str(user_folder), "--term", "不存在的词", "--n-boot", "5")
    assert result.exit_code == 0, result.output
    assert "warning: term '不存在的词' is not a token anywhere" in result.output
    assert "UserWarning" not in result.output and "analysis_commands.py" not in result.output


def test_output_suffix_is_read_without_regard_to_case(tmp_path):
    out = tmp_path / "docs.PARQUET"
    assert run("corpus", "list", "--output", str(out)).exit_code == 0
    assert len(pd.read_parquet(out)) == 9


def test_an_empty_table_prints_its_columns_and_says_so():
    result = run("kwic", "--pattern", "不存在的词语")
    assert result.exit_code == 0 and "Empty DataFrame" not in result.output
    assert "doc_id  section  para  sent  i  left  keyword  right" in result.output and "no rows" in result.output


def test_python_dash_m_runs_the_command_line():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "cityanalytics", "--help"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("Usage: cityanalytics [OPTIONS] COMMAND") and "emphasis" in done.stdout
