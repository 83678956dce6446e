# orders/domain.py (excerpt)
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal


@dataclass(frozen=True)
class OrderPlaced:  # expect: domain-event
    order_reference: str
    customer_id: int
    total: Decimal
    occurred_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass
class Order:
    reference: str
    customer_id: int
    total: Decimal = Decimal("0")
    events: list[object] = field(default_factory=list)

    def place(self) -> None:
        self.events.append(OrderPlaced(self.reference, self.customer_id, self.total))


# orders/services.py (excerpt)
from django.db import transaction

from orders import message_bus


def place(order: Order, repository: "OrderRepository") -> None:
    with transaction.atomic():
        order.place()
        repository.add(order)
        events, order.events = order.events, []
        transaction.on_commit(lambda: message_bus.handle_all(events))
