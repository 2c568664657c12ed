"""The notebook tour runs from top to bottom, and its .ipynb and .py forms say the same thing."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def test_the_ipynb_and_its_paired_script_hold_the_same_cells():
    script = jupytext.read(NOTEBOOKS / "tour.py")
    notebook = nbformat.read(NOTEBOOKS / "tour.ipynb", as_version=4)
    assert [(c.cell_type, c.source) for c in notebook.cells] == [(c.cell_type, c.source) for c in script.cells]
    assert not any(c.get("outputs") for c in notebook.cells), "commit the notebook without outputs"


def test_the_tour_executes_without_errors_or_missing_glyphs():
    notebook = nbformat.read(NOTEBOOKS / "tour.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    stderr = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
    assert "missing from font" not in stderr
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 3  # heatmap, trends, topic prevalence
