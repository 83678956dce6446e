# orders/services.py
from orders.domain import Order, OrderLine, OutOfStock
from orders.unit_of_work import AbstractUnitOfWork


def place_order(uow: AbstractUnitOfWork, customer_id: int, lines: list[tuple[str, int]]) -> str:  # expect: service-layer
    with uow:
        order = Order.new(customer_id=customer_id)
        for sku, quantity in lines:
            product = uow.products.get(sku)
            order.add_line(OrderLine(sku=sku, quantity=quantity, unit_price=product.price))
            product.reserve(quantity)  # raises OutOfStock
            uow.products.add(product)
        uow.orders.add(order)
        uow.commit()
        return order.reference


# orders/views.py
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from orders.domain import OutOfStock
from orders.services import place_order
from orders.unit_of_work import DjangoUnitOfWork


@require_POST
def place_order_view(request: HttpRequest) -> JsonResponse:
    skus, quantities = request.POST.getlist("sku"), request.POST.getlist("qty")
    lines = [(sku, int(qty)) for sku, qty in zip(skus, quantities)]
    try:
        reference = place_order(DjangoUnitOfWork(), request.user.pk, lines)
    except OutOfStock as exc:
        return JsonResponse({"error": str(exc)}, status=409)
    return JsonResponse({"reference": reference}, status=201)
