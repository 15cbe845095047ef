"""The Hypothesis settings every fuzz target runs under.

CI runs each target on 10,000 generated inputs (the ``ci`` profile, the default), derandomized:
the same inputs on every run, so a red CI run is about the change, not about luck. Locally:

- ``AGENTWATCH_FUZZ_PROFILE=quick`` runs 300 inputs per target while writing a strategy;
- ``AGENTWATCH_FUZZ_PROFILE=deep`` runs fresh random inputs on every run (100,000 per target
  unless ``AGENTWATCH_FUZZ_EXAMPLES`` says otherwise), to look for what CI's fixed inputs miss;
- ``AGENTWATCH_FUZZ_EXAMPLES=N`` sets the number of inputs per target in any profile.

CI (``CI`` set) refuses a profile or count below 10,000, so a forgotten local setting cannot
make CI fuzz less. No profile writes an example database: a failure prints the input and the
``@reproduce_failure`` line to pin it in a unit test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["CI_EXAMPLES", "FUZZ", "PROFILE"]

CI_EXAMPLES = 10_000
_EXAMPLES = {"ci": CI_EXAMPLES, "quick": 300, "deep": 100_000}

PROFILE = os.environ.get("AGENTWATCH_FUZZ_PROFILE", "ci")
if PROFILE not in _EXAMPLES:
    raise ValueError(f"AGENTWATCH_FUZZ_PROFILE={PROFILE!r}: expected one of {', '.join(_EXAMPLES)}")
_examples_text = os.environ.get("AGENTWATCH_FUZZ_EXAMPLES", "")
if _examples_text and not _examples_text.isdigit():
    raise ValueError(f"AGENTWATCH_FUZZ_EXAMPLES={_examples_text!r}: expected a whole number")
_examples = int(_examples_text) if _examples_text else _EXAMPLES[PROFILE]
if os.environ.get("CI") and _examples < CI_EXAMPLES:
    raise ValueError(
        f"CI fuzzes {CI_EXAMPLES} inputs per target; AGENTWATCH_FUZZ_PROFILE={PROFILE} / "
        f"AGENTWATCH_FUZZ_EXAMPLES={_examples_text or '(unset)'} would run {_examples}"
    )

settings.register_profile(
    f"agentwatch-fuzz-{PROFILE}",
    max_examples=_examples,
    derandomize=PROFILE != "deep",
    # Inputs vary in size by design; one slow input is not a failure, a crash is.
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    print_blob=True,
)
FUZZ = settings.get_profile(f"agentwatch-fuzz-{PROFILE}")
