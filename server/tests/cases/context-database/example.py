# django_project/routers.py
from typing import Any

from django.db.models import Model


class BillingRouter:  # expect: context-database
    app_labels = frozenset({"billing_invoicing", "billing_payments"})
    alias = "billing"

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        return self.alias if model._meta.app_label in self.app_labels else None

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        return self.alias if model._meta.app_label in self.app_labels else None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        first = obj1._meta.app_label in self.app_labels
        second = obj2._meta.app_label in self.app_labels
        return first == second if first or second else None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if app_label in self.app_labels:
            return db == self.alias
        return False if db == self.alias else None


# django_project/settings/base.py (excerpt)
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop"},
    "billing": {"ENGINE": "django.db.backends.postgresql", "NAME": "shop_billing"},
}
DATABASE_ROUTERS = ["django_project.routers.BillingRouter"]  # expect: context-database
