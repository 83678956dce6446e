# orders/locks.py
from django.db import transaction


class Lock:  # expect-not: unit-of-work
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def place(order):  # expect-not: unit-of-work
    with transaction.atomic():
        order.save()
