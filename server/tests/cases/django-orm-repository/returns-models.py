# billing/models.py
from django.db import models


class Invoice(models.Model):
    number = models.CharField(max_length=20)


# billing/repository.py
from billing.models import Invoice


class InvoiceRepository:  # expect-not: django-orm-repository
    def get(self, number):
        return Invoice.objects.get(number=number)

    def add(self, invoice):
        invoice.save()
