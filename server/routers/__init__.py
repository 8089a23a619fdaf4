"""The API's routes, one module per concern; each route body is a few lines that call
``translate``, ``limits`` and the gate."""
