# billing/invoicing/models.py
from django.db import models


class TaxRate(models.Model):
    code = models.CharField(max_length=10, unique=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        db_table = "billing_tax_rate"  # expect: context-table-namespace


class Invoice(models.Model):
    number = models.CharField(max_length=20, unique=True)
    tax_rates = models.ManyToManyField(TaxRate, db_table="billing_invoice_tax_rate")

    class Meta:
        db_table = "billing_invoice"  # expect: context-table-namespace


# billing/payments/models.py
class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        db_table = "billing_payment"  # expect: context-table-namespace
