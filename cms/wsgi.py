"""WSGI entry point for gunicorn: `gunicorn cms.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.production")

application = get_wsgi_application()

# What is loaded by now (Django, Wagtail, the apps: some 200,000 objects) lives as long as
# the process. Frozen, it is left out of the garbage collector's full passes, which then
# walk only what requests make: unfrozen, such a pass came every dozen or so requests
# for a large page (a charter dashboard) and took 100-280 ms of that request.
gc.freeze()
