"""Encrypted uplink, sealed envelopes and the durable outbox."""
