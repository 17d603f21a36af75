"""ONNX perception: anomaly scoring and camera detection."""
