# tariffs/models.py
from django.db import models

from .domain import Tariff


class TariffModel(models.Model):
    id = models.UUIDField(primary_key=True)
    name = models.CharField(max_length=100)
    rate = models.DecimalField(max_digits=8, decimal_places=4)

    def to_domain(self) -> Tariff:
        return Tariff(id=self.id, name=self.name, rate=self.rate)


# tariffs/repository.py
from uuid import UUID

from django.core.cache import cache
from django.db import transaction

from .domain import Tariff
from .models import TariffModel


class CachedTariffRepository:  # expect: cached-repository
    """Reads through the Django cache; every write deletes the cached entry once committed."""

    timeout = 60 * 60

    def _key(self, tariff_id: UUID) -> str:
        return f"tariffs:v1:{tariff_id}"

    def get(self, tariff_id: UUID) -> Tariff:
        tariff = cache.get(self._key(tariff_id))
        if tariff is None:
            tariff = TariffModel.objects.get(pk=tariff_id).to_domain()
            cache.set(self._key(tariff_id), tariff, self.timeout)
        return tariff

    def add(self, tariff: Tariff) -> None:
        TariffModel.objects.update_or_create(
            pk=tariff.id, defaults={"name": tariff.name, "rate": tariff.rate}
        )
        key = self._key(tariff.id)
        transaction.on_commit(lambda: cache.delete(key))

    def remove(self, tariff_id: UUID) -> None:
        TariffModel.objects.filter(pk=tariff_id).delete()
        key = self._key(tariff_id)
        transaction.on_commit(lambda: cache.delete(key))
