"""``python -m descentlab`` is the ``descentlab`` command."""

from descentlab.server.cli import main

main()
