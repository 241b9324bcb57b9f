"""`python -m indexer.cli`: the `newsfacet` command without its console script (the tests' fallback
where the venv's `newsfacet` is absent; it worked while the CLI was one module, cli.py)."""
from . import main

main(prog_name="newsfacet")
