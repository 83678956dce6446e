# billing/infrastructure/models.py
from django.db import models  # expect-not: orm-in-domain


class InvoiceRow(models.Model):
    number = models.CharField(max_length=20)


# billing/domain/invoice.py
from decimal import Decimal  # expect-not: orm-in-domain
