# bookings/domain.py
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class StayPeriod:  # expect: value-object
    check_in: date
    check_out: date

    def __post_init__(self) -> None:
        if self.check_out <= self.check_in:
            raise ValueError("check-out must be after check-in")

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days

    def overlaps(self, other: StayPeriod) -> bool:
        return self.check_in < other.check_out and other.check_in < self.check_out

    def extended_by(self, nights: int) -> StayPeriod:
        return StayPeriod(self.check_in, self.check_out + timedelta(days=nights))


@dataclass
class Booking:
    reference: str
    period: StayPeriod

    def extend(self, nights: int) -> None:
        self.period = self.period.extended_by(nights)


# bookings/repositories.py (excerpt): the value object maps to two columns
from bookings.domain import StayPeriod
from bookings.models import Booking as BookingRow


def period_from_row(row: BookingRow) -> StayPeriod:
    return StayPeriod(check_in=row.check_in, check_out=row.check_out)
