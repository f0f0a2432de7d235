"""The hostile-input suite: every test here sends input an attacker would, and
records how many hostile cases it tried and how many got through. The run ends
with one summary line over all of them."""

from collections import Counter
from dataclasses import dataclass, field

import pytest


@dataclass
class HostileTally:
    """Cases tried and cases that got through, per kind ("xss", "upload", ...)."""

    tried: Counter[str] = field(default_factory=Counter)
    through: Counter[str] = field(default_factory=Counter)

    def record(self, kind: str, tried: int, through: int = 0) -> None:
        self.tried[kind] += tried
        self.through[kind] += through

    def summary(self) -> str:
        kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.tried.items()))
        total_through = sum(self.through.values())
        verdict = (
            "none got through"
            if total_through == 0
            else f"{total_through} GOT THROUGH: "
            + ", ".join(f"{n} {k}" for k, n in sorted(self.through.items()) if n)
        )
        return f"Hostile input: {sum(self.tried.values())} cases tried ({kinds}); {verdict}."


TALLY = HostileTally()


@pytest.fixture
def hostile() -> HostileTally:
    """Record what a test tried: `hostile.record("xss", tried=n, through=k)`,
    then assert on its own that k is 0."""
    return TALLY


def pytest_terminal_summary(terminalreporter) -> None:
    if TALLY.tried:
        terminalreporter.write_line(TALLY.summary())
