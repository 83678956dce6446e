# shipping/models.py
import sys

from django.db import models
from nanoid import generate

if sys.version_info >= (3, 14):
    from uuid import uuid7
else:
    from uuid_utils.compat import uuid7  # returns uuid.UUID, which UUIDField accepts


class Shipment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)  # expect: random-identifier
    tracking_code = models.CharField(max_length=21, unique=True, default=generate)
