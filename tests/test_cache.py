"""The token cache: identical tables cold and warm, misses for edited text or configuration, safe writes."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import cityanalytics as ca
import cityanalytics.text.tokens as tokens_module
from cityanalytics.cli import main
from cityanalytics.errors import InputFileError
from cityanalytics.text import cache as cache_module
from cityanalytics.text.cache import TokenCache, cache_info, cache_key, cache_root, clear_cache


@pytest.fixture(scope="module")
def seeds():
    return ca.load_corpus()


@pytest.fixture(scope="module")
def seed_tokens(seeds):
    return ca.tokenize(seeds, progress=False)


@pytest.fixture
def tokenized_documents(monkeypatch):
    """The texts the cache hands to the tokenizer, run by run."""
    runs: list[list[str]] = []
    original = tokens_module.tokenize

    def spy(corpus, *args, **kwargs):
        runs.append(corpus.docs["text"].tolist())
        return original(corpus, *args, **kwargs)

    monkeypatch.setattr(tokens_module, "tokenize", spy)
    return runs


def assert_same_tokens(expected, actual):
    pd.testing.assert_frame_equal(expected.table, actual.table)
    pd.testing.assert_frame_equal(expected.docvars, actual.docvars)
    assert actual.config == expected.config


def test_cold_and_warm_runs_equal_an_uncached_run(seeds, seed_tokens, tmp_path, tokenized_documents):
    cold = ca.tokenize(seeds, cache=tmp_path, progress=False)
    warm = ca.tokenize(seeds, cache=tmp_path, progress=False)
    assert_same_tokens(seed_tokens, cold)
    assert_same_tokens(seed_tokens, warm)
    assert list(warm.table["token"].cat.categories) == list(seed_tokens.table["token"].cat.categories)
    assert [len(texts) for texts in tokenized_documents] == [len(seeds)]  # the warm run tokenized nothing
    info = cache_info(tmp_path)
    assert info[["documents", "parts"]].values.tolist() == [[len(seeds), 1]]


def test_an_edited_document_alone_is_tokenized_again(seeds, tmp_path, tokenized_documents):
    ca.tokenize(seeds, cache=tmp_path, progress=False)
    docs = seeds.docs.drop(columns=["n_chars"]).copy()
    docs.loc[2, "text"] = docs.loc[2, "text"] + "\n新增一段：推进长三角一体化。"
    edited = ca.Corpus(docs)
    cached = ca.tokenize(edited, cache=tmp_path, progress=False)
    assert tokenized_documents[-1] == [docs.loc[2, "text"]]
    assert_same_tokens(ca.tokenize(edited, progress=False), cached)
    assert cache_info(tmp_path)[["documents", "parts"]].values.tolist() == [[len(seeds) + 1, 2]]


def test_a_subset_reads_only_its_documents_and_keeps_every_doc_id(seeds, tmp_path):
    ca.tokenize(seeds, cache=tmp_path, progress=False)
    subset = seeds.subset(city="杭州")
    assert_same_tokens(ca.tokenize(subset, progress=False), ca.tokenize(subset, cache=tmp_path, progress=False))


def test_repeated_texts_and_empty_documents(tmp_path):
    corpus = ca.Corpus.from_texts(["推进接沪融杭。", "", "推进接沪融杭。", "加快建设。"], city=["嘉兴", "", "嘉兴", "湖州"])
    expected = ca.tokenize(corpus, progress=False)
    for _ in range(2):
        assert_same_tokens(expected, ca.tokenize(corpus, cache=tmp_path, progress=False))
    empty = ca.Corpus.from_texts([])
    assert_same_tokens(ca.tokenize(empty, progress=False), ca.tokenize(empty, cache=tmp_path, progress=False))


def test_any_change_of_configuration_or_code_changes_the_key(monkeypatch):
    base = ca.TokenizerConfig()
    keys = {cache_key(base), cache_key(ca.TokenizerConfig(boilerplate=True)), cache_key(ca.TokenizerConfig(hmm=False))}
    assert len(keys) == 3
    monkeypatch.setattr(ca, "__version__", "99.0")
    assert cache_key(base) not in keys
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "source_hash", lambda: "changed")
    assert cache_key(base) not in keys


def test_the_key_covers_every_module_of_the_package(tmp_path):
    """Headings, sections and sentences come from modules beyond the tokenizer's own (line
    structure, sentence spans): an edit to any of them must miss the cache."""
    import shutil

    from cityanalytics.provenance import PACKAGE_ROOT, source_hash

    assert cache_module.describe_key(ca.TokenizerConfig())["code"] == source_hash()
    for module in ("corpus/line_structure.py", "corpus/sentence_spans.py", "codepoints.py"):
        copy = tmp_path / module.replace("/", "_") / "cityanalytics"
        shutil.copytree(PACKAGE_ROOT, copy, ignore=shutil.ignore_patterns("__pycache__"))
        with open(copy / module, "a", encoding="utf-8") as source:
            source.write("\n# edited\n")
        assert source_hash(copy) != source_hash(), module


def test_editing_any_dictionary_or_stopword_file_changes_the_key(tmp_path):
    """Two user dictionaries of the same name, and a user file named like a shipped one, each keep their own hash."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "places.txt").write_text("接沪融杭 20000 nz\n", encoding="utf-8")
    (tmp_path / "stop.txt").write_text("推进\n", encoding="utf-8")
    files = {"user_dicts": (str(tmp_path / "a" / "places.txt"), str(tmp_path / "b" / "places.txt")),
             "user_stopwords": (str(tmp_path / "stop.txt"),)}
    before = cache_key(ca.TokenizerConfig(**files))
    (tmp_path / "a" / "places.txt").write_text("接沪融杭 20000 nz\n同城化 20000 nz\n", encoding="utf-8")
    after_dictionary = cache_key(ca.TokenizerConfig(**files))
    (tmp_path / "stop.txt").write_text("推进\n加强\n", encoding="utf-8")
    after_stopwords = cache_key(ca.TokenizerConfig(**files))
    assert len({before, after_dictionary, after_stopwords}) == 3
    hashes = ca.TokenizerConfig(**files).describe()["dictionary_hashes"]
    assert set(hashes) == {"policy_lexicon.txt", "places.txt", "user_dicts[0]:places.txt", "user_dicts[1]:places.txt"}


