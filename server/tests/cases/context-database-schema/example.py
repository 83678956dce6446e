# django_project/settings/base.py
import os

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "USER": "shop_app",
        "PASSWORD": os.environ["SHOP_DB_PASSWORD"],
        "OPTIONS": {"options": "-c search_path=public"},  # expect: context-database-schema
    },
    "billing": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",  # the same database ...
        "USER": "billing_app",  # ... a role granted only the billing schema
        "PASSWORD": os.environ["BILLING_DB_PASSWORD"],
        "OPTIONS": {"options": "-c search_path=billing"},  # expect: context-database-schema
    },
}
DATABASE_ROUTERS = ["django_project.routers.BillingRouter"]

# Provisioning, once per environment (psql, before any migration):
#   CREATE ROLE billing_app LOGIN PASSWORD '...';
#   CREATE SCHEMA billing AUTHORIZATION billing_app;
# Then: python manage.py migrate --database=billing
