# library/settings.py
INSTALLED_APPS = ["catalog", "lending"]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "library"},
    "lending": {"ENGINE": "django.db.backends.postgresql", "NAME": "library_lending"},
}
DATABASE_ROUTERS = ["library.routers.AppRouter"]


# library/routers.py
class AppRouter:
    route_app_labels = {"lending": "lending", "catalog": "default"}

    def db_for_read(self, model, **hints):
        return self.route_app_labels.get(model._meta.app_label)

    def db_for_write(self, model, **hints):
        return self.route_app_labels.get(model._meta.app_label)

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.route_app_labels:
            return db == self.route_app_labels[app_label]
        return None


# catalog/apps.py
from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"


# catalog/models.py
from django.db import models


class BookRecord(models.Model):
    isbn = models.CharField(primary_key=True, max_length=17)


class Edition(models.Model):
    book = models.ForeignKey(BookRecord, on_delete=models.CASCADE)  # expect-not: cross-database-relation


# lending/apps.py
from django.apps import AppConfig


class LendingConfig(AppConfig):
    name = "lending"


# lending/models.py
from django.db import models

from catalog.models import BookRecord


class Loan(models.Model):
    book = models.ForeignKey(BookRecord, on_delete=models.PROTECT)  # expect: cross-database-relation
