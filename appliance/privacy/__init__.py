"""Privacy guard: detection, redaction, egress policy."""
