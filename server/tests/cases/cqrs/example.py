# orders/models.py (the service that writes orders)
from dj_cqrs.mixins import MasterMixin
from django.db import models


class Order(MasterMixin, models.Model):  # expect: cqrs
    CQRS_ID = "order"

    customer_id = models.BigIntegerField()
    status = models.CharField(max_length=20)


# reporting/models.py (another service, reading)
from dj_cqrs.mixins import ReplicaMixin
from django.db import models


class OrderReplica(ReplicaMixin, models.Model):  # expect: cqrs
    CQRS_ID = "order"

    id = models.BigIntegerField(primary_key=True)
    customer_id = models.BigIntegerField()
    status = models.CharField(max_length=20)
