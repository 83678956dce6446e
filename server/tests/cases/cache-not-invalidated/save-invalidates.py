# tariffs/models.py
from django.db import models


class Tariff(models.Model):
    code = models.CharField(max_length=10, unique=True)
    rate = models.DecimalField(max_digits=6, decimal_places=2)


# tariffs/repository.py
from django.core.cache import cache

from tariffs.models import Tariff


class TariffRepository:
    def get(self, code):
        found = cache.get(f"tariff:{code}")
        if found is None:
            found = Tariff.objects.get(code=code)
            cache.set(f"tariff:{code}", found)
        return found

    def save(self, tariff):  # expect-not: cache-not-invalidated
        tariff.save()
        cache.delete(f"tariff:{tariff.code}")


class UncachedTariffRepository:
    def save(self, tariff):  # expect-not: cache-not-invalidated
        Tariff.objects.filter(code=tariff.code).update(rate=tariff.rate)
