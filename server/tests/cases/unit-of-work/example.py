# orders/unit_of_work.py
from types import TracebackType

from django.db import transaction

from orders.repositories import DjangoOrderRepository, DjangoProductRepository


class DjangoUnitOfWork:  # expect: unit-of-work
    def __init__(self, using: str = "default") -> None:
        self._using = using
        self._committed = False

    def __enter__(self) -> "DjangoUnitOfWork":
        self._atomic = transaction.atomic(using=self._using)
        self._atomic.__enter__()
        self._committed = False
        self.orders = DjangoOrderRepository()
        self.products = DjangoProductRepository()
        return self

    def commit(self) -> None:
        self._committed = True

    def rollback(self) -> None:
        self._committed = False

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and not self._committed:
            transaction.set_rollback(True, using=self._using)
        self._atomic.__exit__(exc_type, exc, tb)
