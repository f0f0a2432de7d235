"""Who may do what: the three roles Gazette's people have, as Blogger has them.

* admin: everything, including site settings and people (superusers are admins);
* author: writes and publishes their own posts, moderates comments on them;
* contributor: writes drafts, cannot publish.

Roles are Django groups, made by this app's migration. Every permission check on
the server goes through these functions, never through templates alone.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ADMINS = "Admins"
AUTHORS = "Authors"
CONTRIBUTORS = "Contributors"
ROLE_GROUPS = (ADMINS, AUTHORS, CONTRIBUTORS)

User = AbstractBaseUser | AnonymousUser


def role_of(user: User) -> str | None:
    """ "admin", "author", "contributor", or None for readers. Reads user.groups
    (one query, cached on the user for the request)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "admin"
    if not hasattr(user, "_gazette_groups"):
        user._gazette_groups = set(user.groups.values_list("name", flat=True))
    for group, role in (
        (ADMINS, "admin"),
        (AUTHORS, "author"),
        (CONTRIBUTORS, "contributor"),
    ):
        if group in user._gazette_groups:
            return role
    return None


def is_admin(user: User) -> bool:
    return role_of(user) == "admin"


def can_use_desk(user: User) -> bool:
    return role_of(user) is not None


def can_publish(user: User) -> bool:
    return role_of(user) in ("admin", "author")


def can_edit_post(user: User, post) -> bool:
    """Admins edit every post; authors and contributors their own."""
    role = role_of(user)
    return role == "admin" or (role is not None and post.author_id == user.pk)


def can_moderate(user: User, post) -> bool:
    """Admins moderate every post's comments; authors those on their own posts."""
    role = role_of(user)
    return role == "admin" or (role == "author" and post.author_id == user.pk)
