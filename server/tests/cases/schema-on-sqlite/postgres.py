# settings.py
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "shop",
        "OPTIONS": {
            "options": "-c search_path=billing",  # expect-not: schema-on-sqlite
        },
    },
}
