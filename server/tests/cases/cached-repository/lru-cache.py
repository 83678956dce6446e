# tariffs/models.py
from django.db import models


class Tariff(models.Model):
    code = models.CharField(max_length=10, unique=True)


# tariffs/repository.py
from functools import lru_cache

from tariffs.models import Tariff


class TariffRepository:  # expect-not: cached-repository
    @lru_cache(maxsize=128)
    def get(self, code):
        return Tariff.objects.get(code=code)
