"""Descent Lab's HTTP server and command line: the engine behind a versioned JSON API.

``server.app.create_app`` builds the FastAPI app; ``server.cli`` is the ``descentlab``
command (serve, race, warmup).
"""
