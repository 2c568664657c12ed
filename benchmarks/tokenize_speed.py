"""Segmentation and pipeline speed on the local-regulations corpus (11.47 M characters), in one run.

    python benchmarks/tokenize_speed.py [--realdata ../shared/realdata]

Every measurement runs in a fresh process, so none profits from another's warm caches and each
has its own peak memory (resident set of the process and of its largest worker process, if it
had any, from ``getrusage``). Rates are characters of the documents per second of wall-clock time:

- ``jieba.lcut``: plain jieba, module tokenizer, HMM on, each document in one call;
- ``rjieba.cut``: plain rjieba (its own HMM), each document in one call;
- ``jieba_fast_dat.lcut``: if installed, its tokenizer on jieba's dictionary, HMM on, likewise;
- ``backend jieba`` / ``backend rjieba`` / ``backend numba``: cityanalytics' tokenizers (policy
  lexicon and place names, HMM on) segmenting the corpus's sentences in batches of 5,000 into
  codes over each batch's vocabulary, as ``tokenize`` uses them on its chunks (which hold about
  3,000 of this corpus's sentences); set-up not timed;
- ``pipeline``: ``tokenize`` (headings, paragraphs and sentences, segmentation, the token
  table) → ``dtm`` on a corpus made with ``Corpus.from_texts``, with ``n_jobs=1`` (one core) and
  ``n_jobs=-1`` (all); ``pipeline, short documents`` the same with every non-empty line of the
  corpus as a document of its own (207,464 documents), where what is done per document counts.
  As for every row, set-up is not timed (``jieba.lcut`` is timed after ``jieba.initialize()``):
  building the tokenizer and loading the pipeline's compiled kernels from numba's cache (a run
  of the same pipeline on as many short documents with at least 40,000 different numbers between them,
  whose document and word codes take the same integer types), reported on its own;
- ``pipeline, alternating in one process``: the pipeline on the corpus in one process, after
  one run of each way, ``PAIRS`` times on one core and on all, alternating which goes first:
  how it scales with its memory in use, pair by pair, so that a slow spell of the machine
  falls on both ways of a pair alike; in ``PROCESSES`` processes, because how fast one core
  runs changes from one process to the next;
- ``cleaning``: what ``load_corpus`` does to each document's text after reading it, on one core:
  ``to_simplified`` (the Traditional-character test) and ``clean_text``, after a set-up call
  that builds the table of Traditional-only characters from OpenCC and loads the compiled
  cleaning kernels from numba's cache (0.2 s, once per process);
- ``load_corpus``: the texts written out as 1,911 UTF-8 files (not timed), then
  ``load_corpus(folder, n_jobs=...)``: reading, cleaning, metadata inference, the docs table,
  with the cleaning's set-up in each process that cleans;
- the machine's own 1 → N threads (N the cores of ``n_jobs=-1``), in every pipeline process
  after its runs and in every pair of the alternating task: N times the seconds of a kernel on
  one thread over those of N threads running it side by side, each from its own seed, for
  arithmetic (a chain of xorshifts, no memory) and for random reads of one 8 MB table (the size
  of the trie's edge table): what the machine gives compiled work at that moment, which a
  virtual machine's host moves;
- ``memory, first touch, 1 thread`` / ``memory, first touch, all threads``: writing 256 MB of
  new numpy arrays in a fresh process, on one thread or split between N threads writing side by
  side, :data:`SETTLE` seconds after the texts are loaded, then writing them again: the price this
  machine puts on memory a process has not used before, which every fresh process pays for its
  token table (the pipelines also report a second run in their process), and how far that price
  shrinks when N threads pay it at once;
- ``numba set-up, first use``: building the numba tokenizer in a process whose compiled-kernel
  cache is empty (``NUMBA_CACHE_DIR`` set to a new folder): the one-off compilation after
  installing; later processes load the kernels from the cache, as the set-up column shows.

Prints a markdown table to paste into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from numba import njit

from cityanalytics.cores import worker_count
from cityanalytics.text.segment import backend_installed

CORPUS = "lawrefbook_local_regulations.jsonl"
BATCH = 5000
"""Sentences per call of a backend: as many as in every run of these rows since the first, near
the 3,000 that one of tokenize's chunks (150,000 characters) holds of this corpus."""
TASKS = ["jieba.lcut", "rjieba.cut", "jieba_fast_dat.lcut", "backend jieba", "backend rjieba", "backend numba",
         "pipeline, 1 core", "pipeline, all cores", "pipeline, short documents, 1 core",
         "pipeline, short documents, all cores", "pipeline, alternating in one process", "cleaning",
         "load_corpus, 1 core", "load_corpus, all cores", "numba set-up, first use", "memory, first touch, 1 thread",
         "memory, first touch, all threads"]
