# shared_kernel/money.py -- jointly owned by ordering and billing; change only by agreement
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal


@dataclass(frozen=True)
class Money:  # expect: shared-kernel
    amount: Decimal
    currency: str  # ISO 4217 code

    def __post_init__(self) -> None:
        if len(self.currency) != 3 or not self.currency.isupper():
            raise ValueError(f"not an ISO 4217 code: {self.currency!r}")
        quantized = self.amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        object.__setattr__(self, "amount", quantized)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError("cannot add amounts in different currencies")
        return Money(self.amount + other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)


# ordering/apps.py
from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "ordering"


# billing/apps.py
from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"


# ordering/domain.py
from decimal import Decimal

from shared_kernel.money import Money


def order_total(prices: list[Money]) -> Money:
    total = Money(Decimal("0"), prices[0].currency)
    for price in prices:
        total = total + price
    return total


# billing/domain.py
from shared_kernel.money import Money


def invoice_line(unit_price: Money, quantity: int) -> Money:
    return unit_price.times(quantity)
