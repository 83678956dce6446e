# settings.py -- the Redis configuration, pointed at Dragonfly
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",  # expect: dragonfly
        "LOCATION": "redis://dragonfly:6379/0",
        "KEY_PREFIX": "shop",
    },
}

SESSION_ENGINE = "django.contrib.sessions.backends.cache"
CELERY_BROKER_URL = "redis://dragonfly:6379/1"


# tests/test_cache_backend.py -- a smoke test run in CI against the Dragonfly container
from django.core.cache import cache


def test_cache_round_trip() -> None:
    cache.set("smoke", {"ok": True}, timeout=10)
    assert cache.get("smoke") == {"ok": True}
    assert cache.delete("smoke")
