"""WSGI entry point, served by ``safeguard serve`` (waitress) in every environment."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.config.settings")
application = get_wsgi_application()
