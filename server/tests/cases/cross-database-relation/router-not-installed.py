# library/settings.py
INSTALLED_APPS = ["catalog", "lending"]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "library"},
    "lending": {"ENGINE": "django.db.backends.postgresql", "NAME": "library_lending"},
}


# library/routers.py
class LendingRouter:
    """Written, but not listed in DATABASE_ROUTERS: every app stays on `default`."""

    def db_for_write(self, model, **hints):
        if model._meta.app_label == "lending":
            return "lending"
        return None


# catalog/apps.py
from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"


# catalog/models.py
from django.db import models


class BookRecord(models.Model):
    title = models.CharField(max_length=300)


# lending/apps.py
from django.apps import AppConfig


class LendingConfig(AppConfig):
    name = "lending"


# lending/models.py
from django.db import models

from catalog.models import BookRecord


class Loan(models.Model):
    book = models.ForeignKey(BookRecord, on_delete=models.PROTECT)  # expect-not: cross-database-relation
