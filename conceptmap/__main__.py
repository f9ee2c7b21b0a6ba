"""``python -m conceptmap`` is the ``conceptmap`` command."""

from .cli import main

main()
