# catalog/repository.py
from catalog.models import Product


class ProductRepository:  # expect-not: query-method-sprawl
    def get_by_sku(self, sku):
        return Product.objects.get(sku=sku)

    def find_by_name(self, name):
        return Product.objects.filter(name=name)

    def get_by_natural_key(self, key):
        return Product.objects.get(sku=key)

    def find_by_category(self, category):
        return Product.objects.filter(category=category)
