# shared_kernel/__init__.py
# shared_kernel/money.py
from dataclasses import dataclass


@dataclass(frozen=True)
class Money:  # expect-not: shared-kernel
    amount: int
    currency: str


# billing/apps.py
from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"


# billing/services.py
from shared_kernel.money import Money


def price():
    return Money(1, "EUR")


# settings.py
INSTALLED_APPS = ["billing"]
