# billing/models.py
from django.db import models


class Invoice(models.Model):
    number = models.CharField(max_length=20)

    class Meta:
        db_table = "billing_invoice"  # expect-not: context-table-namespace


class LegacyPayment(models.Model):
    amount = models.IntegerField()

    class Meta:
        managed = False
        db_table = "billing_payment"  # expect-not: context-table-namespace
