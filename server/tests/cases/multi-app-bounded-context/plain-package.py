# shop/invoicing/apps.py
from django.apps import AppConfig


class InvoicingConfig(AppConfig):  # expect-not: multi-app-bounded-context
    name = "shop.invoicing"


# shop/payments/apps.py
from django.apps import AppConfig


class PaymentsConfig(AppConfig):  # expect-not: multi-app-bounded-context
    name = "shop.payments"


# shop/settings.py
INSTALLED_APPS = ["shop.invoicing", "shop.payments"]
