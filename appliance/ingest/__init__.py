"""Ingest: MQTT topics (and serial/camera from appliance.hw) into typed events."""
