# bookings/domain.py
from dataclasses import dataclass


@dataclass(frozen=True)
class DateRange:  # expect-not: value-object
    start: str
    end: str


@dataclass
class Booking:  # expect-not: value-object
    reference: str
