"""A bare Django for the benchmark's lower ceiling: one view, no middleware, no apps, no database.

    DJANGO_SETTINGS_MODULE=benchmarks.bare_settings \
        gunicorn 'django.core.wsgi:get_wsgi_application()'
"""

SECRET_KEY = "benchmark-only-not-a-secret"  # noqa: S105 - loopback benchmark, no data
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "benchmarks.ceiling"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_I18N = False
USE_TZ = True
