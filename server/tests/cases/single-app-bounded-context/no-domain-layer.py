# billing/apps.py
from django.apps import AppConfig


class BillingConfig(AppConfig):  # expect-not: single-app-bounded-context
    name = "billing"


# billing/views.py
def index(request):
    return None
