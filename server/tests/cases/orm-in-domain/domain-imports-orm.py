# billing/domain/invoice.py
from django.db import models  # expect: orm-in-domain


class Invoice:
    def __init__(self, number):
        self.number = number
