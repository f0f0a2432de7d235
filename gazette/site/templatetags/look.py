from django import template

from gazette.site import look
from gazette.site.models import SiteSettings

register = template.Library()


@register.filter
def stylesheet_version(site: SiteSettings) -> str:
    """The fingerprint in /theme.css's address (see gazette.site.look)."""
    return look.stylesheet_version(site)
