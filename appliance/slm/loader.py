"""Open the configured SLM: verify the model against the signed manifest, then load it."""

from __future__ import annotations

import logging
from pathlib import Path

from appliance.modelstore import ModelStore
from appliance.modelstore.assemble import StartProgress
from appliance.slm.engine import SlmEngine
from appliance.slm.settings import SlmConfig

log = logging.getLogger(__name__)


def model_store(config: SlmConfig, state_dir: Path) -> ModelStore:
    """Return the model store described by the ``slm`` config section."""
    return ModelStore(
        config.manifest,
        config.trusted_keys,
        config.resolved_store_dir(state_dir),
        config.manifest_signature,
    )


def verified_model_path(
    config: SlmConfig, state_dir: Path, start_progress: StartProgress | None = None
) -> Path:
    """Return the configured model's path after checking it against the signed manifest.

    A missing packaged model is assembled first when ``slm.assemble_missing``.
    Raises :class:`appliance.errors.ModelError` naming the file and both hashes
    on a mismatch, or when the manifest's signature does not verify.
    """
    store = model_store(config, state_dir)
    return store.verified_path(
        config.model,
        assemble_missing=config.assemble_missing,
        start_progress=start_progress,
        override=config.model_path,
    )


def open_engine(
    config: SlmConfig, state_dir: Path, start_progress: StartProgress | None = None,
    warm: bool = True,
) -> SlmEngine:
    """Verify and load the configured model; return a running engine (prefixes warmed).

    Raises :class:`appliance.errors.ModelError` if the model or manifest does not verify.
    """
    path = verified_model_path(config, state_dir, start_progress)
    engine = SlmEngine(
        config, path, model_name=config.model,
        calibration_dir=config.resolved_calibration_dir(state_dir),
    )
    if warm:
        engine.warm()
    return engine
