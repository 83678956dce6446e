# crm/apps.py
from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"


# crm/models.py
from django.db import models


class Address(models.Model):
    line1 = models.CharField(max_length=200)
    zip_code = models.CharField(max_length=20)
    country = models.CharField(max_length=2)


class Customer(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    shipping_address = models.ForeignKey(Address, null=True, on_delete=models.SET_NULL, related_name="+")
    billing_address = models.ForeignKey(Address, on_delete=models.PROTECT, related_name="+")


# shipping/apps.py
from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipping"


# shipping/domain.py
from dataclasses import dataclass


@dataclass(frozen=True)
class Recipient:
    customer_id: int
    name: str
    street: str
    postal_code: str
    country_code: str  # ISO 3166 alpha-2, upper case


class RecipientNotFound(Exception):
    pass


# shipping/translators.py -- the anticorruption layer towards the CRM context
from crm.models import Customer

from shipping.domain import Recipient, RecipientNotFound


def recipient_for(customer_id: int) -> Recipient:  # expect: anticorruption-layer
    try:
        customer = Customer.objects.select_related(
            "shipping_address", "billing_address"
        ).get(pk=customer_id)
    except Customer.DoesNotExist as exc:
        raise RecipientNotFound(customer_id) from exc
    address = customer.shipping_address or customer.billing_address
    return Recipient(
        customer_id=customer.pk,
        name=f"{customer.first_name} {customer.last_name}".strip(),
        street=address.line1,
        postal_code=address.zip_code,
        country_code=address.country.upper(),
    )
