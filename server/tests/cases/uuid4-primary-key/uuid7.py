# orders/models.py
from uuid_utils.compat import uuid7

from django.db import models


class Order(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)  # expect-not: uuid4-primary-key
