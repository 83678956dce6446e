# shop/billing/domain/invoice.py
from dataclasses import dataclass


@dataclass
class Invoice:
    number: str
    total_cents: int


# shop/billing/application/services.py
def invoice_total(number: str) -> int:
    return 0


# shop/billing/invoicing/apps.py
from django.apps import AppConfig


class InvoicingConfig(AppConfig):  # expect: multi-app-bounded-context
    name = "shop.billing.invoicing"
    label = "billing_invoicing"


# shop/billing/invoicing/models.py
from django.db import models


class Invoice(models.Model):
    number = models.CharField(max_length=20, unique=True)


# shop/billing/payments/apps.py
from django.apps import AppConfig


class PaymentsConfig(AppConfig):  # expect: multi-app-bounded-context
    name = "shop.billing.payments"
    label = "billing_payments"


# shop/billing/payments/models.py
from django.db import models

from shop.billing.invoicing.models import Invoice  # same context: not a leak


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    received_at = models.DateTimeField(auto_now_add=True)
