# billing/apps.py
from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"


# billing/models.py
from django.db import models


class Invoice(models.Model):
    total = models.DecimalField(max_digits=10, decimal_places=2)


# billing/services.py
def invoice_total(invoice_id: int) -> str:
    return "0"


# shipping/apps.py
from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipping"


# shipping/services.py
from typing import TYPE_CHECKING

from billing.services import invoice_total  # expect-not: cross-context-import

if TYPE_CHECKING:
    from billing.models import Invoice  # expect-not: cross-context-import


def ship(invoice_id):
    return invoice_total(invoice_id)


# settings.py
INSTALLED_APPS = ["billing", "shipping"]
