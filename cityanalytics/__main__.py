"""``python -m cityanalytics``: the command line, where the ``cityanalytics`` script is not on PATH."""

from cityanalytics.cli import main

main(prog_name="cityanalytics")
