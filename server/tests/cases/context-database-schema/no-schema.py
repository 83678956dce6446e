# settings.py
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "OPTIONS": {
            "sslmode": "require",  # expect-not: context-database-schema
        },
    },
}


# billing/models.py
from django.db import models


class Invoice(models.Model):
    class Meta:
        db_table = "billing_invoice"  # expect-not: context-database-schema