TOUCH = ["memory, first touch, 1 thread", "memory, first touch, all threads"]
REPEATED = ["backend numba", "pipeline, 1 core", "pipeline, all cores", "pipeline, short documents, 1 core",
            "pipeline, short documents, all cores", "cleaning", "load_corpus, 1 core", "load_corpus, all cores", *TOUCH]
"""The fast tasks, run ``--repeat`` times: on a shared machine one run of a second or two is noisy."""
SHORT = ["pipeline, short documents, 1 core", "pipeline, short documents, all cores"]
"""Reported on their own: their text is the corpus's lines, not its documents."""
ALTERNATING = "pipeline, alternating in one process"
PAIRS = 30
"""Runs on one core and on all in the alternating task: each pair takes one to two seconds here."""
PROCESSES = 3
"""Fresh processes that each run the alternating task."""
MACHINE_PAIRS = 4
"""Pairs of the machine's own 1 → N measurement after each pipeline's runs."""


def load_texts(realdata: Path) -> list[str]:
    return [json.loads(line)["text"] for line in (realdata / CORPUS).read_text("utf-8").splitlines()]


def short_documents(texts: list[str]) -> list[str]:
    """Every non-empty line of the texts as a document of its own."""
    return [line for text in texts for line in text.split("\n") if line.strip()]


def run_task(task: str, texts: list[str], folder: Path) -> dict:
    """Time one task in this process; returns seconds and, for the pipeline, its steps."""
    import cityanalytics as ca
    from cityanalytics.text.segment import TokenizerConfig, tokenizer_for

    steps: dict[str, float] = {}
    if task == "jieba.lcut":
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        started = time.perf_counter()
        for text in texts:
            jieba.lcut(text)
    elif task == "rjieba.cut":
        import rjieba

        tokenizer = rjieba.Jieba()
        started = time.perf_counter()
        for text in texts:
            tokenizer.cut(text, True)
    elif task == "jieba_fast_dat.lcut":
        import jieba
        import jieba_fast_dat

        jieba_fast_dat.setLogLevel(60)
        tokenizer = jieba_fast_dat.Tokenizer(str(Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME))
        tokenizer.initialize()
        started = time.perf_counter()
        for text in texts:
            tokenizer.lcut(text)
    elif task.startswith("backend"):
        sentences = ca.Corpus.from_texts(texts).sentences()["text"].tolist()
        tokenizer = tokenizer_for(TokenizerConfig(backend=task.split()[1]))
        tokenizer.lcut("预热")
        started = time.perf_counter()
        for start in range(0, len(sentences), BATCH):  # batches of sentences, as tokenize gives its chunks
            tokenizer.encode_sentences(sentences[start : start + BATCH])
    elif task == "cleaning":
        from cityanalytics.corpus import clean

        clean.clean_text(clean.to_simplified("預熱")[0])  # set-up: OpenCC's table, the compiled cleaning kernels
        started = time.perf_counter()
        for text in texts:
            clean.clean_text(clean.to_simplified(text)[0])
    elif task.startswith("load_corpus"):
        started = time.perf_counter()
        ca.load_corpus(folder, n_jobs=1 if task.endswith("1 core") else -1, progress=False)
    elif task == ALTERNATING:
        return alternating_runs(ca.Corpus.from_texts(texts))
    elif task in TOUCH:
        return first_touch(1 if task == TOUCH[0] else worker_count(-1))
    elif task == "numba set-up, first use":
        started = time.perf_counter()
        tokenizer_for(TokenizerConfig(backend="numba")).lcut("预热")
    else:
        n_jobs = 1 if task.endswith("1 core") else -1
        texts = short_documents(texts) if task in SHORT else texts
        set_up = time.perf_counter()
        tokenizer_for(TokenizerConfig()).lcut("预热")
        ca.dtm(ca.tokenize(ca.Corpus.from_texts(warm_up_texts(len(texts))), n_jobs=n_jobs, progress=False), n_jobs=n_jobs)
        steps["set-up (not timed)"] = time.perf_counter() - set_up
        corpus = ca.Corpus.from_texts(texts)
        steps["tokenize"], steps["dtm"] = run_pipeline(corpus, n_jobs)
        steps["again, in the same process"] = sum(run_pipeline(corpus, n_jobs))
        result = task_result(steps["tokenize"] + steps["dtm"], steps)  # its peak memory before the machine's kernels
        scaling = {name: statistics.median(ratios) for name, ratios in machine_ratios(MACHINE_PAIRS).items()}
        return {**result, "machine": scaling}
    return task_result(time.perf_counter() - started, steps)


