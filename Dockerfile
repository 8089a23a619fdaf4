# Descent Lab container image.
#
# BASE must be a Debian bookworm image that has python3, python3-venv,
# python3-pip and ca-certificates. The default name is not on any registry:
# build it locally first with `bash .ci/build-base.sh` (a debootstrap minbase
# imported into Docker), or pass any equivalent image:
#
#   docker build --build-arg BASE=descentlab-base:bookworm -t descentlab .
ARG BASE=descentlab-base:bookworm

# ---------------------------------------------------------------------------
# builder: install the project and its dependencies into /opt/venv
# ---------------------------------------------------------------------------
FROM ${BASE} AS builder

ENV PATH=/opt/venv/bin:$PATH \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_PROGRESS_BAR=off

RUN python3 -m venv /opt/venv

WORKDIR /src

# Dependencies first (with the 'cluster' extra: compose.yaml runs Dask workers
# from this image), read from pyproject.toml, so that this layer stays cached
# while only the project's own code changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; print('\n'.join(p['dependencies'] + p['optional-dependencies']['cluster']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt

COPY README.md ./
COPY descentlab/ descentlab/
COPY engine/ engine/
COPY server/ server/
COPY frontend/ frontend/
RUN pip install --no-cache-dir --no-deps .

# ---------------------------------------------------------------------------
# runtime: the venv, an unprivileged user and a warm Numba cache
# ---------------------------------------------------------------------------
FROM ${BASE}

# Every server setting is a DESCENTLAB_* variable (see server/settings.py):
# `docker run -e DESCENTLAB_MAX_STEPS=50000 -e DESCENTLAB_PORT=9000 ...`.
# The frontend ships inside the installed package, next to server/.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    NUMBA_CACHE_DIR=/opt/numba-cache \
    DESCENTLAB_HOST=0.0.0.0 \
    DESCENTLAB_PORT=8000

RUN groupadd --gid 10001 descent \
    && useradd --uid 10001 --gid descent --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin descent \
    && mkdir -p /opt/numba-cache \
    && chown descent:descent /opt/numba-cache

COPY --from=builder /opt/venv /opt/venv

USER 10001:10001
WORKDIR /app

# Compile every Numba kernel once now, as the user that serves, so the
# cache in NUMBA_CACHE_DIR is owned by it and the first request is fast.
RUN python -m descentlab warmup

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ['DESCENTLAB_PORT'], timeout=3)"]

CMD ["python", "-m", "descentlab", "serve"]
