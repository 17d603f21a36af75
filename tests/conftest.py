"""Shared pytest configuration: every real part is started by a fixture module."""

pytest_plugins = [
    "tests.fixtures.broker",
    "tests.fixtures.daemon",
    "tests.fixtures.model",
    "tests.fixtures.tls",
    "tests.fixtures.database",
    "tests.fixtures.provider",
    "tests.fixtures.browser",
]
