"""Personal data, for admins: find everything the blog holds about one email
address, download it as JSON, or erase it (after a confirm step). The work is
`gazette.comments.privacy`'s, shared with `gazette personal_data`.

The address travels in POST bodies only, so that it stays out of server logs
and browser history.
"""

import json

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods

from gazette.comments import privacy
from gazette.desk.access import admin_view


class PersonalDataForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Give the email address to look for.",
            "invalid": "Give a whole email address, such as dana@example.net.",
        },
    )
    confirm = forms.BooleanField(
        label="I understand that erasing cannot be undone", required=False
    )


@admin_view
@require_http_methods(["GET", "POST"])
def personal_data(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, PersonalDataForm())
    form = PersonalDataForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    email = privacy.normalise(form.cleaned_data["email"])
    action = request.POST.get("action", "find")
    if action == "export":
        return _download(request, email)
    found = privacy.find(email)
    if action == "erase" and not found.is_empty:
        if not form.cleaned_data["confirm"]:
            form.add_error("confirm", "Tick the box to confirm, then erase.")
            return _page(request, form, found, status=400)
        erased = privacy.erase(email)
        messages.success(request, f"Erased what the blog held about {email}.")
        for line in erased.lines():
            messages.info(request, line)
        return redirect("desk:personal_data")
    return _page(request, form, found)


def _page(request: HttpRequest, form, found=None, status: int = 200) -> HttpResponse:
    context = {
        "form": form,
        "found": found,
        "summary": privacy.summary(found) if found else [],
    }
    response = render(request, "desk/personal_data.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _download(request: HttpRequest, email: str) -> HttpResponse:
    site_url = request.build_absolute_uri("/").rstrip("/")
    data = privacy.export(privacy.find(email), site_url=site_url)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    # The address is in the file, not its name: downloads folders get synced.
    response["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    patch_cache_control(response, private=True, no_store=True)
    return response
