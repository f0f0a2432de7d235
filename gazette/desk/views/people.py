"""People: who may use the desk and with which role, for admins."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from gazette.accounts import sessions
from gazette.desk.access import admin_view, forbidden
from gazette.desk.forms import ROLE_CHOICES, NewPersonForm, RoleForm
from gazette.site import roles

GROUP_OF = {"admin": roles.ADMINS, "author": roles.AUTHORS}
GROUP_OF["contributor"] = roles.CONTRIBUTORS


@transaction.atomic
def _set_role(person, role: str) -> None:
    person.groups.remove(*Group.objects.filter(name__in=roles.ROLE_GROUPS))
    if role:
        person.groups.add(Group.objects.get(name=GROUP_OF[role]))


@admin_view
def people(request: HttpRequest) -> HttpResponse:
    everyone = get_user_model().objects.order_by("username").prefetch_related("groups")
    rows = []
    for person in everyone:
        # roles.role_of reads this cache instead of querying once per person.
        roles.remember_groups(person, {group.name for group in person.groups.all()})
        rows.append((person, roles.role_of(person) or ""))
    context = {"rows": rows, "choices": ROLE_CHOICES}
    return render(request, "desk/people.html", context)


@admin_view
@require_POST
def set_role(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=pk)
    if person.pk == request.user.pk or person.is_superuser:
        return forbidden(
            request, "Your own role, and a superuser's, are changed elsewhere."
        )
    form = RoleForm(request.POST)
    if form.is_valid():
        _set_role(person, form.cleaned_data["role"])
        messages.success(request, f"{person.get_username()}'s role is changed.")
    else:
        messages.error(request, "That is not a role; nothing changed.")
    return redirect("desk:people")


@admin_view
@require_POST
def sign_out_person(request: HttpRequest, pk: int) -> HttpResponse:
    """End every session of someone else (a lost laptop, a leaving colleague)."""
    person = get_object_or_404(get_user_model(), pk=pk)
    if person.pk == request.user.pk:
        return forbidden(request, "Sign yourself out under Account.")
    ended = sessions.end_all(person)
    noun = "session" if ended == 1 else "sessions"
    messages.success(
        request, f"{person.get_username()} is signed out everywhere ({ended} {noun})."
    )
    return redirect("desk:people")


@admin_view
def person_new(request: HttpRequest) -> HttpResponse:
    form = NewPersonForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                person = form.save()
                _set_role(person, form.cleaned_data["role"])
            messages.success(request, f"{person.get_username()} can now sign in.")
            return redirect("desk:people")
        return render(request, "desk/person_new.html", {"form": form}, status=400)
    return render(request, "desk/person_new.html", {"form": form})
