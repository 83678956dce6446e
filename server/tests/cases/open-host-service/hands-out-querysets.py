# catalog/apps.py
from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"


# catalog/models.py
from django.db import models


class Product(models.Model):
    name = models.CharField(max_length=80)


# catalog/selectors.py
from django.db.models import QuerySet

from catalog.models import Product


def products() -> QuerySet:  # expect-not: open-host-service
    return Product.objects.all()


def count_products():  # expect-not: open-host-service
    return Product.objects.count()


# ordering/apps.py
from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "ordering"


# ordering/views.py
from catalog.selectors import count_products, products


def index(request):
    return products(), count_products()


# settings.py
INSTALLED_APPS = ["catalog", "ordering"]
