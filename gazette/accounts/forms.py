"""Django's account forms, told about the throttle and the mail queue."""

from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import loader

from gazette.accounts.backends import refused_wait
from gazette.accounts.tasks import send_account_mail
from gazette.accounts.throttle import describe_wait


class SignInForm(AuthenticationForm):
    """Says how long to wait when the throttle refused the try, instead of
    "wrong password": the password was not even checked."""

    error_messages = AuthenticationForm.error_messages | {
        "throttled": (
            "Too many wrong passwords from your address or for this account. "
            "Please wait %(wait)s, then try again."
        ),
    }

    def clean(self) -> dict:
        try:
            return super().clean()
        except ValidationError:
            wait = refused_wait(self.request)
            if wait is None:
                raise
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"wait": describe_wait(wait)},
            ) from None


class ResetForm(PasswordResetForm):
    """Queues the reset mail instead of sending it in the request: the answer
    then takes as long whether the address belongs to an account or not."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject_lines = loader.render_to_string(subject_template_name, context)
        subject = "".join(subject_lines.splitlines())
        body = loader.render_to_string(email_template_name, context)
        transaction.on_commit(
            lambda: send_account_mail.enqueue(subject, body, [to_email])
        )
