"""Who may do what: the three roles Gazette's people have, as Blogger has them.

* admin: everything, including site settings and people (superusers are admins);
* author: writes and publishes their own posts, moderates comments on them;
* contributor: writes drafts, cannot publish.

Roles are Django groups, made by this app's migration. Every permission check on
the server goes through these functions, never through templates alone.
"""

from django.contrib.auth.models import AbstractUser, AnonymousUser

ADMINS = "Admins"
AUTHORS = "Authors"
CONTRIBUTORS = "Contributors"
ROLE_GROUPS = (ADMINS, AUTHORS, CONTRIBUTORS)

User = AbstractUser | AnonymousUser

# Where role_of keeps a user's group names for the rest of the request.
_GROUPS_CACHE = "_gazette_groups"


def remember_groups(user: User, names: set[str]) -> None:
    """Give role_of `user`'s group names, so that it does not query them."""
    setattr(user, _GROUPS_CACHE, names)


def role_of(user: User) -> str | None:
    """ "admin", "author", "contributor", or None for readers. Reads user.groups
    (one query, cached on the user for the request)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return "admin"
    names: set[str] | None = getattr(user, _GROUPS_CACHE, None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        remember_groups(user, names)
    for group, role in (
        (ADMINS, "admin"),
        (AUTHORS, "author"),
        (CONTRIBUTORS, "contributor"),
    ):
        if group in names:
            return role
    return None


def is_admin(user: User) -> bool:
    return role_of(user) == "admin"


def can_use_desk(user: User) -> bool:
    return role_of(user) is not None


def can_publish(user: User) -> bool:
    return role_of(user) in ("admin", "author")


def can_edit_post(user: User, post) -> bool:
    """Admins edit every post; authors their own and contributors' (an author
    publishes what a contributor wrote); contributors their own. Reads
    post.author's groups when it is not the user's own post."""
    role = role_of(user)
    if role == "admin" or (role is not None and post.author_id == user.pk):
        return True
    return role == "author" and role_of(post.author) == "contributor"


def editable_by(user: User):
    """A filter for the posts `user` may edit, as can_edit_post decides."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    if role_of(user) == "admin":
        return Q()
    mine = Q(author=user)
    if role_of(user) != "author":
        return mine
    contributors = (
        get_user_model()
        .objects.filter(groups__name=CONTRIBUTORS, is_active=True, is_superuser=False)
        .exclude(groups__name__in=(ADMINS, AUTHORS))
    )
    return mine | Q(author__in=contributors)


def can_moderate(user: User, post) -> bool:
    """Admins moderate every post's comments; authors those on their own posts."""
    role = role_of(user)
    return role == "admin" or (role == "author" and post.author_id == user.pk)
