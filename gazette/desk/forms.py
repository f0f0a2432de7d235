"""The desk's forms: the editors, site settings and people."""

import re
import zoneinfo

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone
from PIL import Image as PILImage

from gazette.images.forms import ACCEPT
from gazette.images.storing import add_image
from gazette.images.uploads import clean_upload
from gazette.lib.markup import find_hashtags
from gazette.lib.text import unique_slug
from gazette.posts.models import Page, Post
from gazette.site.colours import AA_CONTRAST, LIGHT_BACKGROUNDS, lowest_contrast
from gazette.site.models import CommentPolicy, SiteSettings, validate_accent_color

# Smaller, and the 48-pixel favicon would be blown up and blurred.
MIN_ICON_PIXELS = 48
# A hashtag as it may be typed in the hashtags field: "#Walking" or "Walking".
HASHTAG_NAME_RE = re.compile(r"#?([^\W\d_]\w{0,63})")
PUBLISH_TIME_WIDGET = forms.DateTimeInput(
    attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
)


def split_hashtags(value: str) -> tuple[list[str], list[str]]:
    """Names in a "Walking, #Hills" string, and the words that are not hashtags."""
    names: list[str] = []
    bad: list[str] = []
    for word in re.split(r"[\s,]+", value.strip()):
        if not word:
            continue
        match = HASHTAG_NAME_RE.fullmatch(word)
        (names if match else bad).append(match.group(1) if match else word)
    return names, bad


class _WritingForm(forms.ModelForm):
    """What the post and page editors share: a slug made from the title unless
    the writer chose one, and a key that ties a new item's autosaves together."""

    slug_auto = forms.BooleanField(required=False, widget=forms.HiddenInput)
    draft_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = "The last part of the address."
        # A form that does not send it (an old page, a script) keeps the format.
        self.fields["body_format"].required = False
        if not self.instance.slug:
            self.initial.setdefault("slug_auto", True)

    def clean_body_format(self) -> str:
        return self.cleaned_data.get("body_format") or self.instance.body_format

    def clean(self):
        data = super().clean()
        assert data is not None  # Django's clean() returns cleaned_data
        if "slug" in self.errors:
            return data
        slug = data.get("slug") or ""
        if data.get("slug_auto") or not slug:
            model = type(self.instance)
            others = model.objects.exclude(pk=self.instance.pk)
            source = slug or data.get("title") or "untitled"
            data["slug"] = unique_slug(source, lambda s: others.filter(slug=s).exists())
        return data


