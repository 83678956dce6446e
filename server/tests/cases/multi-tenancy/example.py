# settings.py (excerpt)
SHARED_APPS = [
    "django_tenants",  # expect: multi-tenancy
    "customers",
    "django.contrib.contenttypes",
    "django.contrib.auth",
]
TENANT_APPS = ["django.contrib.contenttypes", "projects"]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

DATABASES = {"default": {"ENGINE": "django_tenants.postgresql_backend", "NAME": "saas"}}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware",
    "django.middleware.common.CommonMiddleware",
]
TENANT_MODEL = "customers.Client"
TENANT_DOMAIN_MODEL = "customers.Domain"

# customers/models.py
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin


class Client(TenantMixin):  # expect: multi-tenancy
    name = models.CharField(max_length=100)
    created_on = models.DateField(auto_now_add=True)
    auto_create_schema = True  # create and migrate the schema on first save


class Domain(DomainMixin):
    pass
