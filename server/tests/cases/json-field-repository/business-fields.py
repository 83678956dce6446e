# carts/models.py
from django.db import models


class CartRow(models.Model):  # expect-not: json-field-repository
    id = models.UUIDField(primary_key=True)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    customer = models.CharField(max_length=40)
    data = models.JSONField()
