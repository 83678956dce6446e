# orders/models.py
from django.db import models


class OutboxMessage(models.Model):  # expect-not: transactional-outbox
    topic = models.CharField(max_length=80)
    payload = models.JSONField()
