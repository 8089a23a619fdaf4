"""``python -m descentlab.server`` is the ``descentlab`` command."""

from descentlab.server.cli import main

main()
