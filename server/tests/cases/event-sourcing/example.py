# accounts/domain.py
from decimal import Decimal
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event


class InsufficientFunds(Exception):
    pass


class BankAccount(Aggregate):  # expect: event-sourcing
    @event("Opened")
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.balance = Decimal("0")

    def withdraw(self, amount: Decimal) -> None:
        if amount > self.balance:
            raise InsufficientFunds(f"balance {self.balance} < {amount}")
        self._debit(amount)

    @event("Withdrawn")
    def _debit(self, amount: Decimal) -> None:
        self.balance -= amount


class Accounts(Application):  # expect: event-sourcing
    def open_account(self, owner: str) -> UUID:
        account = BankAccount(owner=owner)
        self.save(account)
        return account.id

    def withdraw(self, account_id: UUID, amount: Decimal) -> None:
        account: BankAccount = self.repository.get(account_id)
        account.withdraw(amount)
        self.save(account)
