from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from .domain import Invoice
from .models import InvoiceModel


class Specification:  # expect: repository-specification
    def is_satisfied_by(self, invoice: Invoice) -> bool: raise NotImplementedError
    def to_q(self) -> Q: raise NotImplementedError
    def __and__(self, other: "Specification") -> "Specification": return And(self, other)


@dataclass(frozen=True)
class And(Specification):  # expect: repository-specification
    left: Specification
    right: Specification

    def is_satisfied_by(self, invoice: Invoice) -> bool:
        return self.left.is_satisfied_by(invoice) and self.right.is_satisfied_by(invoice)

    def to_q(self) -> Q:
        return self.left.to_q() & self.right.to_q()


@dataclass(frozen=True)
class Overdue(Specification):  # expect: repository-specification
    today: date

    def is_satisfied_by(self, invoice: Invoice) -> bool:
        return not invoice.paid and invoice.due_date < self.today

    def to_q(self) -> Q:
        return Q(paid=False, due_date__lt=self.today)


class DjangoInvoiceRepository:
    def find(self, spec: Specification) -> list[Invoice]:
        return [row.to_domain() for row in InvoiceModel.objects.filter(spec.to_q())]
