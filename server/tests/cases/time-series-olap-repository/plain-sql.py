# metrics/repository.py
from django.db import connection


class MetricsRepository:  # expect-not: time-series-olap-repository
    def daily(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT day, count(*) FROM metrics GROUP BY day")
            return cursor.fetchall()