@njit(nogil=True)
def _arithmetic(seed: int, n: int) -> int:
    x, total = np.uint64(88172645463325252 + seed), np.uint64(0)
    for _ in range(n):
        x ^= x << np.uint64(13)
        x ^= x >> np.uint64(7)
        x ^= x << np.uint64(17)
        total += x
    return total


@njit(nogil=True)
def _random_reads(seed: int, table: np.ndarray, n: int) -> int:
    x, total, mask = np.uint64(88172645463325252 + seed), 0, np.uint64(table.size - 1)
    for _ in range(n):
        x ^= x << np.uint64(13)
        x ^= x >> np.uint64(7)
        x ^= x << np.uint64(17)
        total += table[x & mask]
    return total


MACHINE_KERNELS = {"arithmetic": _arithmetic, "8 MB reads": _random_reads}
"""Kernels that need nothing of the pipeline (see :func:`kernel_arguments`); each thread passes its
own seed, so that threads reading one table read different places of it, as the threads that
segment read different places of the one trie."""


def kernel_arguments(name: str) -> tuple:
    """The arguments of a machine kernel after the seed, about 0.05 s on one thread here; the 8 MB
    table is made only when the kernel runs, after the pipeline's peak memory is taken."""
    return (30_000_000,) if name == "arithmetic" else (np.arange(1 << 20, dtype=np.int64), 15_000_000)


