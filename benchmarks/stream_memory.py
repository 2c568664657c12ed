"""Peak memory of streaming counts against counting in memory, and the token cache cold against warm.

    python benchmarks/stream_memory.py [--corpus PATH] [--n-jobs 2] [--chunk-size 200]

Each measurement runs in a fresh Python process; its peak resident memory is sampled every
50 ms over the process and all its children (the worker processes) together. The 10x corpus is
the regulations read ten times over with distinct doc_ids, generated on the fly: nothing is
written to disk. Prints one table.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REGULATIONS = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "lawrefbook_local_regulations.jsonl"
FIELDS = {"id_field": "id", "docvar_fields": ("province", "title")}


def replicated(path: Path, times: int):
    """The records of ``path`` ``times`` over, with doc_ids made distinct by the round."""
    import cityanalytics as ca

    for round_ in range(times):
        for record in ca.read_jsonl(path, **FIELDS):
            yield {**record, "doc_id": f"{round_}-{record['doc_id']}"}


def measure(task: str, path: Path, n_jobs: int, chunk_size: int, cache: str) -> dict:
    """Run one task (in the process that this script starts for it) and report what it made."""
    import cityanalytics as ca

    start = time.perf_counter()
    if task == "in memory, 1x":
        records = list(ca.read_jsonl(path, **FIELDS))
        corpus = ca.Corpus.from_texts([r["text"] for r in records], doc_ids=[r["doc_id"] for r in records],
                                      **{f: [r[f] for r in records] for f in FIELDS["docvar_fields"]})
        counts = ca.dtm(ca.tokenize(corpus, n_jobs=n_jobs, progress=False))
    elif task.startswith("streamed"):
        times = int(task.rsplit(" ", 1)[1].rstrip("x"))
        counts = ca.stream_dtm(ca.record_chunks(replicated(path, times), size=chunk_size), n_jobs=n_jobs, progress=False)
    else:  # "tokenize, cache cold" / "tokenize, cache warm"
        records = list(ca.read_jsonl(path, **FIELDS))
        corpus = ca.Corpus.from_texts([r["text"] for r in records], doc_ids=[r["doc_id"] for r in records])
        tokens = ca.tokenize(corpus, n_jobs=n_jobs, progress=False, cache=cache)
        return {"seconds": time.perf_counter() - start, "result": f"{len(tokens):,} tokens"}
    return {"seconds": time.perf_counter() - start, "result": f"{counts.shape[0]:,} docs x {counts.shape[1]:,} terms"}


def run_measured(task: str, args) -> dict:
    """Run ``task`` in a child process and sample the peak RSS of it and its children."""
    command = [sys.executable, __file__, "--task", task, "--corpus", str(args.corpus), "--n-jobs", str(args.n_jobs),
               "--chunk-size", str(args.chunk_size), "--cache", args.cache]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    process, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    if child.returncode != 0:
        raise SystemExit(f"{task} failed with status {child.returncode}")
    return {"task": task, **json.loads(child.stdout.read()), "peak_rss_mb": peak / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=REGULATIONS)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=200)
    parser.add_argument("--cache", default="")
    parser.add_argument("--task")
    args = parser.parse_args()
    if args.task:
        print(json.dumps(measure(args.task, args.corpus, args.n_jobs, args.chunk_size, args.cache)))
        return
    import pandas as pd

    import cityanalytics as ca

    with tempfile.TemporaryDirectory() as cache:
        args.cache = cache
        tasks = ["in memory, 1x", "streamed, 1x", "streamed, 10x", "tokenize, cache cold", "tokenize, cache warm"]
        rows = [run_measured(task, args) for task in tasks]
    described = ca.TokenizerConfig().describe()
    print(f"corpus: {args.corpus.name}; n_jobs {args.n_jobs}; chunks of {args.chunk_size} documents")
    print(f"machine: {platform.platform()}, {psutil.cpu_count()} logical CPUs, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB; Python {platform.python_version()}, "
          f"cityanalytics {ca.__version__}; tokenizer {described['backend']} {described['backend_version']}")
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, formatters={"seconds": "{:.1f}".format, "peak_rss_mb": "{:.0f}".format}))


if __name__ == "__main__":
    main()
