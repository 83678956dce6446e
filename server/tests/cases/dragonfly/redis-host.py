# settings.py
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",  # expect-not: dragonfly
        "LOCATION": "redis://redis:6379/0",
    },
}
