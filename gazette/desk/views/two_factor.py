"""Two-factor sign-in for desk accounts: turning it on with an authenticator app,
recovery codes, turning it off, and the code page that finishes a sign-in.

django-otp keeps the devices: a TOTP device for the app (its last used time step
refuses a replayed code, and wrong codes make it wait twice as long each time)
and a static device whose tokens are the one-use recovery codes. Who must give a
code, and where, is decided in gazette.desk.access."""

import math
from base64 import b32encode
from urllib.parse import quote, urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gazette.desk.access import desk_view, second_step_pending
from gazette.site.models import SiteSettings

RECOVERY_CODE_COUNT = 10
# Shown to the person and stored with the device, to tell them apart in the admin.
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
# Recovery codes made a moment ago, kept in the session only until the page
# after the redirect has shown them once.
NEW_CODES_SESSION_KEY = "gazette_new_recovery_codes"

WRONG_CODE = "That code is not right, or it was used already."


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none"}
        ),
    )


class TurnOffForm(forms.Form):
    proof = forms.CharField(
        label="Your password, or a current code from your app",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


@never_cache
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    next_url = _safe_next(request)
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if not second_step_pending(request):
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, refusal = check_code(request.user, form.cleaned_data["code"])
        if device is not None:
            # A new session key for the session that now has every right the
            # person has, as Django's own login() gives one.
            request.session.cycle_key()
            otp_login(request, device)
            return redirect(next_url)
        form.add_error("code", refusal)
    status = 400 if form.errors else 200
    context = {"form": form, "next": next_url}
    return render(request, "desk/sign_in_code.html", context, status=status)


@never_cache
@desk_view
def two_factor(request: HttpRequest) -> HttpResponse:
    """Whether two-factor sign-in is on; turning it on, confirmed by a code."""
    user = request.user
    if _app_device(user) is not None:
        new_codes = request.session.pop(NEW_CODES_SESSION_KEY, None)
        return _status_page(request, TurnOffForm(), new_codes)

    # The secret waits, unconfirmed, until a code from it comes back: reloading
    # the page or mistyping a code keeps the one already scanned.
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=APP_DEVICE_NAME, confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refusal = _confirm(device, form.cleaned_data["code"])
        if refusal is None:
            request.session.cycle_key()
            otp_login(request, device)
            request.session[NEW_CODES_SESSION_KEY] = make_recovery_codes(user)
            messages.success(request, "Two-factor sign-in is on.")
            return redirect("desk:two_factor")
        form.add_error("code", refusal)
    uri = otpauth_uri(device)
    context = {
        "form": form,
        "qr_svg": qr_svg(uri),
        "otpauth_uri": uri,
        "secret": _grouped(_base32_secret(device)),
    }
    status = 400 if form.errors else 200
    return render(request, "desk/two_factor_setup.html", context, status=status)


@never_cache
@desk_view
@require_POST
def new_recovery_codes(request: HttpRequest) -> HttpResponse:
    """A new set of recovery codes; the old set stops working."""
    if _app_device(request.user) is not None:
        request.session[NEW_CODES_SESSION_KEY] = make_recovery_codes(request.user)
        messages.success(
            request, "New recovery codes made; the old ones no longer work."
        )
    return redirect("desk:two_factor")


@never_cache
@desk_view
@require_POST
def turn_off(request: HttpRequest) -> HttpResponse:
    """Two-factor sign-in off, after the password or a current code again: a
    session left open on a shared computer cannot switch it off alone."""
    if _app_device(request.user) is None:
        return redirect("desk:two_factor")
    form = TurnOffForm(request.POST)
    if form.is_valid():
        if _proves_identity(request, form.cleaned_data["proof"]):
            for device in devices_for_user(request.user, confirmed=None):
                device.delete()
            request.session.pop(DEVICE_ID_SESSION_KEY, None)
            messages.success(request, "Two-factor sign-in is off.")
            return redirect("desk:two_factor")
        form.add_error("proof", "That is neither your password nor a current code.")
    return _status_page(request, form, None, status=400)


def _status_page(
    request: HttpRequest,
    turn_off_form: TurnOffForm,
    new_codes: list[str] | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "new_codes": new_codes,
        "codes_left": StaticToken.objects.filter(
            device__user=request.user, device__confirmed=True
        ).count(),
        "turn_off_form": turn_off_form,
    }
    return render(request, "desk/two_factor.html", context, status=status)


def _confirm(device: TOTPDevice, typed: str) -> str | None:
    """Confirm the new app `device` if `typed` is its current code; otherwise the
    reason it is not."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if (refusal := _throttled(locked)) is not None:
            return refusal
        if not locked.verify_token(_normalise(typed)):
            return (
                "That code is not right. Check that your phone's clock is "
                "set automatically, and type the newest code."
            )
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
    device.refresh_from_db()
    return None


def check_code(user, typed: str) -> tuple[Device | None, str]:
    """The device that accepts `typed` (six digits from the app, or a recovery
    code, which is then used up), or None and the reason it was refused.

    Each try runs in a transaction with the device's row locked, so that two
    requests at once cannot both use one code."""
    code = _normalise(typed)
    model: type[Device] = TOTPDevice if _is_app_code(code) else StaticDevice
    for device in model.objects.filter(user=user, confirmed=True):
        with transaction.atomic():
            locked = model.objects.select_for_update().get(pk=device.pk)
            if (refusal := _throttled(locked)) is not None:
                return None, refusal
            if locked.verify_token(code):
                return locked, ""
    return None, WRONG_CODE


def make_recovery_codes(user) -> list[str]:
    """Ten new one-use codes for `user`, replacing any they had."""
    device = StaticDevice.objects.filter(user=user).first()
    if device is None:
        device = StaticDevice.objects.create(
            user=user, name=RECOVERY_DEVICE_NAME, confirmed=True
        )
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    with transaction.atomic():
        device.token_set.all().delete()
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in codes
        )
    return sorted(codes)


def otpauth_uri(device: TOTPDevice) -> str:
    """The address an authenticator app reads from the QR code, naming the blog
    as the issuer (Key URI format: otpauth://totp/Issuer:account?secret=...)."""
    # A colon separates the issuer from the account in the label.
    issuer = SiteSettings.load().title.replace(":", "").strip() or "Gazette"
    label = quote(f"{issuer}:{device.user.get_username()}")
    query = urlencode(
        {
            "secret": _base32_secret(device),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(text: str) -> SafeString:
    """`text` as a QR code in an inline SVG element, drawn here: no image file,
    script or outside service is involved."""
    code = segno.make(text, error="m")
    svg = code.svg_inline(
        scale=5, dark="#000", light="#fff", title="QR code for your authenticator app"
    )
    # segno writes the markup itself from the address; nothing typed by a person
    # reaches it except the blog's title and the username, which it encodes into
    # path data, never into markup.
    return mark_safe(svg)


def _app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _base32_secret(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii").rstrip("=")


def _grouped(secret: str) -> str:
    """The secret in groups of four, as people copy it by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _normalise(typed: str) -> str:
    """Codes as people type them: with spaces or dashes, in either case."""
    return "".join(typed.split()).replace("-", "").lower()


def _is_app_code(code: str) -> bool:
    """App codes are six digits; recovery codes are eight letters and digits."""
    return len(code) == 6 and code.isascii() and code.isdigit()


def _throttled(device) -> str | None:
    """Why `device` takes no code now, after a run of wrong ones; else None."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    wait = 1
    if details and details.get("locked_until"):
        remaining = (details["locked_until"] - timezone.now()).total_seconds()
        wait = max(1, math.ceil(remaining))
    return (
        "Too many wrong codes. Wait "
        f"{wait} second{'s' if wait != 1 else ''} before trying again."
    )


def _proves_identity(request: HttpRequest, proof: str) -> bool:
    """The person's password, or a current code from their app. Passwords go
    through authenticate(), so that guesses count as failed sign-ins."""
    user = request.user
    code = _normalise(proof)
    if _is_app_code(code):
        device, _ = check_code(user, code)
        if device is not None:
            return True
    username = user.get_username()
    authenticated = authenticate(request, username=username, password=proof)
    return authenticated is not None and authenticated.pk == user.pk


def _safe_next(request: HttpRequest) -> str:
    """Where to go after the code: `next` when it is on this site."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("desk:posts")
