# orders/services.py
class Order:  # expect-not: aggregate
    def ship(self):
        self.shipped = True


class OrderRepository:
    def get(self, reference: str) -> Order:
        return Order()

    def add(self, order: Order) -> None:
        pass
