# shipping/views.py
from django.db.models import Q


def search(request, params):  # expect-not: anticorruption-layer
    return Q(name=params.name)
