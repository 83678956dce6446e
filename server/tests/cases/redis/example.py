# settings.py
import os

REDIS_URL = os.environ.get("REDIS_URL", "redis://localhost:6379")

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",  # expect: redis
        "LOCATION": f"{REDIS_URL}/0",
        "KEY_PREFIX": "shop",
        "TIMEOUT": 300,
    },
}

# Sessions: cache first, database as the durable copy.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Queues: a separate logical database (in production, a separate noeviction instance).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", f"{REDIS_URL}/1")


# anywhere in the project
from django.core.cache import cache


def allow_request(client_ip: str, limit: int = 100) -> bool:
    key = f"ratelimit:{client_ip}"
    cache.add(key, 0, timeout=60)  # creates the counter only if missing
    return cache.incr(key) <= limit
