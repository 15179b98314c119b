"""Whether this deployment can serve: each storage resource probed once per request."""

from __future__ import annotations

from dataclasses import dataclass

from cairn.platform.store import probes

OK = "ok"
UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Health:
    checks: dict[str, str]

    @property
    def healthy(self) -> bool:
        return all(state == OK for state in self.checks.values())

    @property
    def status(self) -> str:
        return OK if self.healthy else UNAVAILABLE


def check() -> Health:
    answers = {"table": probes.table_answers(), "bucket": probes.bucket_answers()}
    return Health({name: OK if answered else UNAVAILABLE for name, answered in answers.items()})
