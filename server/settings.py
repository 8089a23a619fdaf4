"""Every knob of the server in one place, read from ``DESCENTLAB_*`` environment variables.

The limits exist because the server is shared: a classroom of laptops, or the open
internet behind an admin's reverse proxy. Each one is named in the 422 that enforces it, so
whoever hits a limit learns which variable raises it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "DESCENTLAB_"
REPO_FRONTEND = Path(__file__).resolve().parent.parent / "frontend"


class Settings(BaseSettings):
    """Server configuration; ``Settings()`` reads the environment, keyword arguments win."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, frozen=True, extra="ignore")

    host: str = Field("127.0.0.1", description="address `descentlab serve` binds")
    port: int = Field(8000, ge=0, le=65535, description="port `descentlab serve` binds")
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    access_log: bool = True

    max_steps: int = Field(20_000, ge=1, le=10_000_000)
    max_optimizers: int = Field(24, ge=1)
    max_starts: int = Field(64, ge=1)
    max_expression_length: int = Field(500, ge=1)
    max_body_bytes: int = Field(65_536, ge=1024)
    max_grid_resolution: int = Field(301, ge=2, le=1001)
    compute_budget: int = Field(
        240_000, ge=1, description="largest optimizers × steps × starts of one race")
    network_compute_budget: int = Field(
        10_000_000_000, ge=1,
        description="largest weights × data points through the network in one network race "
                    "(the training passes of every step, a quarter pass per statistics "
                    "frame, half a pass per landscape point: engine.networks.cost); about "
                    "4e9 of these units a second through the API on 2 shared cores of an "
                    "older machine (the default is 2-3 s of work there), 1.2e10 on 2 cores "
                    "with AVX-512")
    network_record_bytes: int = Field(
        200_000_000, ge=1,
        description="most bytes one network race records: every frame's weights (for the "
                    "paths on the landscape and the decision boundary at any frame) and "
                    "batch normalization's running statistics, 8 bytes a number (6 runs × "
                    "500 steps of a 10 × 64 net need 0.9 GB; raise network_memo_bytes too, or "
                    "each decision boundary of such a race trains it again)")
    max_map_resolution: int = Field(512, ge=2, le=4096,
                                    description="cells per side of a map")
    map_budget: int = Field(
        256 * 256 * 500, ge=1, description="largest cells × steps of one map (the default, a "
                                           "256² map of 500 steps, takes about a second)")
    map_tile_cells: int = Field(
        4096, ge=1, description="cells per streamed map tile (whole rows; at least one)")
    dask_scheduler: str | None = Field(
        None, description="address of a Dask scheduler (tcp://host:8786): maps then run "
                          "as tiles on its workers; unset, on this server's threads")
    network_memo_entries: int = Field(
        16, ge=0, description="network races remembered, so that decision-boundary requests "
                              "for a race just run cost one forward pass; 0 turns it off")
    network_memo_bytes: int = Field(
        256_000_000, ge=0, description="most bytes of weights the remembered races hold")

    max_concurrent_heavy: int = Field(
        4, ge=1, description="races and grids computed at once; more wait in a queue")
    queue_timeout: float = Field(
        2.0, ge=0, description="seconds a request waits for a free slot before a 503")
    retry_after: int = Field(1, ge=1, description="the Retry-After of that 503, in seconds")

    shutdown_timeout: float = Field(
        10.0, ge=0, description="seconds open responses get to finish after SIGTERM; then "
                                "they are closed (a stream whose client stopped reading "
                                "would otherwise hold the shutdown for ever)")

    stream_frame_steps: int = Field(10, ge=1, description="steps per frame line by default")
    stream_max_frames: int = Field(
        500, ge=1, description="most frame lines in one stream; frames grow to fit")

    grid_cache_entries: int = Field(32, ge=0)
    gzip_level: int = Field(
        1, ge=0, le=9, description="zlib level of other computed responses; races use zstd "
                                   "or gzip at their fastest; 0 turns compression of "
                                   "computed responses off (e.g. when the proxy compresses)")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="comma-separated origins; empty turns CORS off")
    frontend_dir: Path = REPO_FRONTEND

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Admins write ``DESCENTLAB_CORS_ORIGINS=https://a.edu,https://b.edu``."""
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @staticmethod
    def env_name(field: str) -> str:
        """The environment variable behind a field, as error messages quote it."""
        return f"{ENV_PREFIX}{field.upper()}"
