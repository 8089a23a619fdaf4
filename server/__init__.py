"""Descent Lab's HTTP server and command line: the engine behind a versioned JSON API.

``descentlab.server.app.create_app`` builds the FastAPI app; ``descentlab.server.cli`` is
the ``descentlab`` command (serve, race, network-race, warmup).

The server computes several requests at once in worker threads, each kernel with Numba's
own threads. numpy's BLAS (the PCA plane of a network race) would start a thread pool of
its own on top, whose spinning threads fight those for the same cores: measured on 2 cores
under load, the PCA plane of a 6 × 500 race took 0.6–3 s instead of 0.06–0.15 s. So a
process that starts here asks BLAS for one thread, unless its environment already says.
This must run before numpy is first imported, which is why it sits in the package itself.
"""

import os

for _variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
