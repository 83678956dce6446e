# settings.py
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "db.sqlite3",
        "OPTIONS": {
            "options": "-c search_path=billing",  # expect: schema-on-sqlite, context-database-schema
        },
    },
}
