"""Configure Numba before it is imported: a thread-safe threading layer, and a cache folder
named after the engine's source code.

The race kernel is a ``prange`` loop, and the server calls it from several worker threads at
once: only the OpenMP and TBB layers allow that (the fallback "workqueue" layer aborts the
process), so ``threadsafe`` is asked for and a missing layer fails loudly instead.

Numba keys a cached function on its own file only. Kernels here call functions from other
files (the race kernel inlines the optimizers and calls the surfaces), so editing one file
could leave another file's cached machine code silently stale. Naming the cache folder by a
hash of the sources compiled code can come from makes any such change start from a clean
cache: every engine file that uses Numba, and every engine module those import, however
indirectly (a kernel freezes imported constants and inlines imported functions). Lesson data
(scenarios, the lesson plan) is outside that closure, so editing it does not cost a
2–4 minute recompile. An explicit ``NUMBA_CACHE_DIR`` (as the Docker image sets) is always
respected.
"""

from __future__ import annotations

import ast
import hashlib
import os
import shutil
import sys
import time
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent
PACKAGE = "descentlab.engine"
STALE_AFTER = 7 * 24 * 3600.0
"""Another version's cache folder is removed once no process has used it for this long (in
seconds). Not at once: two checkouts (two branches, a notebook beside the server) share the
cache, and removing a folder another version is compiling into made it fail."""


def _imported(path: Path) -> set[Path]:
    """The engine files ``path`` imports. Importing a package counts as importing all of it:
    a package's ``__init__`` may hand out its modules' names lazily."""
    found: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            if name != PACKAGE and not name.startswith(PACKAGE + "."):
                continue
            target = ENGINE_DIR.joinpath(*name.split(".")[2:])
            if target.with_suffix(".py").is_file():
                found.add(target.with_suffix(".py"))
            elif target.is_dir():
                found.update(target.rglob("*.py"))
    return found


def _uses_numba(path: Path) -> bool:
    return any((isinstance(node, ast.Import) and any(a.name.split(".")[0] == "numba"
                                                    for a in node.names))
               or (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0]
               == "numba") for node in ast.walk(ast.parse(path.read_bytes())))


def compiled_sources() -> list[Path]:
    """The engine sources compiled code can come from (see the module's docstring)."""
    todo = [p for p in ENGINE_DIR.rglob("*.py") if _uses_numba(p)]
    seen = set(todo)
    while todo:
        for path in _imported(todo.pop()) - seen:
            seen.add(path)
            todo.append(path)
    return sorted(seen)


def source_hash() -> str:
    digest = hashlib.sha256()
    for path in compiled_sources():
        digest.update(path.relative_to(ENGINE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def configure() -> None:
    """Set Numba's threading layer and cache folder, unless the user chose them, and give
    it a faster copy propagation (``_numba_copy_propagation``: a quarter off a cold start).

    Numba reads its settings when it is first imported. A program that imported it before
    the engine (a notebook, a benchmark) would otherwise compile into the source tree's
    ``__pycache__`` with a thread-unsafe layer, so the settings are then read again.
    """
    _choose_settings()
    if "numba" in sys.modules:
        from numba.core import config

        config.reload_config()
    import descentlab.engine._numba_copy_propagation as copy_propagation

    copy_propagation.install()


def _choose_settings() -> None:
    os.environ.setdefault("NUMBA_THREADING_LAYER", "threadsafe")
    if "NUMBA_CACHE_DIR" in os.environ:
        return
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "descentlab"
    target = base / f"numba-{source_hash()}"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    os.utime(target)
    for old in base.glob("numba-*"):
        if old != target and _unused_for(old) > STALE_AFTER:
            shutil.rmtree(old, ignore_errors=True)
    os.environ["NUMBA_CACHE_DIR"] = str(target)


def _unused_for(folder: Path) -> float:
    try:
        return time.time() - folder.stat().st_mtime
    except OSError:
        return 0.0