def side_by_side(kernel, args: tuple, n_threads: int) -> float:
    """Seconds for ``n_threads`` threads each running ``kernel(seed, *args)`` at once, each its own seed."""
    threads = [threading.Thread(target=kernel, args=(seed, *args)) for seed in range(n_threads)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def machine_ratios(pairs: int, first_pair: int = 0) -> dict[str, list[float]]:
    """The machine's own 1 → N threads (N the cores that ``n_jobs=-1`` uses) for each kernel,
    ``pairs`` times, alternating which way goes first (from pair number ``first_pair`` on, so
    that one pair at a time alternates too): N times the seconds on one thread over the seconds
    of N threads side by side."""
    cores = worker_count(-1)
    ratios: dict[str, list[float]] = {}
    for name, kernel in MACHINE_KERNELS.items():
        args = kernel_arguments(name)
        kernel(0, *args[:-1], 1)  # compiles it
        ratios[name] = []
        for pair in range(first_pair, first_pair + pairs):
            order = (1, cores) if pair % 2 else (cores, 1)
            seconds = dict(zip(order, (side_by_side(kernel, args, n) for n in order)))
            ratios[name].append(cores * seconds[1] / seconds[cores])
    return ratios


def warm_up_texts(n_documents: int, n_words: int = 40_000) -> list[str]:
    """As many documents as the corpus, with a heading and at least ``n_words`` different numbers between them (one
    per document where there are more documents than that):
    a table whose codes have the integer types of the corpus's (pandas keeps the codes of fewer
    than 32,767 documents or words in 16 bits, of fewer than 127 in 8), so that running the pipeline
    on it loads every compiled kernel the timed run calls, for those types."""
    per_document = -(-n_words // max(n_documents - 1, 1))
    numbers = (" ".join(map(str, range(n * per_document, (n + 1) * per_document))) + "。" for n in range(n_documents - 1))
    return ["第一章 总则\n加强交通建设。", *numbers]


def run_pipeline(corpus, n_jobs: int) -> tuple[float, float]:
    """Seconds of ``tokenize`` and of ``dtm`` on the corpus."""
    import cityanalytics as ca

    started = time.perf_counter()
    tokens = ca.tokenize(corpus, n_jobs=n_jobs, progress=False)
    tokenized = time.perf_counter()
    ca.dtm(tokens, n_jobs=n_jobs)
    return tokenized - started, time.perf_counter() - tokenized


def alternating_runs(corpus) -> dict:
    """The pipeline's seconds on one core and on all, ``PAIRS`` runs of each in this process,
    alternating which goes first, after one run of each way (not timed)."""
    for n_jobs in (1, -1):
        run_pipeline(corpus, n_jobs)
    seconds: dict[int, list[float]] = {1: [], -1: []}
    scaling: dict[str, list[float]] = {name: [] for name in MACHINE_KERNELS}
    for pair in range(PAIRS):
        for n_jobs in (1, -1) if pair % 2 else (-1, 1):
            seconds[n_jobs].append(sum(run_pipeline(corpus, n_jobs)))
        for name, ratios in machine_ratios(1, pair // 2).items():  # its order not tied to the pipelines'
            scaling[name].append(ratios[0])
    return {**task_result(statistics.median(seconds[-1]), {"1 core": seconds[1], "all cores": seconds[-1]}),
            "machine": scaling}


SETTLE = 3.0
"""Seconds a first-touch process waits, once its imports are done and the texts loaded, before it
writes: this virtual machine hands memory that was freed (by the process before) back to its host
within seconds, which is taken to have happened by the time a pipeline's timed run starts (after the
same imports and loading, and its set-up of about a second), so that both get memory of that kind.
Not measured: where the host takes longer than the set-up to take memory back, this overstates what
the timed run pays."""


TOUCH_MB = 256
"""Megabytes of new memory the first-touch tasks write."""


def first_touch(n_threads: int, megabytes: int = TOUCH_MB) -> dict:
    """Seconds for ``n_threads`` threads to write ``megabytes`` of new numpy arrays side by side
    (an equal share each), :data:`SETTLE` seconds after being called, then to write them
    again: what a fresh process pays this machine for memory it has not used before."""
    time.sleep(SETTLE)
    shares = [np.empty((megabytes << 18) // n_threads, dtype=np.int32) for _ in range(n_threads)]
    first = side_by_side(_fill, (shares, 1), n_threads)
    return task_result(first, {"again": side_by_side(_fill, (shares, 2), n_threads)})


def _fill(thread: int, shares: list[np.ndarray], value: int) -> None:
    shares[thread].fill(value)  # numpy's fill releases the GIL


def task_result(seconds: float, steps: dict[str, float]) -> dict:
    """A task's seconds and steps with the peak memory of this process and of its largest worker."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"seconds": seconds, "steps": steps, "peak_mb": own, "worker_peak_mb": worker}


def write_folder(texts: list[str], folder: Path) -> None:
    """The texts as UTF-8 files, for ``load_corpus``."""
    for n, text in enumerate(texts):
        (folder / f"regulation_{n:05d}.txt").write_text(text, encoding="utf-8")


def measure(task: str, realdata: Path, folder: Path) -> dict:
    """Run one task in a fresh Python process and read back its result."""
    command = [sys.executable, __file__, "--realdata", str(realdata), "--folder", str(folder), "--task", task]
    with tempfile.TemporaryDirectory() as empty:
        env = {**os.environ, "NUMBA_CACHE_DIR": empty} if task == "numba set-up, first use" else None
        done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def median_run(runs: list[dict]) -> dict:
    """The run of median seconds, with every run's seconds, and each step's seconds in every run, beside it."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    steps = {step: [run["steps"][step] for run in runs] for step in runs[0]["steps"]}
    scaling = {name: [run["machine"][name] for run in runs] for name in runs[0].get("machine", {})}
    return {**ordered[(len(ordered) - 1) // 2], "all_seconds": [run["seconds"] for run in runs], "all_steps": steps,
            "all_machine": scaling}


def resampled_medians(values: list[float], rng, draws: int = 4000):
    """The medians of ``draws`` bootstrap resamples of ``values``."""
    return np.median(rng.choice(np.asarray(values), (draws, len(values))), axis=1)


def ratio_interval(first: list[float], second: list[float], seed: int = 0) -> tuple[float, float]:
    """A 95 % bootstrap interval of ``median(first) / median(second)``, each list resampled on its
    own (seeded, so a report is reproducible): how far a ratio of a few noisy runs can be trusted."""
    rng = np.random.default_rng(seed)
    low, high = np.quantile(resampled_medians(first, rng) / resampled_medians(second, rng), [0.025, 0.975])
    return float(low), float(high)


def pair_ratios(first: list[float], second: list[float]) -> list[float]:
    """Each run of ``first`` over the run of ``second`` paired with it."""
    return [a / b for a, b in zip(first, second)]


def nested_median_interval(groups: list[list[float]], draws: int = 4000, seed: int = 0) -> tuple[float, float]:
    """A 95 % bootstrap interval of the median of every value of every group, resampling the
    groups (processes) and then the values within each drawn group (seeded): an interval that
    speaks for other processes too, not only for the pairs of the ones measured."""
    rng = np.random.default_rng(seed)
    medians = np.empty(draws)
    for draw in range(draws):
        drawn = [np.asarray(groups[g]) for g in rng.integers(len(groups), size=len(groups))]
        medians[draw] = np.median(np.concatenate([rng.choice(values, len(values)) for values in drawn]))
    low, high = np.quantile(medians, [0.025, 0.975])
    return float(low), float(high)


def machine_spread(*runs: dict[str, list[float]]) -> str:
    """Each machine kernel's 1 → N ratios over the given runs: median and range."""
    spread = []
    for name in MACHINE_KERNELS:
        ratios = [ratio for run in runs for ratio in run[name]]
        spread.append(f"{name} {statistics.median(ratios):.2f} × ({min(ratios):.2f}–{max(ratios):.2f} ×)")
    return ", ".join(spread)


def per_process_machine(processes: list[dict]) -> str:
    """Each machine kernel's median 1 → N ratio in each process."""
    medians = {name: ", ".join(f"{statistics.median(process['machine'][name]):.2f}" for process in processes)
               for name in MACHINE_KERNELS}
    return "; ".join(f"{name} {values} ×" for name, values in medians.items())


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} logical CPUs"


def versions() -> str:
    from importlib.metadata import version

    names = ["jieba", "rjieba", "numba", "numpy", "pandas"]
    return f"Python {platform.python_version()}; " + ", ".join(f"{name} {version(name)}" for name in names)


def report(results: dict[str, dict], texts: list[str], load: tuple[tuple, tuple], repeat: int) -> None:
    n_chars = sum(map(len, texts))
    cores = worker_count(-1)  # what n_jobs=-1 uses
    base = results["jieba.lcut"]["seconds"]
    print(f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"- machine: {machine()}")
    print(f"- {versions()}")
    print(f"- load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load[0])}; "
          f"after: {', '.join(f'{x:.2f}' for x in load[1])}")
    print(f"- text: {CORPUS}, {n_chars / 1e6:.2f} M characters")
    print(f"- {'; '.join(REPEATED)}: median of {repeat} runs, alternating\n")
    print("| measurement | seconds | M chars/s | × jieba.lcut | peak RSS MB | largest worker MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for task, result in results.items():
        if task in ("numba set-up, first use", ALTERNATING, *SHORT, *TOUCH):
            continue
        seconds = result["seconds"]
        worker = f"{result['worker_peak_mb']:.0f}" if task.endswith("all cores") and result["worker_peak_mb"] else ""
        print(f"| {task} | {seconds:.2f} | {n_chars / seconds / 1e6:.2f} | {base / seconds:.1f} "
              f"| {result['peak_mb']:.0f} | {worker} |")
    raw = results["backend numba"]["seconds"]
    one, every = results["pipeline, 1 core"], results["pipeline, all cores"]
    print()
    for task in REPEATED:
        print(f"- {task}, every run: {', '.join(f'{seconds:.2f}' for seconds in results[task]['all_seconds'])} s")
    for name, result in (("1 core", one), ("all cores", every)):
        steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in result["steps"].items())
        print(f"- pipeline, {name} (the median run): {steps}")
    short_one, short_every = (results[task] for task in SHORT)
    lines = short_documents(texts)
    print(f"- short documents ({len(lines):,} lines of the corpus as documents, "
          f"{sum(map(len, lines)) / 1e6:.2f} M characters): pipeline on 1 core "
          f"{short_one['seconds']:.2f} s (tokenize {short_one['steps']['tokenize']:.2f} s, dtm "
          f"{short_one['steps']['dtm']:.2f} s), on all cores {short_every['seconds']:.2f} s (tokenize "
          f"{short_every['steps']['tokenize']:.2f} s, dtm {short_every['steps']['dtm']:.2f} s); 1 → "
          f"{cores} cores {short_one['seconds'] / short_every['seconds']:.2f} ×")
    print(f"- numba set-up on first use (compiling the kernels into an empty cache): "
          f"{results['numba set-up, first use']['seconds']:.1f} s")
    rest = one["seconds"] - raw
    cleaning = results["cleaning"]["seconds"]
    print(f"- everything but segmentation (pipeline on 1 core minus `backend numba`): {rest:.2f} s, "
          f"{rest / raw:.2f} × the segmentation time; with the cleaning of a load: {rest + cleaning:.2f} s, "
          f"{(rest + cleaning) / raw:.2f} ×")
    low, high = ratio_interval(one["all_seconds"], every["all_seconds"])
    print(f"- 1 → {cores} cores: pipeline {one['seconds'] / every['seconds']:.2f} × (95 % bootstrap "
          f"interval over the runs {low:.2f}–{high:.2f} ×), tokenize {one['steps']['tokenize'] / every['steps']['tokenize']:.2f} ×, load_corpus "
          f"{results['load_corpus, 1 core']['seconds'] / results['load_corpus, all cores']['seconds']:.2f} ×")
    paired = pair_ratios(one["all_seconds"], every["all_seconds"])
    print(f"- 1 → {cores} cores run by run (each one-core pipeline over the all-cores one run just "
          f"after it): {', '.join(f'{ratio:.2f}' for ratio in paired)} ×, median {statistics.median(paired):.2f} ×")
    print(f"- the machine's own 1 → {cores} threads in the same {2 * repeat} processes, after each pipeline's runs "
          f"(median of {MACHINE_PAIRS} pairs in each): {machine_spread(one['all_machine'], every['all_machine'])}")
    again_one, again_every = (statistics.median(result["all_steps"]["again, in the same process"])
                              for result in (one, every))
    again_low, again_high = ratio_interval(*(result["all_steps"]["again, in the same process"] for result in (one, every)))
    print(f"- the pipeline again in the same process (memory already in use; medians of the {repeat} second runs): "
          f"1 core {again_one:.2f} s, everything but segmentation {(again_one - raw) / raw:.2f} × the segmentation "
          f"time; all cores {again_every:.2f} s, 1 → {cores} cores {again_one / again_every:.2f} × "
          f"({again_low:.2f}–{again_high:.2f} ×)")
    processes = [result["steps"] for result in results[ALTERNATING]["processes"]]
    ratios = [pair_ratios(steps["1 core"], steps["all cores"]) for steps in processes]
    low, high = nested_median_interval(ratios)
    one_way = ", ".join(f"{statistics.median(steps['1 core']):.3f}" for steps in processes)
    every_way = ", ".join(f"{statistics.median(steps['all cores']):.3f}" for steps in processes)
    print(f"- in {len(processes)} processes, {PAIRS} runs of each way alternating in each (memory in use): "
          f"1 core {one_way} s, all cores {every_way} s (medians per process); 1 → {cores} cores run by run: "
          f"medians of the pairs' ratios {', '.join(f'{statistics.median(r):.2f}' for r in ratios)} ×, of all "
          f"{sum(map(len, ratios))} pairs {statistics.median([x for r in ratios for x in r]):.2f} × (95 % bootstrap "
          f"interval over the processes and their pairs {low:.2f}–{high:.2f} ×); the machine's own 1 → {cores} threads in "
          f"each pair, medians per process: {per_process_machine(results[ALTERNATING]['processes'])}")
    one_touch, every_touch = (results[task] for task in TOUCH)
    low, high = ratio_interval(one_touch["all_seconds"], every_touch["all_seconds"])
    print(f"- memory: writing {TOUCH_MB} MB of new numpy arrays in a fresh process, {SETTLE:.0f} s after loading the texts, "
          f"takes {one_touch['seconds']:.2f} s on one thread ({one_touch['seconds'] / TOUCH_MB * 1000:.2f} ms per MB) "
          f"and {every_touch['seconds']:.2f} s on {cores} threads side by side: 1 → {cores} threads "
          f"{one_touch['seconds'] / every_touch['seconds']:.2f} × ({low:.2f}–{high:.2f} ×); writing them again "
          f"{statistics.median(one_touch['all_steps']['again']):.3f} s and "
          f"{statistics.median(every_touch['all_steps']['again']):.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "realdata")
    parser.add_argument("--repeat", type=int, default=5,
                        help="runs of each fast task (numba's segmentation, the pipelines, cleaning, loading, first "
                             "touches of memory), alternating; medians reported")
    parser.add_argument("--task", choices=TASKS, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.task:
        print(json.dumps(run_task(args.task, load_texts(args.realdata), args.folder)))
        return
    with tempfile.TemporaryDirectory() as folder:
        write_folder(load_texts(args.realdata), Path(folder))
        run_all(args, Path(folder))


def run_all(args: argparse.Namespace, folder: Path) -> None:
    """Every task, the fast ones ``--repeat`` times, and the report."""
    texts = load_texts(args.realdata)
    before = os.getloadavg()
    results = {}
    for task in [task for task in TASKS if task not in REPEATED]:
        if task == "jieba_fast_dat.lcut" and not backend_installed("jieba_fast_dat"):
            continue
        if task == ALTERNATING:
            results[task] = {"processes": [measure(task, args.realdata, folder) for _ in range(PROCESSES)]}
            continue
        results[task] = measure(task, args.realdata, folder)
        print(f"{task}: {results[task]['seconds']:.2f} s", file=sys.stderr, flush=True)
    runs: dict[str, list[dict]] = {task: [] for task in REPEATED}
    for _ in range(args.repeat):  # alternating, so a slow spell of the machine falls on every task alike
        for task in REPEATED:
            runs[task].append(measure(task, args.realdata, folder))
            print(f"{task}: {runs[task][-1]['seconds']:.2f} s", file=sys.stderr, flush=True)
    results.update({task: median_run(found) for task, found in runs.items()})
    report(results, texts, (before, os.getloadavg()), args.repeat)


if __name__ == "__main__":
    main()
