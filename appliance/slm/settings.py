"""Configuration section for slm (owned here, assembled by :mod:`appliance.config`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

DEV_PUBLIC_KEY = Path("models/keys/dev-signing-key.pub.pem")
DEFAULT_N_CTX = 2048


class SlmConfig(BaseModel):
    """On-device small language model through llama.cpp, and the signed model manifest.

    Relative paths are taken from the daemon's working directory; ``store_dir``
    and ``calibration_dir`` default to folders under ``state_dir``.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = True
    model: str = Field(
        default="gemma-3-270m-q4_k_m", description="manifest entry of the GGUF model to load"
    )
    model_path: Path | None = Field(
        default=None,
        description="use this copy of the model file instead of the store (still sha256-checked)",
    )
    manifest: Path = Path("models/manifest.toml")
    manifest_signature: Path | None = Field(default=None, description="defaults to manifest.sig")
    trusted_keys: list[Path] = Field(
        default_factory=lambda: [DEV_PUBLIC_KEY],
        description="Ed25519 public keys (PEM) that may sign the manifest; fleets use their own",
    )
    store_dir: Path | None = Field(default=None, description="defaults to <state_dir>/models")
    assemble_missing: bool = Field(
        default=True, description="assemble a missing packaged model at start (shows progress)"
    )
    n_ctx: int | None = Field(
        default=None, ge=256, le=131072, description="unset: the board profile's, else 2048"
    )
    n_batch: int = Field(default=512, ge=16, le=8192)
    n_gpu_layers: int | None = Field(
        default=None, ge=-1, description="-1 offloads every layer; unset: board profile, else 0"
    )
    n_threads: int | None = Field(default=None, ge=1, le=256, description="defaults to CPU count")
    queue_size: int = Field(default=64, ge=1, le=100_000)
    deadline_ms: int = Field(default=2000, ge=1, description="per request, queue wait included")
    max_tokens: int = Field(default=192, ge=1, le=4096, description="structured output cap")
    tasks_dir: Path | None = Field(
        default=None, description="site task files (*.toml); a name here overrides a built-in"
    )
    triage_task: str = "triage"
    calibration_dir: Path | None = Field(
        default=None, description="fitted confidence maps; defaults to <state_dir>/calibration"
    )

    @property
    def context_tokens(self) -> int:
        """The context size to load the model with."""
        return self.n_ctx if self.n_ctx is not None else DEFAULT_N_CTX

    @property
    def gpu_layers(self) -> int:
        """How many layers to offload to the GPU (-1: all)."""
        return self.n_gpu_layers if self.n_gpu_layers is not None else 0

    def with_board_defaults(self, gpu_layers: int, context: int) -> SlmConfig:
        """Return a copy where unset ``n_gpu_layers``/``n_ctx`` take the board profile's values.

        The daemon calls this with the detected board's ``[slm]`` section;
        values set in the config file always win.
        """
        return self.model_copy(update={
            "n_gpu_layers": self.n_gpu_layers if self.n_gpu_layers is not None else gpu_layers,
            "n_ctx": self.n_ctx if self.n_ctx is not None else context,
        })

    def resolved_store_dir(self, state_dir: Path) -> Path:
        """Return the model store folder."""
        return self.store_dir if self.store_dir is not None else state_dir / "models"

    def resolved_calibration_dir(self, state_dir: Path) -> Path:
        """Return the folder holding ``<task>.json`` calibration maps."""
        if self.calibration_dir is not None:
            return self.calibration_dir
        return state_dir / "calibration"
