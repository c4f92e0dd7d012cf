"""The hostile-input tally: every test of this package counts what it tried and what it found per
category, and the session ends with a table ("tried N / found M") in the terminal summary.

``found`` counts inputs that did what they must not (a 5xx, an unexpected exception, an unescaped
payload, a leak); a test records a finding before it fails, so a red run still reports its counts.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    tried: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    findings: dict[str, list[str]] = field(default_factory=dict)

    def attempt(self, category: str, count: int = 1) -> None:
        self.tried[category] += count

    def finding(self, category: str, what: str) -> None:
        """One finding per distinct problem: hypothesis repeats a failure while it shrinks it, so
        the same exception type and message start count once."""
        signature = what[:40]
        known = self.findings.setdefault(category, [])
        if not any(item[:40] == signature for item in known):
            known.append(what)
            self.found[category] += 1

    def lines(self) -> list[str]:
        rows = [
            f"{name:<32} tried {self.tried[name]:>6} / found {self.found[name]}"
            for name in sorted(self.tried)
        ]
        for name, items in sorted(self.findings.items()):
            rows.extend(f"  {name}: {item}" for item in items[:10])
        return rows


TALLY = Tally()
