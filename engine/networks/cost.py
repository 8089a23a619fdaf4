"""What a network race costs, priced by arithmetic on its request alone: a server refuses
work it cannot afford before anything runs.

The unit is one weight × one data point through a gradient pass (forward and backward).
Measured on a shared 2-core machine (one core per run), a 10 × 64 tanh net on 256 points:
a gradient pass 2.2 ms (4.4e9 units a second; 4.1e9 with batch normalization, 4.7e9 for
3 × 128, 3.4e9 for 64-64, 1.9e9 for the tiny 16-16), the forward pass alone 2.7 to 2.9
times less (2.1 times for 16-16), and summarising one frame's per-layer statistics about a
quarter of a pass (``engine.networks.statistics.summarise``). On a 2-core AVX-512 machine
(Zen 5) the 10 × 64 pass and its Adam step take 0.91 ms (1.06e10 units a second); a
6 × 500 race of it with statistics and a 41 × 41 landscape, 4.5e10 units, 3.6 s through
the API.

What a step evaluates (``engine.networks.train_kernel``): every step ends with the
full-batch pass that records the frame, and reuses it as the next step's gradient unless
the run takes its gradient elsewhere — a mini-batch (one more pass over the batch), a
look-ahead point or a dropout mask (one more full pass).
"""

from __future__ import annotations

from collections.abc import Sequence

FORWARD_SHARE = 0.5
"""A landscape point (a forward pass only) in gradient passes: 1/2.9 measured on wide
nets, 1/2.1 on the smallest; the larger share keeps small nets honest."""

STATISTICS_SHARE = 0.25
"""A frame of per-layer statistics in gradient passes: the training loop's own pass is
summarised, so what is left is the summary."""


def recorded_values(runs: int, steps: int, weights: int, running: int,
                    gradients: bool) -> int:
    """Numbers a race keeps: at every frame, each run's weights (and, with ``gradients``,
    the gradient its step used) and batch normalization's ``running`` statistics."""
    return runs * (steps + 1) * (weights * (2 if gradients else 1) + running)


def points_per_step(points: int, batch_size: int | None, second_pass: bool) -> int:
    """Data points one training step passes through the network: the recorded full-batch
    pass, plus the mini-batch, or (``second_pass``: a look-ahead point or dropout) a second
    full pass."""
    if batch_size is not None and batch_size < points:
        return points + batch_size
    return points * (2 if second_pass else 1)


def race_units(weights: int, points: int, batch_size: int | None,
               second_pass: Sequence[bool], steps: int, statistics_frames: int,
               resolution: int) -> tuple[int, int, int, int]:
    """The race's cost in units, and its three parts in point-passes (weights × each is its
    share): training (every run), per-layer statistics (every run's recorded frames) and
    the landscape grid (``resolution``², 0 for none)."""
    training = steps * sum(points_per_step(points, batch_size, s) for s in second_pass)
    statistics = round(len(second_pass) * statistics_frames * points * STATISTICS_SHARE)
    landscape = round(resolution ** 2 * points * FORWARD_SHARE)
    return weights * (training + statistics + landscape), training, statistics, landscape
