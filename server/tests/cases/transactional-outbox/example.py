# orders/models.py (excerpt)
from django.db import models


class OutboxMessage(models.Model):  # expect: transactional-outbox
    topic = models.CharField(max_length=200)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)


# orders/services.py
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from orders.models import Order, OutboxMessage


def confirm_order(order_id: int) -> None:
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        order.status = Order.Status.CONFIRMED
        order.save(update_fields=["status"])
        OutboxMessage.objects.create(
            topic="orders.order_confirmed",
            payload={"order_id": order.pk, "total": str(order.total)},
        )


def relay_outbox(publish: Callable[[str, dict], None], batch_size: int = 100) -> int:
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            published_at__isnull=True).order_by("id")[:batch_size]
        for message in pending:
            publish(message.topic, {"id": message.pk, **message.payload})
            message.published_at = timezone.now()
            message.save(update_fields=["published_at"])
    return len(pending)
