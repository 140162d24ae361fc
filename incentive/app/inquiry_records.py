"""Inquiries as the ledger holds them: an ``inquiry`` event and, once resolved, its ``resolution``.

Apart from ``inquiries`` (which opens and resolves them) so that readers --
statements, ``inquiry list`` -- need nothing of the close machinery."""

from __future__ import annotations

from dataclasses import dataclass

from incentive.ledger import Ledger
from incentive.ledger.events import Event


@dataclass(frozen=True)
class Inquiry:
    """An inquiry and, once resolved, its resolution (a ``corrected`` one holds ``numbers``: the person's
    [name, before, after] in the policy's order, for both closes)."""

    opened: Event
    resolution: Event | None

    @property
    def number(self) -> int:
        return self.opened.seq

    @property
    def employee(self) -> str:
        return str(self.opened.payload.get("employee"))

    @property
    def about(self) -> str:
        return str(self.opened.payload.get("about"))

    @property
    def late(self) -> bool:
        return bool(self.opened.payload.get("late"))

    def changes(self) -> list[tuple[str, object, object]]:
        """What a correction changed for the person: (name, before, after) of each number that differs."""
        rows = (self.resolution.payload.get("numbers") if self.resolution is not None else None) or []
        return [(str(r[0]), r[1], r[2]) for r in rows if isinstance(r, list) and len(r) == 3 and r[1] != r[2]]

    @property
    def state(self) -> str:
        return "open" if self.resolution is None else str(self.resolution.payload.get("outcome"))


def inquiries(ledger: Ledger, policy_id: str | None = None, *, employee: str | None = None,
              open_only: bool = False) -> list[Inquiry]:
    """The inquiries in the ledger with their resolutions, in the order they were opened."""
    events = ledger.events(policy_id)
    resolutions = {e.payload.get("inquiry"): e for e in events if e.kind == "resolution"}
    found = [Inquiry(e, resolutions.get(e.seq)) for e in events if e.kind == "inquiry"]
    if employee is not None:
        found = [i for i in found if i.employee == employee]
    return [i for i in found if i.resolution is None] if open_only else found


