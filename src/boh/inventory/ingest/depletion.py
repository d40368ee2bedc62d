"""The seam through which a higher domain turns a POS sale into the sale of other items (a menu item sold
through its recipe: its ingredients leave stock), in the same transaction as the sale.

Inventory does not know recipes: once per batch (after its own validation and before it locks the ledger's
rows) it asks the registered ``DepletionRule`` for the batch's ``BatchDepletion`` (``begin`` reads what the
rule needs, once), which names the items it answers for or reports; the sold lines of those items, and every
sold line with modifiers, are given to ``deplete`` (what to move instead) and, once posted, to ``record``.
Inventory posts, for each line the rule answers for, the components' moves instead of the sold item's (same
event, same index: refused or posted together, idempotency keys ``<event key>:r<n>``). Other lines post as
before and are not built into ``SoldLine``s at all (a chain without recipes pays nothing per sale). The rule
is registered by the composition root (the kitchen domain's manifest hook); with none registered the
ingestion is unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from boh.kernel.uow import UnitOfWork


# per sale of every batch: slotted, not frozen (see ledger.contract)
@dataclass(slots=True)
class SoldLine:
    """One POS sale or return as ingested (quantities in base units, negative for a sale)."""

    index: int
    event_id: str
    kind: str  # sale | return
    site_id: int
    day: date  # the site's business date of the event
    item_id: int
    quantity: Decimal
    occurred_at: datetime
    modifiers: tuple[tuple[int, Decimal], ...] = ()  # (item_id, base quantity per sold unit)


@dataclass(frozen=True)
class Depletion:
    """What a sold line takes out of stock instead of its item: (item_id, signed base quantity) pairs."""

    components: tuple[tuple[int, Decimal], ...]


class BatchDepletion(Protocol):
    """What a rule read for one batch (in the caller's transaction), asked about the batch's sold lines."""

    @property
    def items(self) -> AbstractSet[int]:
        """The items whose sold lines it answers for or records; a line of another item is given to
        ``deplete`` and ``record`` only when it has modifiers."""
        ...

    def deplete(self, sold: Sequence[SoldLine]) -> dict[int, Depletion]:
        """For the lines it handles (by index), the components to move instead. Reads nothing more: it is
        asked before the events are claimed (a duplicate is asked too)."""
        ...

    def record(self, uow: UnitOfWork, sold: Sequence[SoldLine]) -> None:
        """The lines that were posted (claimed, not refused): the rule's own records (tallies, reports of
        items sold without a recipe) in the caller's unit of work."""
        ...


class DepletionRule(Protocol):
    def begin(self, uow: UnitOfWork) -> BatchDepletion:
        """Read what the rule needs for one batch of the unit of work's tenant (once per batch)."""
        ...


_rule: DepletionRule | None = None


def register(rule: DepletionRule | None) -> None:
    """Set (or with None, clear) the one depletion rule; registering the same rule again is harmless."""
    global _rule
    _rule = rule


def current() -> DepletionRule | None:
    return _rule
