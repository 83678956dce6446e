# settings.py
INSTALLED_APPS = [
    "django.contrib.admin",  # expect-not: generic-subdomain
    "rest_framework",  # expect-not: generic-subdomain
    "allauth",  # expect: generic-subdomain
    "allauth.account",  # expect-not: generic-subdomain
]
