"""Shared pytest configuration: every real part is started by a fixture module.

Hypothesis: no per-example deadline (a shared 2-core machine makes timings noisy),
and under CI (``CI`` set) a fixed seed, so a CI run is repeatable while local runs
keep exploring new examples.
"""

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

pytest_plugins = [
    "tests.fixtures.broker",
    "tests.fixtures.daemon",
    "tests.fixtures.model",
    "tests.fixtures.tls",
    "tests.fixtures.database",
    "tests.fixtures.provider",
    "tests.fixtures.browser",
    "tests.fixtures.fleet_agent",
]
