"""Packaging and the first start, as a new user meets them.

The folders ``engine/``, ``server/`` and ``frontend/`` install as ``descentlab.engine``,
``descentlab.server`` and ``descentlab.frontend``: nothing generic in site-packages. A
wheel is built and installed (not editable) into a fresh virtual environment, and from
there, with an empty Numba cache, ``descentlab serve`` must say that it compiles, count the
kernels off, and only then report ready; the notebook API then works from another folder.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_helpers import free_port

ROOT = Path(__file__).resolve().parent.parent
GENERIC = ("engine", "server", "frontend")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_every_source_package_is_listed():
    """setuptools installs only the packages listed: a new subfolder must be added there."""
    setuptools = pyproject()["tool"]["setuptools"]
    listed = set(setuptools["packages"])
    for name, folder in setuptools["package-dir"].items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder)
            package = ".".join((name, *relative.parts))
            assert package in listed, f"{package} ({init.parent}) is not in pyproject.toml"


def test_the_checkout_imports_nothing_generic():
    """Every import names descentlab.*: a module imported as plain ``server`` would be a
    second copy of the code (and of every compiled kernel)."""
    code = ("import json, sys, descentlab.server.app, descentlab.server.cli, "
            "descentlab.server.warmup; print(json.dumps([m.split('.')[0] for m in sys.modules]))")
    loaded = subprocess.check_output([sys.executable, "-c", code], cwd=ROOT, text=True)
    assert not set(GENERIC) & set(json.loads(loaded))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, timeout=600)
    (found,) = out.glob("descentlab-*.whl")
    return found


def test_the_wheel_holds_one_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"descentlab"}
    for needed in ("descentlab/__init__.py", "descentlab/__main__.py",
                   "descentlab/engine/race_kernel.py", "descentlab/server/app.py",
                   "descentlab/frontend/index.html", "descentlab/frontend/js/main.js",
                   "descentlab/frontend/style.css", "descentlab/frontend/locales/en.json",
                   "descentlab/frontend/locales/fa.json", "descentlab/frontend/js/i18n.js",
                   "descentlab/frontend/fonts/Vazirmatn-NL.woff2",
                   "descentlab/frontend/fonts/Vazirmatn-OFL.txt"):
        assert needed in names, needed
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "descentlab = descentlab.server.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Iterator[dict]:
    """A fresh virtual environment with the wheel installed, its dependencies borrowed from
    this environment (a .pth line, which adds the folder without running its .pth files, so
    this checkout's editable install stays out), an empty Numba cache and a home of its own."""
    base = tmp_path_factory.mktemp("fresh")
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True)
    borrowed = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    Path(site.strip(), "borrowed.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "-q", str(wheel)], check=True, timeout=600)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("NUMBA_", "DESCENTLAB_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(HOME=str(base / "home"), XDG_CACHE_HOME=str(base / "cache"),
               PATH=f"{env_dir / 'bin'}:{env['PATH']}")
    yield {"python": python, "bin": env_dir / "bin", "env": env, "cwd": base,
           "site": Path(site.strip()), "cache": base / "cache" / "descentlab"}


def test_nothing_generic_lands_in_site_packages(installed):
    present = {p.name for p in installed["site"].iterdir()}
    assert "descentlab" in present
    assert not set(GENERIC) & present


def _read_until_ready(process: subprocess.Popen, timeout: float) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        # The request follows the ready line at once: the socket must already listen.
        if "Descent Lab ready" in line:
            return lines
    raise AssertionError("no ready line:\n" + "\n".join(lines[-40:]))


def test_a_cold_first_start_explains_itself_before_it_is_ready(installed):
    """With an empty cache the server says it compiles, where to, and counts the kernels
    off, all before the ready line; it then serves the page from the installed package."""
    port = free_port()
    process = subprocess.Popen(
        [installed["bin"] / "descentlab", "serve", "--port", str(port)], cwd=installed["cwd"],
        env=installed["env"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = _read_until_ready(process, timeout=600)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert b"Descent Lab" in page.read()
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = "\n".join(lines)
    notice = next(i for i, line in enumerate(lines) if "first start: compiling" in line)
    assert str(installed["cache"]) in lines[notice] and "once" in lines[notice]
    counted = [int(m.group(1)) for line in lines
               if (m := re.search(r"compiling kernel (\d+) of (\d+)", line))]
    assert counted and counted == sorted(counted) and counted[0] == 1, text
    assert notice < min(i for i, line in enumerate(lines) if "compiling kernel" in line)
    assert "compiled in" in text
    if len(os.sched_getaffinity(0)) >= 2:  # the network kernels compile meanwhile
        assert any("in a second process meanwhile" in line for line in lines), text


def test_a_warm_start_says_nothing_extra_and_the_notebook_api_works(installed):
    """The notebook example of the README runs from another folder against the installed
    package; a command run a second time (its kernels cached by the first, or by the cold
    start above) says nothing of compiling and times only its race."""
    code = ("import descentlab, sys; r = descentlab.race('bowl', ['sgd'], (1, 1), 10);"
            "print(r.positions.shape, descentlab.__file__);"
            "print(sorted(m for m in ('engine', 'server', 'frontend') if m in sys.modules))")
    done = subprocess.run([installed["python"], "-c", code], cwd=installed["cwd"],
                          env=installed["env"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    shape, location = done.stdout.splitlines()[0].split(") ")
    assert shape == "(1, 1, 11, 2" and location.startswith(str(installed["site"]))
    assert done.stdout.splitlines()[1] == "[]"
    for _ in range(2):
        warm = subprocess.run([installed["bin"] / "descentlab", "race", "--steps", "20",
                               "--output", "race.json"], cwd=installed["cwd"],
                              env=installed["env"], capture_output=True, text=True, timeout=600)
        assert warm.returncode == 0, warm.stderr
    assert "compil" not in warm.stderr and "raced in" in warm.stderr
