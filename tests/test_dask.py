"""Counting on Dask: the same per-chunk function on a two-worker local cluster gives the local counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cityanalytics as ca

distributed = pytest.importorskip("distributed", reason="Dask is an optional extra: pip install 'cityanalytics[dask]'")

REGULATIONS = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "lawrefbook_local_regulations.jsonl"
FIELDS = {"id_field": "id", "docvar_fields": ("province", "title")}


@pytest.mark.skipif(not REGULATIONS.exists(), reason="../shared/realdata is not beside this checkout")
def test_a_local_cluster_counts_real_regulations_as_this_process_does():
    def chunks():
        records = ca.read_jsonl(REGULATIONS, **FIELDS)
        return ca.record_chunks((r for r, _ in zip(records, range(100))), size=20)

    local = ca.stream_dtm(chunks(), progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_dask = ca.stream_dtm(chunks(), executor="dask", scheduler=cluster.scheduler_address, progress=False)
        with distributed.Client(cluster) as client:  # each worker built its own tokenizer: both counted chunks
            built = client.run(lambda: len(__import__("cityanalytics.text.segment").text.segment._TOKENIZERS))
    assert len(built) == 2 and all(n > 0 for n in built.values())
    assert len(local.rows) == 100
    np.testing.assert_array_equal(local.vocabulary, on_dask.vocabulary)
    assert local.counts.shape == on_dask.counts.shape and (local.counts != on_dask.counts).nnz == 0
    pd.testing.assert_frame_equal(local.rows, on_dask.rows)
