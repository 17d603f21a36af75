"""The one place onnxruntime sessions are created.

Provider order is TensorRT -> CUDA -> CPU, filtered by what the installed
runtime offers *and* what this machine can actually load: the ``onnxruntime-gpu``
wheel lists the GPU providers even where no driver or CUDA library exists, and
asking for them there makes onnxruntime print errors and retry. So each GPU
provider is probed once (driver, provider library and its CUDA dependencies)
and dropped with a logged reason when it cannot work.

A model that cannot be read, or whose inputs do not match what the caller
expects, is refused with :class:`~appliance.errors.ModelError` naming the file.
"""

from __future__ import annotations

import ctypes
import functools
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import onnxruntime as ort

from appliance.errors import ModelError
from appliance.perception.settings import OnnxConfig

log = logging.getLogger(__name__)

PREFERRED_ORDER = ("TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider")
_PROVIDER_LIBS = {
    "TensorrtExecutionProvider": "libonnxruntime_providers_tensorrt.so",
    "CUDAExecutionProvider": "libonnxruntime_providers_cuda.so",
}


def _probe_gpu_provider(name: str) -> str | None:
    """Return why ``name`` cannot run on this machine, or None when it can load."""
    try:
        ctypes.CDLL("libcuda.so.1")
    except OSError as exc:
        return f"no NVIDIA driver ({exc})"
    preload = getattr(ort, "preload_dlls", None)
    if preload is not None:
        try:  # CUDA/cuDNN may come from nvidia-* wheels that the loader does not search
            preload()
        except Exception as exc:  # a failed preload only means the system paths are used
            log.debug("onnxruntime.preload_dlls failed: %s", exc)
    lib = Path(ort.__file__).parent / "capi" / _PROVIDER_LIBS[name]
    if not lib.exists():
        return f"{lib.name} is not part of this onnxruntime build"
    try:
        ctypes.CDLL(str(lib))
    except OSError as exc:
        return f"cannot load {lib.name}: {exc}"
    return None


@functools.lru_cache(maxsize=1)
def usable_providers() -> tuple[str, ...]:
    """Return the providers this machine can use, best first (always ends with CPU).

    Probes once per process and logs the outcome, including why a GPU provider
    the runtime offers was dropped.
    """
    offered = list(ort.get_available_providers())
    usable: list[str] = []
    for name in PREFERRED_ORDER:
        if name not in offered:
            continue
        if name in _PROVIDER_LIBS:
            reason = _probe_gpu_provider(name)
            if reason is not None:
                log.info("onnxruntime: %s offered but unusable here, falling back: %s",
                         name, reason)
                continue
        usable.append(name)
    if "CPUExecutionProvider" not in usable:
        usable.append("CPUExecutionProvider")
    log.info("onnxruntime %s: offered %s, using in order %s", ort.__version__, offered, usable)
    return tuple(usable)


def select_providers(config: OnnxConfig) -> list[str]:
    """Return the provider list for a session: the override (filtered) or the default order.

    Providers named in ``config.providers`` that this machine cannot use are
    dropped with a warning; CPU is always kept last as the fallback.
    """
    usable = usable_providers()
    if config.providers is None:
        return list(usable)
    chosen: list[str] = [p for p in config.providers if p in usable]
    dropped = [p for p in config.providers if p not in usable]
    if dropped:
        log.warning("onnx.providers: %s not usable on this machine, ignored", dropped)
    if "CPUExecutionProvider" not in chosen:
        chosen.append("CPUExecutionProvider")
    return chosen


def _provider_options(name: str, config: OnnxConfig) -> dict[str, str]:
    if name == "TensorrtExecutionProvider" and config.trt_cache_dir is not None:
        config.trt_cache_dir.mkdir(parents=True, exist_ok=True)
        return {"trt_engine_cache_enable": "True",
                "trt_engine_cache_path": str(config.trt_cache_dir)}
    return {}


def _create(path: Path, config: OnnxConfig, providers: list[str]) -> Any:
    options = ort.SessionOptions()
    options.intra_op_num_threads = config.threads
    options.inter_op_num_threads = config.inter_op_threads
    options.log_severity_level = 3  # onnxruntime's own warnings duplicate what is logged here
    return ort.InferenceSession(
        str(path), sess_options=options, providers=providers,
        provider_options=[_provider_options(p, config) for p in providers],
    )


def open_session(path: Path, config: OnnxConfig) -> Any:
    """Open ``path`` as an ``onnxruntime.InferenceSession`` with the configured providers/threads.

    Returns the session. Raises :class:`ModelError` naming the file when it is
    missing, unreadable or not a valid ONNX model.
    """
    if not path.is_file():
        raise ModelError(f"model file {path} does not exist")
    providers = select_providers(config)
    try:
        session = _create(path, config, providers)
    except Exception as exc:  # onnxruntime raises its own pybind error types
        if providers == ["CPUExecutionProvider"]:
            raise ModelError(f"model file {path} is not a loadable ONNX model: {exc}") from exc
        # A GPU provider can still fail here (out of memory, unsupported operator, engine
        # build error); the CPU decides whether the file itself is at fault.
        log.warning("%s: session on %s failed (%s), retrying on CPU", path, providers, exc)
        providers = ["CPUExecutionProvider"]
        try:
            session = _create(path, config, providers)
        except Exception as cpu_exc:
            raise ModelError(
                f"model file {path} is not a loadable ONNX model: {cpu_exc}") from cpu_exc
    active = session.get_providers()
    if active and active[0] != providers[0]:
        log.warning("%s: %s failed at session creation, running on %s",
                    path, providers[0], active[0])
    log.info("opened %s on %s (threads=%d)", path, active, config.threads)
    return session


def expect_input(session: Any, path: Path, name: str | None,
                 shape: Sequence[int | None], dtype: str = "tensor(float)") -> str:
    """Check the session has exactly one input of rank ``len(shape)`` and element ``dtype``.

    ``shape`` entries that are ints must equal the model's dimension when the
    model fixes it; ``None`` accepts anything. Returns the input name. Raises
    :class:`ModelError` naming the file and both signatures on a mismatch.
    """
    inputs = session.get_inputs()
    if len(inputs) != 1:
        names = [(i.name, i.shape) for i in inputs]
        raise ModelError(f"model file {path}: expected one input, the model has {names}")
    inp = inputs[0]
    want = f"{name or '*'}{list(shape)} {dtype}"
    got = f"{inp.name}{list(inp.shape)} {inp.type}"
    if name is not None and inp.name != name:
        raise ModelError(f"model file {path}: input mismatch, expected {want}, model has {got}")
    if inp.type != dtype or len(inp.shape) != len(shape):
        raise ModelError(f"model file {path}: input mismatch, expected {want}, model has {got}")
    for expected, actual in zip(shape, inp.shape, strict=True):
        if expected is not None and isinstance(actual, int) and actual != expected:
            raise ModelError(f"model file {path}: input mismatch, expected {want}, model has {got}")
    return str(inp.name)


def metadata(session: Any) -> Mapping[str, str]:
    """Return the model's custom metadata (``metadata_props``) as a mapping."""
    return dict(session.get_modelmeta().custom_metadata_map)

