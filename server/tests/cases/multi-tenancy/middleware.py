# settings.py
INSTALLED_APPS = ["django.contrib.auth"]
MIDDLEWARE = [
    "django_tenants.middleware.main.TenantMainMiddleware",  # expect-not: multi-tenancy
]
