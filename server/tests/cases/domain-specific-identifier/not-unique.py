# catalog/models.py
from django.db import models


class Product(models.Model):
    sku = models.CharField(max_length=20)  # expect-not: domain-specific-identifier
    name = models.CharField(max_length=80, unique=True)  # expect-not: domain-specific-identifier
