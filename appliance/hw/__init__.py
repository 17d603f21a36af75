"""Jetson board profiles, telemetry, serial and camera ingest."""
