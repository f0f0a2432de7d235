"""The WSGI application `gazette serve` runs: Django, behind a layer that answers
readers' pages straight from the shared page cache (gazette.lib.pagecache)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gazette.settings")
django_application = get_wsgi_application()

from gazette.lib.pagecache import CachedPagesFirst  # noqa: E402 - needs settings

application = CachedPagesFirst(django_application)
