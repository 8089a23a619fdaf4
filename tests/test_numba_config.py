"""The engine's Numba settings hold whatever was imported first, and never override a user's.

Each case runs in a fresh interpreter (settings are per process) and only imports: nothing
is compiled, so the empty cache folders cost no time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from descentlab.engine._numba_config import compiled_sources, source_hash

ROOT = Path(__file__).resolve().parents[1]
REPORT = ("import json; from numba.core import config; "
          "print(json.dumps([config.CACHE_DIR, config.THREADING_LAYER]))")


def settings(imports: str, tmp_path: Path, **env: str) -> tuple[str, str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("NUMBA_CACHE_DIR", "NUMBA_THREADING_LAYER")}
    clean.update(XDG_CACHE_HOME=str(tmp_path), PYTHONPATH=str(ROOT), **env)
    out = subprocess.run([sys.executable, "-c", f"{imports}; {REPORT}"], env=clean, cwd=ROOT,
                         capture_output=True, text=True, check=True, timeout=120).stdout
    cache_dir, layer = json.loads(out.splitlines()[-1])
    return cache_dir, layer


def test_engine_imported_first_gets_its_cache_folder_and_a_thread_safe_layer(tmp_path):
    expected = str(tmp_path / "descentlab" / f"numba-{source_hash()}")
    assert settings("import engine", tmp_path) == (expected, "threadsafe")


def test_numba_imported_before_the_engine_gets_the_same_settings(tmp_path):
    expected = str(tmp_path / "descentlab" / f"numba-{source_hash()}")
    assert settings("import numba; import engine", tmp_path) == (expected, "threadsafe")


def test_a_users_own_numba_settings_are_kept(tmp_path):
    mine = str(tmp_path / "mine")
    got = settings("import numba; import engine", tmp_path, NUMBA_CACHE_DIR=mine,
                   NUMBA_THREADING_LAYER="omp")
    assert got == (mine, "omp")


def test_another_versions_cache_is_kept_while_in_use_and_removed_once_stale(tmp_path):
    """Two checkouts share one cache: removing the other's folder at once broke its compile."""
    base = tmp_path / "descentlab"
    in_use, stale = base / "numba-0000000000000000", base / "numba-1111111111111111"
    for folder in (in_use, stale):
        folder.mkdir(parents=True)
    week_and_a_day = 8 * 24 * 3600
    os.utime(stale, (stale.stat().st_atime - week_and_a_day,
                     stale.stat().st_mtime - week_and_a_day))
    settings("import engine", tmp_path)
    assert in_use.is_dir() and not stale.exists()


def test_the_cache_is_named_after_every_source_compiled_code_can_come_from():
    """Every file that uses Numba and all it imports are hashed (a change there must not
    reuse stale machine code); lesson data is not (editing a scenario costs no recompile)."""
    engine_dir = ROOT / "engine"
    hashed = {p.relative_to(engine_dir).as_posix() for p in compiled_sources()}
    assert {"race_kernel.py", "optimizers/kernels.py", "optimizers/adam_family.py",
            "surfaces/formulas.py", "networks/train_kernel.py", "objective.py"} <= hashed
    for path in engine_dir.rglob("*.py"):
        if "from numba" in path.read_text() or "import numba" in path.read_text():
            assert path.relative_to(engine_dir).as_posix() in hashed, path
    assert not {"scenarios.py", "map_scenarios.py", "lesson_plan.py"} & hashed
