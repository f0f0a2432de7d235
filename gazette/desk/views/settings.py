"""The blog's own settings, for admins."""

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from gazette.desk.access import admin_view
from gazette.desk.forms import SiteSettingsForm
from gazette.site.models import SiteSettings
from gazette.site.writing import write_site_settings


@admin_view
def site_settings(request: HttpRequest) -> HttpResponse:
    site, _ = SiteSettings.objects.get_or_create(pk=1)
    form = SiteSettingsForm(request.POST or None, request.FILES or None, instance=site)
    if request.method == "POST":
        if form.is_valid():
            # The pictures and the settings that point at them, or neither.
            with transaction.atomic():
                site = form.save(commit=False)
                form.save_pictures(site, uploaded_by=request.user)
                write_site_settings(site)
            messages.success(request, "Settings saved.")
            return redirect("desk:settings")
        return render(request, "desk/settings.html", {"form": form}, status=400)
    return render(request, "desk/settings.html", {"form": form})
