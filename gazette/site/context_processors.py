from gazette.site.models import SiteSettings


def site(request):
    return {"site": getattr(request, "site", None) or SiteSettings.load()}