def test_configurations_are_cached_apart(seeds, tmp_path, tokenized_documents):
    ca.tokenize(seeds, cache=tmp_path, progress=False)
    boiler = ca.tokenize(seeds, cache=tmp_path, progress=False, boilerplate=True)
    assert len(tokenized_documents) == 2
    assert_same_tokens(ca.tokenize(seeds, progress=False, boilerplate=True), boiler)
    assert len(cache_info(tmp_path)) == 2


def test_a_dictionary_edited_after_its_configuration_was_made_never_mixes_into_the_cache(tmp_path):
    dictionary = tmp_path / "mine.dict"
    dictionary.write_text("示范区建设 100000\n", encoding="utf-8")
    corpus = ca.Corpus.from_texts(["推进示范区建设。"])
    config = ca.TokenizerConfig(user_dicts=str(dictionary))  # one file as a string
    assert config.user_dicts == (str(dictionary),)
    before = ca.tokenize(corpus, config, progress=False).to_frame()["token"].tolist()
    dictionary.write_text("示范区 100000\n", encoding="utf-8")
    # the old configuration goes on with what it read, under the key of what it read
    stale = ca.tokenize(corpus, config, cache=tmp_path / "cache", progress=False).to_frame()["token"].tolist()
    assert stale == before == ["推进", "示范区建设", "。"]
    edited = ca.TokenizerConfig(user_dicts=[str(dictionary)])  # a list, as YAML gives it
    assert edited.key != config.key and edited.user_dicts == (str(dictionary),)
    assert edited != config and edited not in {config}  # unequal by what they read, though their fields are alike
    assert edited in {edited}  # hashable, as the streaming path's per-run cache needs
    fresh = ca.tokenize(corpus, edited, cache=tmp_path / "cache", progress=False).to_frame()["token"].tolist()
    assert fresh == ["推进", "示范区", "建设", "。"]
    assert config.describe()["dictionary_hashes"] != edited.describe()["dictionary_hashes"]
    # made before the edit, first used after it: the tokenizer is built from what the configuration read
    dictionary.write_text("示范区 100000\n推进者 3\n", encoding="utf-8")  # read by no configuration before
    made_before = ca.TokenizerConfig(user_dicts=[str(dictionary)])
    dictionary.write_text("示范区建设 100000\n", encoding="utf-8")
    assert ca.tokenize(corpus, made_before, progress=False).to_frame()["token"].tolist() == ["推进", "示范区", "建设", "。"]


