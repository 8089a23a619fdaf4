"""The page's speed in Debian's Chromium (software rendering, as on a laptop without a GPU).

    python benchmarks/bench_browser.py            # every measurement
    python benchmarks/bench_browser.py --quick    # fewer repeats

1. Control change → new paths drawn: from the input event (its time stamp) to the animation
   frame after the contour showed the new race — its first streamed frames, and the whole
   race — for a typed learning rate, a slider nudged with the keyboard, a click on the contour
   (each after the previous change was fully drawn, 3-D included), and a slider dragged for a
   second (from its last input event). The page records these as performance measures
   ('race:first-paths', 'race:all-paths'). During each drag: races whose whole paths were
   drawn per second (re-runs a person sees while dragging; target ≥ 10).
2. Playback: six optimizers × 1000 steps played at 250 steps a second; frames drawn per second
   by the player, animation frames the browser ran, and 3-D redraws per second, for each
   layout (contour only, both views, 3-D only).
3. A network race (the networks lab's first race: moons, a 2-16-16-1 tanh net, three
   optimizers × 500 steps, a 41 × 41 landscape): control change → the first loss curves
   drawn, and → the landscape with every path drawn (the race finished), for a typed learning
   rate and the init-seed slider nudged with the keyboard.

Targets: new paths within 150 ms; playback at 30 frames per second or more. The machine's
load average is printed, since other jobs share its cores.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser_helpers import CHROMIUM, LabServer, lab, launch, open_lab, race_id, wait_race
from playwright.sync_api import sync_playwright

STEPS = 1000
PLAY_SPEED = 250  # steps per second: a 1000-step race plays in four seconds
TARGET_MS = 150
TARGET_FPS = 30
TARGET_RERUNS = 10


def measures(page, race: int) -> dict[str, float]:
    """The page's measures for race ``race``, by name, in milliseconds."""
    return page.evaluate("""(id) => Object.fromEntries(performance.getEntriesByType('measure')
        .filter((m) => m.detail && m.detail.id === id).map((m) => [m.name, m.duration]))""",
                         race)


def control_change(page, how: str, trial: int) -> dict[str, float]:
    page.wait_for_timeout(1000)  # the previous change drawn everywhere, 3-D included
    before = race_id(page)
    if how == "slider dragged":
        slider = page.locator(".run[data-index='2'] [data-hp='lr'] input[type=range]")
        box = slider.bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + box["width"] * 0.3, y)
        page.mouse.down()
        began = page.evaluate("() => performance.now()")
        for k in range(30):
            page.mouse.move(box["x"] + box["width"] * (0.3 + 0.01 * k + 0.002 * trial), y)
            page.wait_for_timeout(30)
        ended = page.evaluate("() => performance.now()")
        page.mouse.up()
        page.wait_for_function("""() => document.body.dataset.race === 'ready'
            && !document.querySelector('#busy').textContent""")
        drawn = page.evaluate("""([a, b]) => performance.getEntriesByName('race:all-paths')
            .filter((m) => m.startTime >= a && m.startTime + m.duration <= b).length""",
                              [began, ended])
        return {**measures(page, race_id(page)), "reruns": drawn / ((ended - began) / 1000)}
    if how == "typed learning rate":
        box = page.locator(".run[data-index='0'] [data-hp='lr'] input.num")
        box.fill(f"{0.0009 + 0.00001 * trial:.5f}")
        box.press("Enter")
    elif how == "slider (keyboard)":
        slider = page.locator(".run[data-index='1'] [data-hp='lr'] input[type=range]")
        slider.focus()
        page.keyboard.press("ArrowRight" if trial % 2 == 0 else "ArrowLeft")
    else:
        box = page.locator("#contour .nsewdrag").first.bounding_box()
        page.mouse.click(box["x"] + box["width"] * (0.2 + 0.01 * trial),
                         box["y"] + box["height"] * 0.3)
    return measures(page, wait_race(page, before))


def timed_changes(page, hows: tuple[str, ...], repeats: int,
                  change: Callable[..., dict[str, float]]
                  ) -> list[tuple[str, list[float], list[float]]]:
    """Each kind of change ``repeats`` times: its first-paths and all-paths latencies."""
    rows = []
    for how in hows:
        first, full = [], []
        for trial in range(repeats):
            m = change(page, how, trial)
            first.append(m["race:first-paths"])
            full.append(m["race:all-paths"])
        rows.append((how, first, full))
    return rows


def latency(page, repeats: int) -> tuple[list[tuple[str, list[float], list[float]]],
                                         list[float]]:
    """The latency rows, and the re-runs drawn per second during each drag."""
    reruns: list[float] = []

    def change(page, how: str, trial: int) -> dict[str, float]:
        m = control_change(page, how, trial)
        if "reruns" in m:
            reruns.append(m["reruns"])
        return m

    rows = timed_changes(page, ("typed learning rate", "slider (keyboard)",
                                "click on the contour", "slider dragged"), repeats, change)
    return rows, reruns


def network_change(page, how: str, trial: int) -> dict[str, float]:
    page.wait_for_timeout(500)  # the previous race drawn, its decision boundary too
    before = race_id(page)
    if how == "typed learning rate":
        box = page.locator(".run[data-index='0'] [data-hp='lr'] input.num")
        box.fill(f"{0.4 + 0.001 * trial:.3f}")
        box.press("Enter")
    else:
        page.click("[data-tab=netsettings]")
        slider = page.locator("#netsettings-panel .field input[type=range]").nth(3)
        slider.focus()
        page.keyboard.press("ArrowRight" if trial % 2 == 0 else "ArrowLeft")
        page.click("[data-tab=roster]")
    return measures(page, wait_race(page, before))


