# catalog/repository.py
from catalog.models import Product


class ProductRepository:  # expect: query-method-sprawl
    def get_by_sku(self, sku):
        return Product.objects.get(sku=sku)

    def find_by_name(self, name):
        return Product.objects.filter(name=name)

    def find_by_category(self, category):
        return Product.objects.filter(category=category)

    def get_by_slug(self, slug):
        return Product.objects.get(slug=slug)
