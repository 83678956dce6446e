# billing/apps.py
from django.apps import AppConfig


class BillingConfig(AppConfig):  # expect: single-app-bounded-context
    default_auto_field = "django.db.models.BigAutoField"
    name = "billing"
    verbose_name = "Billing"


# billing/models.py
from django.db import models


class Invoice(models.Model):
    customer_id = models.UUIDField(db_index=True)  # another context's identifier, not a ForeignKey
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    issued_at = models.DateTimeField(auto_now_add=True)


# billing/domain.py
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID


@dataclass
class InvoiceDraft:
    customer_id: UUID
    amount: Decimal

    def check(self) -> None:
        if self.amount <= 0:
            raise ValueError("an invoice needs a positive amount")


# billing/services.py
from decimal import Decimal
from uuid import UUID

from billing.domain import InvoiceDraft
from billing.models import Invoice


def open_invoice(customer_id: UUID, amount: Decimal) -> int:
    draft = InvoiceDraft(customer_id, amount)
    draft.check()
    invoice = Invoice.objects.create(customer_id=draft.customer_id, amount=draft.amount)
    return invoice.pk
