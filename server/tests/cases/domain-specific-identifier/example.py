from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models


@dataclass(frozen=True)
class Isbn:
    value: str

    def __post_init__(self) -> None:
        digits = self.value.replace("-", "").replace(" ", "")
        if len(digits) != 13 or not digits.isdigit():
            raise ValueError(f"not an ISBN-13: {self.value!r}")
        checksum = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
        if checksum % 10 != 0:
            raise ValueError(f"bad ISBN-13 check digit: {self.value!r}")
        object.__setattr__(self, "value", digits)


def validate_isbn(value: str) -> None:
    try:
        Isbn(value)
    except ValueError as error:
        raise ValidationError(str(error)) from error


class BookModel(models.Model):
    isbn = models.CharField(max_length=13, primary_key=True, validators=[validate_isbn])  # expect: domain-specific-identifier
    title = models.CharField(max_length=300)
