"""Static checks of the Dockerfile, .dockerignore and CI scripts.

The image itself is built and smoke-tested by .ci/docker-smoke.sh; these
tests catch drift (a new package the image does not copy, a CMD that no
longer matches the console script) without needing a Docker engine.
"""

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    result = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            result.append((keyword.upper(), " ".join(args.split())))
    return result


def stages() -> list[list[tuple[str, str]]]:
    """The instructions of each build stage, each list starting with its FROM."""
    result: list[list[tuple[str, str]]] = []
    for keyword, args in instructions():
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, args))
    return result


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_base_image_is_an_argument():
    first = instructions()[0]
    assert first[0] == "ARG" and first[1].startswith("BASE")
    froms = [stage[0][1] for stage in stages()]
    assert len(froms) == 2, "expected a builder stage and a runtime stage"
    assert all(f.split()[0] == "${BASE}" for f in froms)


def test_builder_copies_every_package():
    builder = stages()[0]
    copied = {
        source.rstrip("/") for kw, args in builder if kw == "COPY" for source in args.split()[:-1]
    }
    for folder in pyproject()["tool"]["setuptools"]["package-dir"].values():
        assert folder in copied, f"the image does not copy the folder {folder}/"
    assert {"pyproject.toml", "README.md"} <= copied


def test_runtime_runs_unprivileged_with_a_warm_numba_cache():
    runtime = stages()[1]
    keywords = [kw for kw, _ in runtime]
    assert ("USER", "10001:10001") in runtime
    env = " ".join(args for kw, args in runtime if kw == "ENV")
    assert "NUMBA_CACHE_DIR=" in env
    warmup = [i for i, (kw, args) in enumerate(runtime) if kw == "RUN" and "warmup" in args]
    assert warmup, "the runtime stage does not warm the Numba cache"
    assert keywords.index("USER") < warmup[0], "warm the cache as the serving user"
    assert ("EXPOSE", "8000") in runtime


def runtime_env() -> dict[str, str]:
    runtime = stages()[1]
    return dict(pair.split("=", 1) for kw, args in runtime if kw == "ENV"
                for pair in args.replace("\\", " ").split())


def test_frontend_ships_in_the_package_next_to_the_server():
    """The server looks for frontend/ beside server/, in a checkout and in site-packages."""
    setuptools = pyproject()["tool"]["setuptools"]
    assert setuptools["package-dir"]["descentlab.frontend"] == "frontend"
    assert setuptools["package-dir"]["descentlab.server"] == "server"
    assert setuptools["package-data"]["descentlab.frontend"] == ["**/*"]
    assert "DESCENTLAB_FRONTEND_DIR" not in runtime_env()


def test_cmd_and_healthcheck_use_the_console_script():
    """``python -m descentlab`` runs the very function the ``descentlab`` script runs."""
    runtime = dict(stages()[1])
    module, function = pyproject()["project"]["scripts"]["descentlab"].split(":")
    entry = (ROOT / "descentlab" / "__main__.py").read_text()
    assert f"from {module} import {function}" in entry
    assert json.loads(runtime["CMD"]) == ["python", "-m", "descentlab", "serve"]
    env = runtime_env()
    assert env["DESCENTLAB_HOST"] == "0.0.0.0" and env["DESCENTLAB_PORT"] == "8000"
    health = runtime["HEALTHCHECK"]
    probe = json.loads(health[health.index("CMD") + len("CMD") :])
    assert probe[0] == "python" and "/healthz" in probe[-1]


def test_dockerignore_keeps_caches_out():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    for pattern in ("**/__pycache__", "**/*.nbi", "**/*.nbc"):
        assert pattern in lines


@pytest.mark.parametrize("script", ["run", "docker-smoke.sh", "build-base.sh"])
def test_ci_scripts_parse(script):
    subprocess.run(["bash", "-n", str(ROOT / ".ci" / script)], check=True)


def test_ci_runs_the_readme_test_command():
    lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    marker = next(i for i, line in enumerate(lines) if "README's test command" in line)
    command = next(line for line in lines[marker:] if line and not line.startswith("#"))
    readme = (ROOT / "README.md").read_text().splitlines()
    assert command in (line.strip() for line in readme), (
        f".ci/run runs `{command}`, which is not the README's test command"
    )


@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed")
def test_hadolint_is_clean():
    result = subprocess.run(
        ["hadolint", str(DOCKERFILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_a_cluster_from_the_image():
    """compose.yaml: a scheduler and workers from the project's image, the site wired to
    them; the image installs what they run."""
    import yaml

    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    assert {s["image"] for s in services.values()} == {"descentlab"}
    scheduler = services["scheduler"]["command"]
    assert scheduler[:3] == ["python", "-m", "distributed.cli.dask_scheduler"]
    port = scheduler[scheduler.index("--port") + 1]
    worker = services["worker"]["command"]
    assert f"tcp://scheduler:{port}" in worker and services["worker"]["deploy"]["replicas"] >= 2
    site = services["site"]
    assert site["environment"]["DESCENTLAB_DASK_SCHEDULER"] == f"tcp://scheduler:{port}"
    for name in ("scheduler", "worker"):  # the image's check asks for the site's /healthz
        assert services[name]["healthcheck"]["disable"] is True
    installed = [kw_args for kw, kw_args in stages()[0] if kw == "RUN" and "tomllib" in kw_args]
    assert installed and "optional-dependencies']['cluster']" in installed[0]
    assert any("distributed" in d for d in pyproject()["project"]["optional-dependencies"]
               ["cluster"])