def test_a_dictionary_named_with_a_dot_folder_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine.dict").write_text("示范区建设 100000\n", encoding="utf-8")
    corpus = ca.Corpus.from_texts(["推进示范区建设。"])
    tokens = ca.tokenize(corpus, user_dicts=["./mine.dict"], progress=False).to_frame()["token"].tolist()
    assert tokens == ["推进", "示范区建设", "。"]


def test_location_from_argument_environment_or_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CITYANALYTICS_CACHE", str(tmp_path / "env"))
    assert cache_root() == tmp_path / "env"
    assert cache_root(tmp_path / "given") == tmp_path / "given"
    ca.tokenize(ca.Corpus.from_texts(["推进接沪融杭。"]), cache=True, progress=False)
    assert len(cache_info(tmp_path / "env")) == 1
    monkeypatch.delenv("CITYANALYTICS_CACHE")
    assert "cityanalytics" in str(cache_root())


def test_an_interrupted_write_leaves_no_index_and_no_temporary_files(seeds, seed_tokens, tmp_path, monkeypatch):
    written = []
    original = cache_module.pq.write_table

    def write_then_fail(table, where, **kwargs):
        written.append(where)
        original(table, where, **kwargs)
        if len(written) == 2:  # the index, after its part
            raise KeyboardInterrupt

    monkeypatch.setattr(cache_module.pq, "write_table", write_then_fail)
    with pytest.raises(KeyboardInterrupt):
        ca.tokenize(seeds, cache=tmp_path, progress=False)
    monkeypatch.undo()
    store = TokenCache(tmp_path, seed_tokens.config)
    assert not [p for p in store.folder.rglob("*") if p.name.startswith(".")]
    assert len(list(store.folder.glob("parts/*"))) == 1 and not list(store.folder.glob("index/*"))
    assert store.index().empty
    assert_same_tokens(seed_tokens, ca.tokenize(seeds, cache=tmp_path, progress=False))


def test_an_unreadable_part_names_the_file(seeds, tmp_path):
    ca.tokenize(seeds, cache=tmp_path, progress=False)
    part = next(tmp_path.rglob("parts/*.parquet"))
    part.write_bytes(b"not parquet")
    with pytest.raises(InputFileError, match=part.name):
        ca.tokenize(seeds, cache=tmp_path, progress=False)
    clear_cache(tmp_path)
    assert cache_info(tmp_path).empty
    ca.tokenize(seeds, cache=tmp_path, progress=False)
    index = next(tmp_path.rglob("index/*.parquet"))
    index.write_bytes(index.read_bytes()[:40])  # a run killed mid-write by another tool
    with pytest.raises(InputFileError, match=f"{index.name}: unreadable token cache index"):
        ca.tokenize(seeds, cache=tmp_path, progress=False)
    clear_cache(tmp_path)
    ca.tokenize(seeds, cache=tmp_path, progress=False)
    part = next(tmp_path.rglob("parts/*.parquet"))
    pq.write_table(pq.read_table(part).slice(0, 3), part)  # a valid part, but shorter than its index says
    with pytest.raises(InputFileError, match=f"{part.name}: token cache part holds 3 rows but its index reads up to"):
        ca.tokenize(seeds, cache=tmp_path, progress=False)


