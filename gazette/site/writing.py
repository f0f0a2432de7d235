"""Changing the blog's settings: the desk, the admin and commands all come here."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q

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


def picture_changed(image_id: int) -> None:
    """A library picture was redrawn (new renditions) or is being removed: when
    it is the blog's logo, header picture or icon, every page shows it, so the
    settings row cached with its pictures and every page go (inside the
    changing transaction)."""
    shown = Q(logo_id=image_id) | Q(header_image_id=image_id) | Q(icon_id=image_id)
    if SiteSettings.objects.filter(shown).exists():
        transaction.on_commit(lambda: cache.delete(SiteSettings.CACHE_KEY))
        pagecache.bump_on_commit(pagecache.SITE)
