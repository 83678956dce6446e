# orders/helpers.py
def _place(uow, order):  # expect-not: service-layer
    with uow:
        uow.orders.add(order)
        uow.commit()


def total(order):  # expect-not: service-layer
    return sum(line.price for line in order.lines)
