# library/settings.py
INSTALLED_APPS = ["catalog", "lending"]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", "NAME": "library"},
    "lending": {"ENGINE": "django.db.backends.postgresql", "NAME": "library_lending"},
}
DATABASE_ROUTERS = ["library.routers.LendingRouter"]


# library/routers.py
class LendingRouter:
    app_labels = frozenset({"lending"})
    alias = "lending"

    def db_for_read(self, model, **hints):
        return self.alias if model._meta.app_label in self.app_labels else None

    def db_for_write(self, model, **hints):
        return self.alias if model._meta.app_label in self.app_labels else None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if app_label in self.app_labels:
            return db == self.alias
        return None


# catalog/apps.py
from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"


# catalog/models.py
from django.db import models


class BookRecord(models.Model):
    isbn = models.CharField(primary_key=True, max_length=17)
    title = models.CharField(max_length=300)


class Edition(models.Model):
    book = models.ForeignKey(BookRecord, on_delete=models.CASCADE)  # expect-not: cross-database-relation


# lending/apps.py
from django.apps import AppConfig


class LendingConfig(AppConfig):
    name = "lending"


# lending/models.py
from django.db import models

from catalog.models import BookRecord


class Member(models.Model):
    name = models.CharField(max_length=100)


class Loan(models.Model):
    book = models.ForeignKey(BookRecord, on_delete=models.PROTECT)  # expect: cross-database-relation
    cover = models.OneToOneField("catalog.Edition", null=True, on_delete=models.SET_NULL)  # expect: cross-database-relation
    member = models.ForeignKey(Member, on_delete=models.CASCADE)  # expect-not: cross-database-relation
    previous = models.ForeignKey("self", null=True, on_delete=models.SET_NULL)  # expect-not: cross-database-relation
    wishlist = models.ManyToManyField("catalog.BookRecord", related_name="wished_by")  # expect: cross-database-relation
