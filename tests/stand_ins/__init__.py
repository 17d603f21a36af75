"""Small real servers that stand in for outside services in tests (run as separate processes)."""
