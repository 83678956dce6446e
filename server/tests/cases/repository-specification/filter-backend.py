# catalog/filters.py
from django.db.models import Q


class InStockFilterBackend:  # expect-not: repository-specification
    def to_q(self, request):
        return Q(stock__gt=0)


class IsOwner:  # expect-not: repository-specification
    def __and__(self, other):
        return other

    def has_permission(self, request, view):
        return True