def test_two_runs_caching_the_same_documents_at_once_count_them_once(seeds, seed_tokens, tmp_path):
    first, second = TokenCache(tmp_path, seed_tokens.config), TokenCache(tmp_path, seed_tokens.config)
    first.index(), second.index()  # both look before either has written
    first.tokenize(seeds, progress=False)
    second.tokenize(seeds, progress=False)
    info = cache_info(tmp_path).iloc[0]
    assert (info["documents"], info["parts"]) == (len(seeds), 2)
    assert_same_tokens(seed_tokens, ca.tokenize(seeds, cache=tmp_path, progress=False))


def test_clearing_deletes_only_what_the_cache_wrote(seeds, tmp_path):
    ca.tokenize(seeds, cache=tmp_path, progress=False)
    (tmp_path / "tokens" / "my_hand_checked_tokens.csv").write_text("token\n交通\n", encoding="utf-8")
    (tmp_path / "tokens" / "0123456789abcdef").mkdir()  # a key's name, but a folder of the user's
    (tmp_path / "tokens" / "0123456789abcdef" / "notes.txt").write_text("mine", encoding="utf-8")
    next((tmp_path / "tokens").glob("*/config.json")).with_name(".config.0f.tmp").write_text("{}", encoding="utf-8")
    clear_cache(tmp_path)
    assert cache_info(tmp_path)["documents"].sum() == 0
    left = sorted(p.relative_to(tmp_path / "tokens").as_posix() for p in (tmp_path / "tokens").rglob("*"))
    assert left == ["0123456789abcdef", "0123456789abcdef/notes.txt", "my_hand_checked_tokens.csv"]


def test_a_cache_that_cannot_be_written_still_gives_the_tokens(seeds, tmp_path, monkeypatch):
    def read_only(table, path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(cache_module, "_write_atomically", read_only)
    with pytest.warns(UserWarning, match=r"cannot be written \(Permission denied\); 9 document\(s\) were tokenized"):
        tokens = ca.tokenize(seeds, cache=tmp_path, progress=False)
    assert_same_tokens(tokens, ca.tokenize(seeds, progress=False))


def test_command_line_tokenize_with_cache_info_and_clear(tmp_path, monkeypatch):
    monkeypatch.setenv("CITYANALYTICS_CACHE", str(tmp_path / "cache"))
    runner = CliRunner()
    for name in ("first", "second"):
        result = runner.invoke(main, ["tokenize", "--cache", "--output", str(tmp_path / f"{name}.parquet")])
        assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "first.parquet"), pd.read_parquet(tmp_path / "second.parquet"))
    info = runner.invoke(main, ["cache", "info", "--format", "csv"])
    assert info.exit_code == 0 and "key,documents,parts" in info.output and ",9,1," in info.output
    assert runner.invoke(main, ["cache", "clear"], input="n\n").exit_code != 0  # declined
    assert cache_info().shape[0] == 1
    cleared = runner.invoke(main, ["cache", "clear", "--yes"])
    assert cleared.exit_code == 0 and "cleared" in cleared.output
    assert "no cached token tables" in runner.invoke(main, ["cache", "info"]).output
    assert (tmp_path / "cache").exists() and not (tmp_path / "cache" / "tokens").exists()
    again = runner.invoke(main, ["cache", "clear", "--yes"])
    assert again.exit_code == 0 and f"no token cache in {tmp_path / 'cache' / 'tokens'}: nothing to clear" in again.output


def test_a_warm_read_of_a_few_documents_reads_only_their_row_groups(seeds, tmp_path, monkeypatch):
    monkeypatch.setattr(cache_module, "ROW_GROUP_ROWS", 200)
    ca.tokenize(seeds, cache=tmp_path, progress=False)  # one part holding every seed document
    rows_read = []
    original = TokenCache._read_runs

    def counting(self, part, runs):
        table, moved = original(self, part, runs)
        rows_read.append(table.num_rows)
        return table, moved

    monkeypatch.setattr(TokenCache, "_read_runs", counting)
    shenzhen = seeds.subset(city="深圳")
    warm = ca.tokenize(shenzhen, cache=tmp_path, progress=False)
    assert_same_tokens(ca.tokenize(shenzhen, progress=False), warm)
    assert len(warm) <= rows_read[0] < len(ca.tokenize(seeds, progress=False)) / 2
