"""``python -m server`` is the ``descentlab`` command."""

from server.cli import main

main()
