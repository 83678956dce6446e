from dataclasses import dataclass
from datetime import datetime

from django.db import connections


@dataclass(frozen=True)
class HourlyConsumption:
    hour: datetime
    region: str
    kwh: float


class TimescaleConsumptionQueries:  # expect: time-series-olap-repository
    """Read-only repository on the "analytics" alias (PostgreSQL with TimescaleDB)."""

    def hourly_consumption(self, region: str, start: datetime, end: datetime) -> list[HourlyConsumption]:
        sql = """
            SELECT time_bucket('1 hour', ts) AS hour, region, sum(kwh)
            FROM readings
            WHERE region = %s AND ts >= %s AND ts < %s
            GROUP BY hour, region
            ORDER BY hour
        """
        with connections["analytics"].cursor() as cursor:
            cursor.execute(sql, [region, start, end])
            return [HourlyConsumption(hour, reg, float(kwh)) for hour, reg, kwh in cursor.fetchall()]
