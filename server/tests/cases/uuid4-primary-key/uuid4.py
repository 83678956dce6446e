# orders/models.py
import uuid

from django.db import models


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # expect: uuid4-primary-key
    token = models.UUIDField(default=uuid.uuid4, unique=True)  # expect-not: uuid4-primary-key
