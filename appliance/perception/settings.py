"""Configuration section for perception (owned here, assembled by :mod:`appliance.config`).

Three parts: ``onnx`` (how sessions are created, shared by every model),
``anomaly`` (the streaming sensor anomaly detector) and ``camera`` (a
YOLO-style object detector for JPEG frames).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Provider = Literal["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class OnnxConfig(_Section):
    """How onnxruntime sessions are created."""

    threads: int = Field(
        default=1, ge=0, le=64,
        description="intra-op threads per session (0 lets onnxruntime pick; 1 suits small models)",
    )
    inter_op_threads: int = Field(default=1, ge=0, le=64)
    providers: list[Provider] | None = Field(
        default=None,
        description="override the provider order; default TensorRT -> CUDA -> CPU, "
        "filtered by what the installed runtime and the machine offer",
    )
    trt_cache_dir: Path | None = Field(
        default=None, description="TensorRT engine cache (builds are slow; cache them on disk)"
    )


class AnomalyConfig(_Section):
    """Streaming per-sensor anomaly detection."""

    enabled: bool = True
    model: Path = Path("models/anomaly/sensor-anomaly.onnx")
    window: int | None = Field(
        default=None, ge=4, le=512,
        description="sliding window in readings; unset = the window the model was trained with",
    )
    threshold: float = Field(
        default=0.5, gt=0.0, lt=1.0, description="score at or above is anomalous"
    )
    warmup: int = Field(
        default=60, ge=8, le=10_000,
        description="readings per sensor metric used to learn its own baseline before scoring",
    )
    adapt_rate: float = Field(
        default=0.01, gt=0.0, le=0.5,
        description="EWMA rate of the baseline (per reading) while the metric looks normal",
    )
    freeze_z: float = Field(
        default=10.0, gt=0.0,
        description="deviations beyond this many baseline scales never update the baseline, "
        "whatever the model says",
    )
    probation: int = Field(
        default=250, ge=0,
        description="readings after (re)learning a baseline during which it keeps adapting even "
        "while flagged, so a warm-up that saw only part of the normal range corrects itself",
    )
    relearn_after: int = Field(
        default=300, ge=1,
        description="consecutive anomalous readings after which a persistent shift is accepted "
        "as the metric's new normal (the baseline is relearned)",
    )
    max_sensors: int = Field(
        default=10_000, ge=1,
        description="sensors tracked at once; the least recently seen is forgotten beyond this",
    )


class CameraConfig(_Section):
    """A YOLO-style ONNX detector (output ``[1, 4 + classes, boxes]``)."""

    enabled: bool = False
    model: Path | None = Field(default=None, description="path of the detector's .onnx file")
    input_size: int | None = Field(
        default=None, ge=32, le=4096,
        description="square letterbox size; unset = taken from the model's input shape",
    )
    conf_threshold: float = Field(default=0.25, ge=0.0, le=1.0)
    iou_threshold: float = Field(default=0.45, ge=0.0, le=1.0)
    max_detections: int = Field(default=100, ge=1)
    labels: list[str] | None = Field(
        default=None,
        description="class names; unset = the model's 'names' metadata, else class_<i>",
    )

    @model_validator(mode="after")
    def _model_when_enabled(self) -> CameraConfig:
        if self.enabled and self.model is None:
            raise ValueError("camera.enabled needs camera.model (path of a YOLO-style .onnx)")
        return self


class PerceptionConfig(BaseModel):
    """ONNX perception: anomaly scoring and camera detection."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    enabled: bool = True
    onnx: OnnxConfig = Field(default_factory=OnnxConfig)
    anomaly: AnomalyConfig = Field(default_factory=AnomalyConfig)
    camera: CameraConfig = Field(default_factory=CameraConfig)
