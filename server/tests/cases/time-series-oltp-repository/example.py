from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import psycopg
from questdb.ingress import Sender

# CREATE TABLE readings (meter_id SYMBOL, kwh DOUBLE, ts TIMESTAMP)
#   TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, meter_id);


@dataclass(frozen=True)
class Reading:
    meter_id: str
    measured_at: datetime
    kwh: float


class QuestDbReadingRepository:  # expect: time-series-oltp-repository
    def __init__(self, ingest_conf: str, query_dsn: str) -> None:
        self.ingest_conf = ingest_conf  # e.g. "http::addr=questdb:9000;"
        self.query_dsn = query_dsn  # e.g. "postgresql://admin:quest@questdb:8812/qdb"

    def add_many(self, readings: Iterable[Reading]) -> None:
        """Insert or correct readings; same (ts, meter_id) replaces the old row."""
        with Sender.from_conf(self.ingest_conf) as sender:
            for r in readings:
                sender.row("readings", symbols={"meter_id": r.meter_id},
                           columns={"kwh": r.kwh}, at=r.measured_at)

    def latest(self, meter_id: str) -> Reading | None:
        with psycopg.connect(self.query_dsn) as conn:
            row = conn.execute(
                "SELECT meter_id, ts, kwh FROM readings WHERE meter_id = %s "
                "LATEST ON ts PARTITION BY meter_id",
                (meter_id,),
            ).fetchone()
        return Reading(*row) if row else None
