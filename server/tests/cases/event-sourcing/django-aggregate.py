# reports/aggregates.py
from django.db.models import Aggregate


class Median(Aggregate):  # expect-not: event-sourcing
    function = "PERCENTILE_CONT"
