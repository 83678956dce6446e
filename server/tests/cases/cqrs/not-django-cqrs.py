# orders/models.py (read side of a hand-rolled CQRS: not django-cqrs)
from django.db import models


class OrderSummary(models.Model):  # expect-not: cqrs
    order_id = models.BigIntegerField(primary_key=True)
    customer_id = models.BigIntegerField(db_index=True)
    status = models.CharField(max_length=20)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    placed_at = models.DateTimeField()


# orders/projections.py -- keeps the read model current
from orders.domain import OrderPlaced
from orders.models import OrderSummary


def on_order_placed(event: OrderPlaced) -> None:
    OrderSummary.objects.update_or_create(
        order_id=event.order_id,
        defaults={"customer_id": event.customer_id, "status": "placed",
                  "total": event.total, "placed_at": event.occurred_at},
    )


# orders/queries.py -- no aggregates, no repositories (imports OrderSummary too)
def order_history(customer_id: int, limit: int = 20) -> list[dict[str, object]]:
    rows = OrderSummary.objects.filter(customer_id=customer_id).order_by("-placed_at")
    return list(rows.values("order_id", "status", "total", "placed_at")[:limit])