class PostForm(_WritingForm):
    field_order = ["title", "slug", "body", "hashtags"]
    hashtags = forms.CharField(
        required=False,
        max_length=1000,
        help_text="Separated by spaces or commas; #hashtags in the text join them.",
        widget=forms.TextInput(attrs={"list": "hashtag-names", "autocomplete": "off"}),
    )

    class Meta:
        model = Post
        # "hashtags" is the form's own field: names, not the model's relation.
        fields = ["title", "slug", "body", "body_format", "excerpt", "published_at"]
        fields += ["comment_policy"]
        labels = {"published_at": "Publish time", "body": "Text"}
        widgets = {
            "published_at": PUBLISH_TIME_WIDGET,
            "body": forms.Textarea(attrs={"rows": 22}),
            "excerpt": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["published_at"].help_text = (
            f"In the blog's time zone, {timezone.get_current_timezone_name()}. "
            "Empty: the moment you publish. A future time schedules the post."
        )
        policy = self.fields["comment_policy"]
        assert isinstance(policy, forms.ChoiceField)  # the model field has choices
        policy.choices = [
            ("", "The blog's policy"),
            *CommentPolicy.choices,
        ]
        post = self.instance
        if post.pk and "hashtags" not in self.initial:
            # Hashtags written in the text are found again on save; list the others.
            inline = {name.casefold() for name in find_hashtags(post.body)}
            chosen = [h.name for h in post.hashtags.all()]
            self.initial["hashtags"] = " ".join(
                n for n in chosen if n.casefold() not in inline
            )

    def clean_hashtags(self) -> list[str]:
        names, bad = split_hashtags(self.cleaned_data["hashtags"])
        if bad:
            raise forms.ValidationError(
                "Not a hashtag: %(words)s. A hashtag is one word of letters, digits "
                "and _, starting with a letter.",
                params={"words": ", ".join(bad)},
            )
        return names


class PageForm(_WritingForm):
    class Meta:
        model = Page
        fields = ["title", "slug", "body", "body_format", "position"]
        labels = {"body": "Text", "position": "Position in the list of pages"}
        widgets = {"body": forms.Textarea(attrs={"rows": 22})}


# The settings form's upload fields: not the model's, so not in Meta.fields.
PICTURE_FORM_FIELDS = [
    "logo_file",
    "remove_logo",
    "header_image_file",
    "remove_header_image",
    "icon_file",
    "remove_icon",
]
# The settings form in groups, as the settings page shows it.
SETTINGS_SECTIONS = [
    (
        "The blog",
        ["title", "description", "language", "time_zone", "posts_per_page"],
    ),
    (
        "Look",
        [
            "theme",
            "color_scheme",
            "accent_color",
            "body_font",
            "heading_font",
            "listing_style",
        ],
    ),
    ("Pictures", PICTURE_FORM_FIELDS),
    (
        "Comments",
        [
            "comment_policy",
            "close_comments_after_days",
            "spam_hold_threshold",
            "spam_reject_threshold",
        ],
    ),
    ("Feeds", ["feed_full_content"]),
    ("Fediverse", ["approve_followers", "author_accounts", "comments_as_replies"]),
    ("Your own CSS", ["custom_css"]),
]


def picture_field(help_text: str) -> forms.FileField:
    return forms.FileField(
        required=False,
        help_text=help_text,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )


class SiteSettingsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=[(name, name) for name in sorted(zoneinfo.available_timezones())],
        help_text="Times are shown, entered and scheduled in this zone.",
    )
    # Pictures are uploaded here and kept in the image library; the settings
    # row points at them (SiteSettings.logo, header_image, icon).
    logo_file = picture_field(
        "Shown beside the blog's name, and given to search engines."
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")
    header_image_file = picture_field(
        "A wide picture across the top of every page; also the preview picture "
        "of links to pages that have none of their own."
    )
    remove_header_image = forms.BooleanField(
        required=False, label="Remove the header picture"
    )
    icon_file = picture_field(
        f"The favicon and home-screen icon: square, at least {MIN_ICON_PIXELS} "
        "pixels a side."
    )
    remove_icon = forms.BooleanField(required=False, label="Remove the icon")

    PICTURES = {
        "logo": "logo",
        "header_image": "header picture",
        "icon": "icon",
    }

    class Meta:
        model = SiteSettings
        fields = [
            name
            for _, names in SETTINGS_SECTIONS
            for name in names
            if name not in PICTURE_FORM_FIELDS
        ]
        labels = {
            "color_scheme": "Colour scheme",
            "accent_color": "Accent colour",
            "listing_style": "Lists of posts show",
        }
        widgets = {
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "custom_css": forms.Textarea(
                attrs={"rows": 8, "spellcheck": "false", "class": "code"}
            ),
        }
        help_texts = {
            "language": "A language code such as en, fr or pt-BR.",
            "spam_hold_threshold": "From 0 to 1: a comment scoring this much waits.",
            "spam_reject_threshold": "From 0 to 1: a comment scoring this much is spam.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A form that does not send the look (an older page, a script) keeps it.
        for name in ("theme", "color_scheme", "accent_color", "listing_style"):
            self.fields[name].required = False
        # HTML allows no maxlength on a colour picker; the validator checks it.
        self.fields["accent_color"].widget.attrs.pop("maxlength", None)

    def clean_theme(self) -> str:
        return self.cleaned_data.get("theme") or self.instance.theme

    def clean_listing_style(self) -> str:
        return self.cleaned_data.get("listing_style") or self.instance.listing_style

    def clean_logo_file(self):
        return self._clean_picture("logo_file")

    def clean_header_image_file(self):
        return self._clean_picture("header_image_file")

    def clean_icon_file(self):
        icon = self._clean_picture("icon_file")
        if icon is not None:
            with PILImage.open(icon) as picture:
                width, height = picture.size
            icon.seek(0)
            if min(width, height) < MIN_ICON_PIXELS:
                raise forms.ValidationError(
                    "This picture is %(width)s × %(height)s pixels; an icon must be "
                    "at least %(least)s pixels a side to look sharp.",
                    params={"width": width, "height": height, "least": MIN_ICON_PIXELS},
                )
        return icon

    def _clean_picture(self, name: str):
        file = self.cleaned_data.get(name)
        return clean_upload(file) if file else None

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (title, [self[name] for name in names])
            for title, names in SETTINGS_SECTIONS
        ]

    def save_pictures(self, site: SiteSettings, *, uploaded_by=None) -> None:
        """Put the uploaded pictures in the library and on `site` (not yet
        saved), and take off those asked to be removed."""
        for field, what in self.PICTURES.items():
            if self.cleaned_data.get(f"remove_{field}"):
                setattr(site, field, None)
            if file := self.cleaned_data.get(f"{field}_file"):
                image = add_image(
                    file, alt_text=f"{site.title} {what}", uploaded_by=uploaded_by
                )
                setattr(site, field, image)

    def clean_color_scheme(self) -> str:
        return self.cleaned_data.get("color_scheme") or self.instance.color_scheme

    def clean_accent_color(self) -> str:
        colour = self.cleaned_data.get("accent_color") or self.instance.accent_color
        colour = colour.lower()
        validate_accent_color(colour)  # the model checks it too, but only later
        # Links are this colour on the light pages, and buttons carry white text
        # on it: too pale a colour would fail readers with low vision.
        ratio = lowest_contrast(colour, LIGHT_BACKGROUNDS)
        if ratio < AA_CONTRAST:
            raise forms.ValidationError(
                "%(colour)s is too light to read on the page (contrast %(ratio)s:1, "
                "at least 4.5:1 is needed). Choose a darker colour.",
                params={"colour": colour, "ratio": f"{ratio:.1f}"},
            )
        return colour

    def clean(self):
        data = super().clean()
        assert data is not None  # Django's clean() returns cleaned_data
        hold = data.get("spam_hold_threshold")
        reject = data.get("spam_reject_threshold")
        for name in ("spam_hold_threshold", "spam_reject_threshold"):
            value = data.get(name)
            if value is not None and not 0 <= value <= 1:
                self.add_error(name, "Enter a number from 0 to 1.")
        if hold is not None and reject is not None and hold > reject:
            self.add_error(
                "spam_reject_threshold",
                "Must be at least the score at which comments are held.",
            )
        if data.get("posts_per_page") == 0:
            self.add_error("posts_per_page", "Show at least one post per page.")
        return data


ROLE_CHOICES = [
    ("admin", "Admin: everything, including settings and people"),
    ("author", "Author: writes and publishes their own posts"),
    ("contributor", "Contributor: writes drafts, cannot publish"),
    ("", "Reader: no access to the desk"),
]


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False)


class NewPersonForm(UserCreationForm):
    role = forms.ChoiceField(choices=ROLE_CHOICES, required=False, initial="author")

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email", "first_name", "last_name")
