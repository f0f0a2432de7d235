"""Dates as the blog shows them: in its time zone and its language."""

from datetime import date, datetime

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date
from django.utils import timezone


def babel_locale(language: str) -> Locale:
    """A Babel locale for a language code such as "en", "pt-br" or "de"."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en")


def date_header(value: datetime | date, language: str) -> str:
    """The long date over a day's posts: "Sunday, March 24, 2019" in English."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return format_date(value, format="full", locale=babel_locale(language))


def month_name(value: date, language: str) -> str:
    """A month as an archive names it: "March 2019"."""
    return format_date(value, format="LLLL y", locale=babel_locale(language))


# Publish times stay well inside what datetime can carry in any time zone, so that
# converting one to UTC or to the blog's zone can never overflow.
FIRST_YEAR, LAST_YEAR = 1001, 9998


def validate_publish_time(value: datetime | None) -> None:
    from django.core.exceptions import ValidationError

    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(
            f"Choose a time between the years {FIRST_YEAR} and {LAST_YEAR}."
        )