def network_latency(page, repeats: int) -> list[tuple[str, list[float], list[float]]]:
    before = race_id(page)
    page.click("#lab-switch [data-lab=networks]")
    wait_race(page, before)
    page.click("[data-tab=roster]")
    return timed_changes(page, ("typed learning rate", "init seed (keyboard)"), repeats,
                         network_change)


def playback(page, layout: str, seconds: float) -> dict[str, float]:
    lab(page, "(l, a) => l.store.update({ layout: a.layout, speed: a.speed, loop: true })",
        {"layout": layout, "speed": PLAY_SPEED})
    page.wait_for_timeout(600)
    page.evaluate("""() => {
      if (window.benchRaf === undefined) {
        window.benchRaf = 0;
        const count = () => { window.benchRaf += 1; requestAnimationFrame(count); };
        requestAnimationFrame(count);
      }
      const gd = document.querySelector('#surface3d .graph');
      window.bench3d = 0;
      if (gd && !gd.benchHooked) {
        gd.on('plotly_afterplot', () => { window.bench3d += 1; });
        gd.benchHooked = true;
      }
    }""")
    start = page.evaluate("""() => ({ t: performance.now(), drawn: window.descentLab.player.stats
        .drawn, raf: window.benchRaf, gl: window.bench3d })""")
    lab(page, "(l) => { l.player.seek(0); l.player.play(); }")
    page.wait_for_timeout(seconds * 1000)
    end = page.evaluate("""() => ({ t: performance.now(), drawn: window.descentLab.player.stats
        .drawn, raf: window.benchRaf, gl: window.bench3d })""")
    lab(page, "(l) => l.player.pause()")
    elapsed = (end["t"] - start["t"]) / 1000
    return {"frames": (end["drawn"] - start["drawn"]) / elapsed,
            "raf": (end["raf"] - start["raf"]) / elapsed,
            "gl": (end["gl"] - start["gl"]) / elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium package")
    repeats, seconds = (5, 3.0) if args.quick else (15, 6.0)
    load_before = os.getloadavg()
    with LabServer(Path(__file__).resolve().parents[1] / "artifacts" / "bench-server.log") as srv, \
            sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        open_lab(page, srv.base)
        before = race_id(page)
        lab(page, "(l, steps) => l.store.update({ steps })", STEPS)
        wait_race(page, before)
        runs = lab(page, "(l) => l.current.race.runs.length")
        rows, reruns = latency(page, repeats)
        fps = {layout: playback(page, layout, seconds) for layout in ("contour", "both", "3d")}
        networks = network_latency(page, repeats)
        browser.close()
    load_after = os.getloadavg()

    print(f"\nDescent Lab in Chromium at 1280 × 720: {runs} optimizers × {STEPS} steps "
          f"(Rosenbrock), {repeats} trials each")
    print(f"machine: {os.cpu_count()} cores; load average {load_before[0]:.2f} before, "
          f"{load_after[0]:.2f} after (1 min)\n")
    table("control change → new paths drawn", "first frames", "whole race", rows)
    worst = max(statistics.median(full) for _, _, full in rows)
    print(f"target: whole race drawn within {TARGET_MS} ms — "
          f"{'met' if worst <= TARGET_MS else 'NOT met'} (worst median {worst:.0f} ms)")
    rate = statistics.median(reruns)
    print(f"while a slider is dragged: {rate:.1f} races drawn per second (median of "
          f"{len(reruns)} drags; target {TARGET_RERUNS} — "
          f"{'met' if rate >= TARGET_RERUNS else 'NOT met'})\n")
    title = f"playback at {PLAY_SPEED} steps/s"
    print(f"{title:34} {'frames/s':>10} {'browser rAF/s':>14} {'3-D redraws/s':>14}")
    for layout, r in fps.items():
        print(f"{layout:34} {r['frames']:10.1f} {r['raf']:14.1f} {r['gl']:14.1f}")
    slowest = min(r["frames"] for r in fps.values())
    print(f"target: {TARGET_FPS} frames/s or more — "
          f"{'met' if slowest >= TARGET_FPS else 'NOT met'} (slowest {slowest:.1f})\n")
    print("network race: moons, 2-16-16-1 tanh, 3 optimizers × 500 steps, 41 × 41 landscape")
    table("control change → network drawn", "first curves", "landscape, paths", networks)


def table(title: str, first_name: str, full_name: str,
          rows: list[tuple[str, list[float], list[float]]]) -> None:
    """Median and 90th percentile of the two measures, one row per kind of change."""
    print(f"{title:34} {first_name:>22} {full_name:>22}")
    print(f"{'':34} {'median':>10} {'p90':>11} {'median':>10} {'p90':>11}")
    for how, first, full in rows:
        p90 = lambda xs: sorted(xs)[max(0, round(0.9 * len(xs)) - 1)]  # noqa: E731
        print(f"{how:34} {statistics.median(first):8.0f} ms {p90(first):8.0f} ms "
              f"{statistics.median(full):8.0f} ms {p90(full):8.0f} ms")


if __name__ == "__main__":
    main()
