# settings.py
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",  # expect-not: redis
    },
}
BROKER_URL = "amqp://guest@rabbit//"  # expect-not: redis
