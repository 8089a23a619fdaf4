"""The lesson plan: the scenarios of every lab grouped into chapters, in teaching order.

A lecture follows topics, not labs: the momentum chapter has a race on the ravine and a map
of learning rate × momentum side by side. One table says which chapter each scenario
belongs to and in which order the gallery and the page's Previous/Next buttons visit them;
the scenario modules stay plain data. ``tests/test_scenarios.py`` checks that every scenario
of every lab is in exactly one chapter.

Chapters are kept to at most eight scenarios so that each one fits a 1280×720 screen with
a thumbnail and the whole question of every tile (measured: four columns × two rows).
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PER_CHAPTER = 8


@dataclass(frozen=True)
class Chapter:
    """``id`` names the chapter in the page's message catalogues (``chapter.<id>``)."""

    id: str
    scenarios: tuple[str, ...]


LESSON_PLAN: tuple[Chapter, ...] = (
    Chapter("descent", ("rosenbrock_race", "ravine_zigzag", "lr_too_high", "per_layer_rates",
                        "noise_needs_decay", "batch_size_noise", "robbins_monro",
                        "warm_restarts")),
    Chapter("momentum", ("momentum_overshoots", "nesterov_brakes", "himmelblau_basins",
                         "ravine_lr_momentum", "line_search_zigzag",
                         "lookahead_calms_zigzag")),
    Chapter("adaptive", ("adagrad_dies", "adam_bias_correction", "adam_without_correction",
                         "radam_warmup", "rotation_hurts_adaptive", "lion_sign_steps",
                         "adamw_vs_l2", "adam_fair")),
    Chapter("landscape", ("saddle_noise_escapes", "newton_saddle", "cliff_clipping",
                          "plateau_crossing", "local_vs_global", "random_search_budget",
                          "gradient_check")),
    Chapter("practice", ("net_batch_size", "net_overfit_early_stop", "net_weight_decay",
                         "net_dropout", "net_uncentred_inputs", "grid_vs_random")),
    Chapter("initialization", ("net_zero_init", "net_deep_vanish", "net_deep_saturate",
                               "net_deep_xavier", "net_relu_he", "net_batch_norm",
                               "net_dead_relu")),
)


def chapter_of(scenario_id: str) -> str:
    """The chapter a scenario belongs to (a KeyError names a scenario left out of the plan)."""
    return _CHAPTER_OF[scenario_id]


def order_of(scenario_id: str) -> int:
    """Its place in the lesson plan, counted over all chapters."""
    return _ORDER_OF[scenario_id]


_CHAPTER_OF = {s: c.id for c in LESSON_PLAN for s in c.scenarios}
_ORDER_OF = {s: i for i, s in enumerate(s for c in LESSON_PLAN for s in c.scenarios)}
