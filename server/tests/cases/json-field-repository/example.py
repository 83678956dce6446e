from uuid import UUID

from django.db import models
from pydantic import BaseModel


class Cart(BaseModel):  # the aggregate DTO
    id: UUID
    customer_id: UUID
    items: dict[str, int] = {}


class CartDocument(models.Model):  # expect: json-field-repository
    id = models.UUIDField(primary_key=True)
    data = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)


class CartRepository:  # expect: json-field-repository
    def get(self, id: UUID) -> Cart:
        return Cart.model_validate(CartDocument.objects.get(pk=id).data)

    def add(self, cart: Cart) -> None:
        data = cart.model_dump(mode="json")
        CartDocument.objects.update_or_create(pk=data["id"], defaults={"data": data})
