"""``python -m core.cli``: the same as the ``trellis`` command."""

from core.cli import main

main(prog_name="trellis")
