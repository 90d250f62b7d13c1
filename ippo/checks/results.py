"""The result of one automated check, and the statuses it can have.

A result carries a message *code* and its parameters rather than finished text, so a stored result can be
shown again in whichever language the reader uses (see ippo.checks.messages)."""

from __future__ import annotations

from dataclasses import dataclass, field

PASS, WARN, FAIL, UNKNOWN, NA = "pass", "warn", "fail", "unknown", "na"
STATUSES = (PASS, WARN, FAIL, UNKNOWN, NA)
# Worst first, for "the overall status of a group".
SEVERITY = {FAIL: 0, WARN: 1, UNKNOWN: 2, PASS: 3, NA: 4}


@dataclass(frozen=True)
class CheckResult:
    check: str  # e.g. "spf", "port_rdp"
    status: str  # one of STATUSES
    code: str  # message code in ippo.checks.messages.MESSAGES
    params: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)  # facts worth keeping (days to expiry, open addresses, …)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"Unknown status {self.status!r}")

    @property
    def message(self) -> str:
        from ippo.checks.messages import message_render

        return message_render(self.code, self.params)

    def as_dict(self) -> dict:
        return {
            "check": self.check,
            "status": self.status,
            "message": self.message,
            "code": self.code,
            "params": dict(self.params),
            "data": dict(self.data),
        }


def worst(statuses) -> str:
    """The most serious status among `statuses` (fail > warn > unknown > pass > na)."""
    items = list(statuses)
    if not items:
        return NA
    return min(items, key=lambda s: SEVERITY[s])
