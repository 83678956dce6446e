# billing/apps.py
from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"


# billing/models.py
from django.db import models


class Invoice(models.Model):
    total = models.DecimalField(max_digits=10, decimal_places=2)


# shipping/apps.py
from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipping"


# shipping/models.py
from django.db import models


class Shipment(models.Model):
    weight = models.IntegerField()


# shipping/services.py
from billing.models import Invoice  # expect: cross-context-import
from shipping.models import Shipment  # expect-not: cross-context-import


def ship(invoice_id):
    return Shipment.objects.create(weight=Invoice.objects.get(pk=invoice_id).total)


# settings.py
INSTALLED_APPS = ["billing", "shipping"]
