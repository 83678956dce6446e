# orders/domain.py -- no Django imports
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID


@dataclass
class Order:
    id: UUID
    customer_email: str
    total: Decimal = Decimal("0")

    def add_line(self, quantity: int, unit_price: Decimal) -> None:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self.total += unit_price * quantity


# orders/models.py
from django.db import models


class OrderModel(models.Model):  # expect: django-orm-repository
    id = models.UUIDField(primary_key=True)
    customer_email = models.EmailField()
    total = models.DecimalField(max_digits=12, decimal_places=2)

    def to_domain(self) -> Order:
        return Order(id=self.id, customer_email=self.customer_email, total=self.total)


# orders/repository.py
class DjangoOrderRepository:
    def get(self, order_id: UUID) -> Order:
        return OrderModel.objects.get(pk=order_id).to_domain()

    def add(self, order: Order) -> None:
        OrderModel.objects.update_or_create(
            pk=order.id,
            defaults={"customer_email": order.customer_email, "total": order.total},
        )

    def list(self) -> list[Order]:
        return [row.to_domain() for row in OrderModel.objects.order_by("customer_email")]

    def remove(self, order_id: UUID) -> None:
        OrderModel.objects.filter(pk=order_id).delete()
