from django import forms
from django.core.exceptions import ValidationError

from gazette.comments.models import BlockRule, Comment

BODY_MAX = Comment._meta.get_field("body").max_length


class CommentForm(forms.Form):
    """ "Post a Comment". A signed-in person comments as themself, so the name,
    email and website fields are left out for them."""

    author_name = forms.CharField(
        label="Name",
        max_length=100,
        error_messages={"required": "Give a name to show with your comment."},
    )
    author_email = forms.EmailField(
        label="Email (optional, never shown)", required=False, max_length=254
    )
    author_url = forms.URLField(
        label="Website (optional)",
        required=False,
        max_length=200,
        assume_scheme="https",
    )
    body = forms.CharField(
        label="Comment",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Write your comment before posting it."},
        help_text="Plain text with a little Markdown: *emphasis*, [links](https://…), "
        "> quotes and `code`.",
    )
    wants_reply_notifications = forms.BooleanField(
        label="Email me replies to my comment", required=False
    )
    parent = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1
    )
    # The signed one-use token. Pages that may be cached carry it empty: the
    # browser fetches one when the reader starts to write (comments/form.js),
    # and without script the first "Post" brings the form back with one.
    token = forms.CharField(widget=forms.HiddenInput, max_length=500, required=False)
    # The honeypot: hidden from people by CSS; bots fill in every field they see.
    homepage_title = forms.CharField(
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None and user.is_authenticated:
            for name in ("author_name", "author_email", "author_url"):
                del self.fields[name]
        for problem in ("invalid", "min_value", "max_value"):
            self.fields["parent"].error_messages[problem] = (
                "The comment you replied to could not be found."
            )

    def clean(self):
        data = super().clean()
        assert data is not None  # Django's clean() returns cleaned_data
        if self.user is not None and self.user.is_authenticated:
            data["author_name"] = (
                self.user.get_full_name() or self.user.get_username()
            )[:100]
            data["author_email"] = self.user.email
            data["author_url"] = ""
        if data.get("wants_reply_notifications") and not data.get("author_email"):
            field = "author_email" if "author_email" in self.fields else None
            self.add_error(field, "Give your email address to be told of replies.")
        return data

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise ValidationError("Write your comment before posting it.")
        return body


class BlockRuleForm(forms.ModelForm):
    class Meta:
        model = BlockRule
        fields = ["kind", "value"]

    def clean(self):
        import ipaddress

        from django.core.validators import validate_email

        data = super().clean()
        assert data is not None  # Django's clean() returns cleaned_data
        kind, value = data.get("kind"), (data.get("value") or "").strip()
        if not kind or not value:
            return data
        if kind == BlockRule.Kind.IP:
            try:
                value = str(ipaddress.ip_network(value, strict=False))
            except ValueError:
                self.add_error(
                    "value",
                    "Give an IP address such as 203.0.113.7 or "
                    "a network such as 203.0.113.0/24.",
                )
        elif kind == BlockRule.Kind.EMAIL:
            value = value.lower()
            try:
                validate_email(value)
            except ValidationError:
                self.add_error("value", "Give a whole email address.")
        elif kind == BlockRule.Kind.DOMAIN:
            value = value.lower()
            if "://" in value:
                value = value.split("://", 1)[1].split("/", 1)[0]
            value = value.removeprefix("www.").strip(".")
            if not value or any(c in value for c in " /@") or "." not in value:
                self.add_error("value", "Give a domain such as example.com.")
        data["value"] = value
        return data


class ErasureRequestForm(forms.Form):
    """A commenter asks for the link to erase or download their comments."""

    email = forms.EmailField(
        label="The email address you commented with",
        max_length=254,
        error_messages={
            "required": "Give the email address you wrote your comments with.",
            "invalid": "Give a whole email address, such as dana@example.net.",
        },
    )
