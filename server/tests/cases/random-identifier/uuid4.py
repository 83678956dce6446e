# orders/models.py
import uuid

from django.db import models


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)  # expect-not: random-identifier
