# orders/domain.py
from dataclasses import dataclass, field
from decimal import Decimal


class OrderError(Exception):
    pass


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass
class Order:  # expect: aggregate
    reference: str
    customer_id: int
    credit_limit: Decimal
    shipped: bool = False
    lines: list[OrderLine] = field(default_factory=list)
    version: int = 0

    @property
    def total(self) -> Decimal:
        return sum((line.unit_price * line.quantity for line in self.lines), Decimal("0"))

    def add_line(self, line: OrderLine) -> None:
        if self.shipped:
            raise OrderError("a shipped order cannot change")
        if self.total + line.unit_price * line.quantity > self.credit_limit:
            raise OrderError("credit limit exceeded")
        self.lines.append(line)


# orders/repository.py
from django.db import transaction

from orders.domain import Order, OrderError, OrderLine
from orders.models import OrderLineRow, OrderRow


class OrderRepository:
    def get(self, reference: str) -> Order:
        row = OrderRow.objects.prefetch_related("lines").get(reference=reference)
        lines = [OrderLine(l.sku, l.quantity, l.unit_price) for l in row.lines.all()]
        return Order(row.reference, row.customer_id, row.credit_limit, row.shipped, lines, row.version)

    def add(self, order: Order) -> None:
        with transaction.atomic():
            updated = OrderRow.objects.filter(reference=order.reference, version=order.version).update(
                shipped=order.shipped, version=order.version + 1
            )
            if not updated:
                raise OrderError("the order changed meanwhile")
            OrderLineRow.objects.filter(order_id=order.reference).delete()
            OrderLineRow.objects.bulk_create(
                OrderLineRow(order_id=order.reference, sku=l.sku, quantity=l.quantity, unit_price=l.unit_price)
                for l in order.lines
            )
