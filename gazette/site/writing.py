"""Changing the blog's settings: the desk, the admin and commands all come here."""

from django.core.cache import cache
from django.db import transaction

from gazette.lib import pagecache
from gazette.site.models import SiteSettings


@transaction.atomic
def write_site_settings(site: SiteSettings) -> SiteSettings:
    """Save the settings row; every page shows the title and the sidebar, so the
    site version moves on once the change commits."""
    site.save()
    # A reader between the save and the commit may have cached the old row.
    transaction.on_commit(lambda: cache.delete(SiteSettings.CACHE_KEY))
    pagecache.bump_on_commit(pagecache.SITE)
    return site
