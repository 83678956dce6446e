# catalog/selectors.py -- the catalog context's public read API
from dataclasses import dataclass
from decimal import Decimal

from catalog.models import Product

__all__ = ["ProductSummary", "get_product_summary", "list_available_products"]


@dataclass(frozen=True)
class ProductSummary:
    """Published language: add fields freely, never rename or remove them."""

    sku: str
    title: str
    unit_price: Decimal
    currency: str
    available: bool


def _to_summary(product: Product) -> ProductSummary:
    return ProductSummary(
        sku=product.sku,
        title=product.title,
        unit_price=product.price,
        currency=product.currency,
        available=product.stock > 0 and product.is_published,
    )


def get_product_summary(sku: str) -> ProductSummary | None:  # expect: open-host-service
    product = Product.objects.filter(sku=sku).first()
    return _to_summary(product) if product is not None else None


def list_available_products(limit: int = 50) -> list[ProductSummary]:
    products = Product.objects.filter(stock__gt=0, is_published=True).order_by("title")
    return [_to_summary(p) for p in products[:limit]]


# catalog/models.py
from django.db import models


class Product(models.Model):
    sku = models.CharField(max_length=32, unique=True)
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    stock = models.PositiveIntegerField(default=0)
    is_published = models.BooleanField(default=False)


# catalog/apps.py
from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"


# ordering/apps.py
from django.apps import AppConfig


class OrderingConfig(AppConfig):
    name = "ordering"


# ordering/services.py -- another context, using the published interface only
from catalog.selectors import get_product_summary


def can_order(sku: str) -> bool:
    summary = get_product_summary(sku)
    return summary is not None and summary.available
