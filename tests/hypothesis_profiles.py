"""The Hypothesis settings of every property test: the fuzz targets (tests/fuzz/) and the unit
tests that draw their inputs with ``@given``.

Each test says how many examples it runs in CI, with ``@settings(examples_in_ci(N))``; a fuzz
target runs ``FUZZ``, which is ``examples_in_ci(10_000)`` (``CI_EXAMPLES``). The profile,
``AGENTWATCH_FUZZ_PROFILE``, scales that number:

- ``ci`` (the default) runs N, derandomized: the same inputs on every run, so a red CI run is
  about the change, not about luck;
- ``quick`` runs 3% of N, at least 20 (300 per fuzz target), while writing a strategy or
  editing the code under test;
- ``deep`` runs fresh random inputs on every run, 10 x N (100,000 per fuzz target), to look
  for what CI's fixed inputs miss;
- ``AGENTWATCH_FUZZ_EXAMPLES=M`` runs M per test in any profile (meant for one fuzz target).

CI (``CI`` set) refuses a profile or count under which any test would run fewer examples than
its N, so a forgotten local setting cannot make CI test less: the module or test that would
fails to load, naming the setting. No profile writes an example database: a failure prints
the input and the ``@reproduce_failure`` line to pin it in a unit test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["CI_EXAMPLES", "FUZZ", "PROFILE", "examples", "examples_in_ci"]

CI_EXAMPLES = 10_000
PROFILES = ("ci", "quick", "deep")
# quick: a share of CI's count, with a floor so that a small N still explores something.
QUICK_SHARE = 0.03
QUICK_MIN = 20
DEEP_FACTOR = 10

PROFILE = os.environ.get("AGENTWATCH_FUZZ_PROFILE", "ci")
if PROFILE not in PROFILES:
    raise ValueError(f"AGENTWATCH_FUZZ_PROFILE={PROFILE!r}: expected one of {', '.join(PROFILES)}")
_EXAMPLES_TEXT = os.environ.get("AGENTWATCH_FUZZ_EXAMPLES", "")
if _EXAMPLES_TEXT and not (_EXAMPLES_TEXT.isascii() and _EXAMPLES_TEXT.isdigit()):
    raise ValueError(f"AGENTWATCH_FUZZ_EXAMPLES={_EXAMPLES_TEXT!r}: expected a whole number")

# Derandomized: CI's inputs are fixed; deep exists to draw new ones.
_BASE = settings(
    derandomize=PROFILE != "deep",
    database=None,
    # Inputs vary in size and cost by design; one slow input is not a failure, a wrong answer is.
    deadline=None,
    print_blob=True,
)


def examples(ci: int) -> int:
    """How many examples a test that runs ``ci`` of them in CI runs under this profile."""
    if ci < 1:
        raise ValueError(f"a test runs at least one example in CI, not {ci}")
    if _EXAMPLES_TEXT:
        count = int(_EXAMPLES_TEXT)
    elif PROFILE == "quick":
        count = min(ci, max(QUICK_MIN, int(ci * QUICK_SHARE)))
    elif PROFILE == "deep":
        count = DEEP_FACTOR * ci
    else:
        count = ci
    if os.environ.get("CI") and count < ci:
        raise ValueError(
            f"CI runs no test on fewer examples than it asks for: AGENTWATCH_FUZZ_PROFILE="
            f"{PROFILE} / AGENTWATCH_FUZZ_EXAMPLES={_EXAMPLES_TEXT or '(unset)'} would run "
            f"{count} of a test that asks for {ci}"
        )
    return count


def examples_in_ci(ci: int) -> settings:
    """The settings of a property test that runs ``ci`` examples in CI, scaled by the profile.

    A test adds its own health-check exemptions on top:
    ``@settings(examples_in_ci(1500), suppress_health_check=[...])``.
    """
    return settings(_BASE, max_examples=examples(ci))


FUZZ = settings(
    examples_in_ci(CI_EXAMPLES),
    # The fuzz targets' inputs are large and slow to draw on purpose (whole documents, damaged).
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
