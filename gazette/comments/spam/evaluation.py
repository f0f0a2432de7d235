"""Measuring the spam defence on labelled comments, and teaching it from them.

`evaluate` sends labelled comments through the same path a blog's comments take:
the training part is stored and moderated with `moderation.moderate` (which
teaches the classifier), and every scored comment goes through
`intake.receive_comment` as a comment from the form. The state intake gives it
is the verdict: the spam folder, held for moderation, or approved.

Nothing is left behind. The whole run is one transaction that is rolled back,
and each fold a savepoint rolled back after it, so the classifier's learned
state (in the database) starts again from the built-in model every fold, and
the on-commit work (mail, cache bumps) never runs. The cache, the limits'
counters and Akismet are swapped for the run's own (see `_isolated`).

On SQLite the rolled-back transaction holds the database's write lock while it
runs, so the live blog's writes wait: run it on a copy of the database, or at a
quiet time.

`train` teaches the classifier from labelled comments for good, through the same
moderation function, leaving no comment behind.
"""

import json
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import ExtractYear
from django.test import override_settings
from django.utils import timezone

from gazette.comments.intake import (
    CommentDraft,
    Source,
    receive_comment,
    receive_imported_comments,
)
from gazette.comments.models import BlockRule, Comment, SpamToken
from gazette.comments.moderation import moderate
from gazette.comments.spam import Refused
from gazette.posts.models import Post
from gazette.site.models import CommentPolicy, SiteSettings

SEED = 20240611  # the same sample and folds on every run
COMMENTS_PER_POST = 25  # scored comments are spread over posts like a blog's
MODERATION_BATCH = 200
# A reader's browser; the form's own checks (token, honeypot, timing) passed.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
NO_LIMIT = 10**9


class BadInput(ValueError):
    """Labelled comments that cannot be read; the message names the line."""


@dataclass(frozen=True)
class Labelled:
    """One comment and whether it is spam; `line` says where it came from."""

    name: str
    email: str
    url: str
    body: str
    spam: bool
    group: str = ""
    line: int = 0


@dataclass
class Tally:
    """Where the scored comments ended up. Spam is caught when it is held or in
    the spam folder; a real comment is lost in the spam folder (or when refused:
    it never reached the blog either), and held when it waits for moderation."""

    spam: int = 0
    real: int = 0
    caught: int = 0
    spam_folder: int = 0
    lost: int = 0
    held: int = 0
    refused: int = 0

    def add(self, other: "Tally") -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def rates(self) -> dict[str, float]:
        """Percentages, rounded to 0.01."""
        return {
            "caught": _percent(self.caught, self.spam),
            "lost": _percent(self.lost, self.real),
            "held": _percent(self.held, self.real),
        }

    def as_dict(self) -> dict:
        """The counts, and the rates as caught_percent, lost_percent, held_percent."""
        rates = {f"{name}_percent": value for name, value in self.rates().items()}
        return {**asdict(self), **rates}

    def summary(self) -> str:
        rates = self.rates()
        return (
            f"caught {rates['caught']:.1f}% lost {rates['lost']:.1f}% "
            f"held {rates['held']:.1f}% (spam {self.spam}, real {self.real})"
        )


@dataclass
class Fold:
    name: str
    trained_spam: int
    trained_real: int
    tally: Tally
    seconds: float


@dataclass
class Evaluation:
    mode: str  # "5 folds", "by group", "out of the box"
    policy: str
    folds: list[Fold] = field(default_factory=list)

    @property
    def total(self) -> Tally:
        total = Tally()
        for fold in self.folds:
            total.add(fold.tally)
        return total

    def as_dict(self) -> dict:
        return {
            "mode": self.mode,
            "policy": self.policy,
            "folds": [
                {
                    "name": f.name,
                    "trained_spam": f.trained_spam,
                    "trained_real": f.trained_real,
                    "seconds": round(f.seconds, 2),
                    **f.tally.as_dict(),
                }
                for f in self.folds
            ],
            "total": self.total.as_dict(),
            "summary": self.total.summary(),
        }

    def table(self) -> list[str]:
        """One line per fold, a total, and last the summary line."""
        header = (
            f"{'fold':<16}{'trained spam/real':>19}{'scored spam/real':>18}"
            f"{'caught':>9}{'lost':>8}{'held':>8}{'refused':>9}{'seconds':>9}"
        )
        lines = [f"{self.mode}, comment policy {self.policy}", header]
        for fold in self.folds:
            lines.append(
                _row(fold.name, fold.tally, fold.trained_spam, fold.trained_real)
                + f"{fold.seconds:>9.1f}"
            )
        lines.append(_row("all", self.total, None, None))
        lines.append(self.total.summary())
        return lines


def _row(name: str, tally: Tally, spam: int | None, real: int | None) -> str:
    rates = tally.rates()
    trained = "" if spam is None else f"{spam}/{real}"
    return (
        f"{name[:15]:<16}{trained:>19}{f'{tally.spam}/{tally.real}':>18}"
        f"{rates['caught']:>8.1f}%{rates['lost']:>7.1f}%{rates['held']:>7.1f}%"
        f"{tally.refused:>9}"
    )


def _percent(part: int, whole: int) -> float:
    return round(100 * part / whole, 2) if whole else 0.0


# Reading labelled comments


def read_labelled(path: Path | str) -> list[Labelled]:
    """The JSON Lines file at `path`: one object a line with `body` and `spam`
    (true or false), and optionally `name`, `email`, `url` and `group`. Blank
    lines are skipped; anything else wrong raises BadInput naming the line."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path} is not a file.")
    items = []
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BadInput(f"{path}, line {number}: not UTF-8 text.") from None
            if text.strip():
                items.append(_parse(text, f"{path}, line {number}", number))
    if not items:
        raise BadInput(f"{path} holds no labelled comments.")
    return items


def _parse(text: str, where: str, number: int) -> Labelled:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(f"{where}: not JSON ({error.msg}).") from None
    if not isinstance(data, dict):
        raise BadInput(f"{where}: expected an object with body and spam.")
    for required in ("body", "spam"):
        if required not in data:
            raise BadInput(f"{where}: the field {required!r} is missing.")
    if not isinstance(data["spam"], bool):
        raise BadInput(f"{where}: 'spam' must be true or false.")
    fields = {}
    for name in ("name", "email", "url", "body"):
        value = data.get(name) or ""
        if not isinstance(value, str):
            raise BadInput(f"{where}: {name!r} must be text.")
        fields[name] = value
    if not fields["body"].strip():
        raise BadInput(f"{where}: 'body' is empty.")
    group = data.get("group")
    if group is not None and not isinstance(group, str | int):
        raise BadInput(f"{where}: 'group' must be text or a number.")
    return Labelled(
        **fields,
        spam=data["spam"],
        group="" if group is None else str(group),
        line=number,
    )


def blog_history() -> list[Labelled]:
    """This blog's moderated comments: approved ones are real, those in the spam
    folder spam, grouped by year. Comments by the blog's own accounts are left
    out: they never meet the spam defence."""
    rows = (
        Comment.objects.filter(
            status__in=[Comment.Status.APPROVED, Comment.Status.SPAM],
            user__isnull=True,
        )
        .exclude(body="")
        .order_by("pk")
        .values_list(
            "pk", "author_name", "author_email", "author_url", "body", "status"
        )
        .annotate(year=ExtractYear("created_at"))
    )
    return [
        Labelled(name, email, url, body, status == Comment.Status.SPAM, str(year), pk)
        for pk, name, email, url, body, status, year in rows
    ]


def sample(items: Sequence[Labelled], limit: int | None) -> list[Labelled]:
    """At most `limit` of `items`, the same ones on every run."""
    if limit is None or limit >= len(items):
        return list(items)
    return random.Random(SEED).sample(list(items), limit)


# Evaluating


def evaluate(
    items: Sequence[Labelled],
    *,
    folds: int = 5,
    by_group: bool = False,
    out_of_the_box: bool = False,
    policy: str = CommentPolicy.OPEN,
    site: SiteSettings | None = None,
    progress=None,
) -> Evaluation:
    """Cross-validate the spam defence on `items` (see the module's docstring).

    `folds` parts, each scored by what was learned from the others; or, with
    `by_group`, each group scored by what was learned from the other groups; or,
    `out_of_the_box`, everything scored by the built-in model alone. Comments go
    to posts whose comment policy is `policy` (open by default, so that "held"
    counts what the spam defence held, not "first comments wait"); `site` gives
    the thresholds (the defaults when None). `progress(fold)` is called after
    each fold.
    """
    parts = _parts(items, folds=folds, by_group=by_group, whole=out_of_the_box)
    mode = (
        "out of the box"
        if out_of_the_box
        else "leave one group out"
        if by_group
        else f"{folds}-fold cross-validation"
    )
    evaluation = Evaluation(mode=mode, policy=str(policy))
    site = site or SiteSettings()
    with _isolated() as admin:
        for name, train, test in parts:
            started = time.perf_counter()
            savepoint = transaction.savepoint_create()
            try:
                _learn(train, _throwaway_post(admin, CommentPolicy.OPEN), admin)
                tally = _score(test, admin, site, policy)
            finally:
                transaction.savepoint_rollback(savepoint)
                _forget_learning_kept_in_process()
            fold = Fold(
                name,
                sum(i.spam for i in train),
                sum(not i.spam for i in train),
                tally,
                time.perf_counter() - started,
            )
            evaluation.folds.append(fold)
            if progress is not None:
                progress(fold)
    return evaluation


def _parts(
    items: Sequence[Labelled], *, folds: int, by_group: bool, whole: bool
) -> list[tuple[str, list[Labelled], list[Labelled]]]:
    """(name, training part, scored part) for each fold."""
    shuffled = list(items)
    random.Random(SEED).shuffle(shuffled)
    if whole:
        return [("everything", [], shuffled)]
    if by_group:
        groups = sorted({item.group for item in shuffled})
        if len(groups) < 2:
            raise BadInput(
                "Leaving one group out needs at least two groups; these comments "
                f"have {len(groups)} (the 'group' field)."
            )
        return [
            (
                f"group {group or '(none)'}",
                [i for i in shuffled if i.group != group],
                [i for i in shuffled if i.group == group],
            )
            for group in groups
        ]
    if not 2 <= folds <= len(shuffled):
        raise BadInput(
            f"Cross-validation needs 2 to {len(shuffled)} folds for "
            f"{len(shuffled)} comments, not {folds}."
        )
    # Stratified: spam and real comments are dealt out to the folds separately,
    # so that every fold has its share of each, however rare spam is.
    dealt = {True: 0, False: 0}
    fold_of = []
    for item in shuffled:
        fold_of.append(dealt[item.spam] % folds)
        dealt[item.spam] += 1
    return [
        (
            f"{fold + 1} of {folds}",
            [i for i, f in zip(shuffled, fold_of, strict=True) if f != fold],
            [i for i, f in zip(shuffled, fold_of, strict=True) if f == fold],
        )
        for fold in range(folds)
    ]


@contextmanager
def _isolated() -> Iterator:
    """One transaction, rolled back at the end, with a clean slate inside: no
    comments, no learned tokens, no block rules, and a throwaway admin to
    moderate. The run has its own in-memory cache (so the limits count in the
    rolled-back database and the shared cache is never touched), no Akismet,
    mail kept in memory, and limits no run can reach."""
    run_cache = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"spam-evaluation-{uuid.uuid4().hex}",
        }
    }
    with (
        override_settings(
            CACHES=run_cache,
            AKISMET_KEY="",
            MAILERS={
                "default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
            },
            COMMENTS_PER_IP=NO_LIMIT,
            COMMENTS_PER_POST=NO_LIMIT,
        ),
        transaction.atomic(),
    ):
        Comment.objects.all().delete()
        SpamToken.objects.all().delete()
        BlockRule.objects.all().delete()
        _forget_learning_kept_in_process()
        try:
            yield _throwaway_admin()
        finally:
            transaction.set_rollback(True)
            _forget_learning_kept_in_process()


def _forget_learning_kept_in_process() -> None:
    """The learned state lives in the database and goes with each rollback. A
    spam module that also keeps learned state in the process offers a `reset()`
    to drop it; call every one there is so no fold sees another's learning."""
    for name, module in list(sys.modules.items()):
        if name.startswith("gazette.comments.spam") and module is not None:
            reset = getattr(module, "reset", None)
            if callable(reset):
                reset()


def _throwaway_admin():
    suffix = uuid.uuid4().hex[:12]
    return get_user_model().objects.create_superuser(
        f"spam-evaluation-{suffix}", f"{suffix}@spam-evaluation.invalid", None
    )


def _throwaway_post(author, policy: str) -> Post:
    suffix = uuid.uuid4().hex[:12]
    return Post.objects.create(
        title=f"Evaluation post {suffix}",
        slug=f"spam-evaluation-{suffix}",
        body="A post that takes comments for a spam evaluation.",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now(),
        author=author,
        comment_policy=policy,
    )


def _learn(items: Sequence[Labelled], post: Post, admin) -> None:
    """Store `items` as past comments on `post` and, as `admin`, moderate each
    as its label says."""
    if not items:
        return
    drafts = [
        (post, CommentDraft(name=i.name, body=i.body, email=i.email, url=i.url))
        for i in items
    ]
    for _, draft in drafts:
        draft.status = Comment.Status.HELD
    comments = receive_imported_comments(drafts)
    labelled = list(zip(items, comments, strict=True))
    for start in range(0, len(labelled), MODERATION_BATCH):
        batch = labelled[start : start + MODERATION_BATCH]
        if spam := [c for i, c in batch if i.spam]:
            moderate(spam, "spam", by=admin)
        if real := [c for i, c in batch if not i.spam]:
            moderate(real, "approve", by=admin)


def _score(items: Sequence[Labelled], admin, site: SiteSettings, policy) -> Tally:
    """Send `items` through intake as readers' comments; count their states."""
    tally = Tally()
    post = None
    for number, item in enumerate(items):
        if number % COMMENTS_PER_POST == 0:
            post = _throwaway_post(admin, policy)
        assert post is not None
        draft = CommentDraft(
            name=item.name,
            body=item.body,
            email=item.email,
            url=item.url,
            ip=_address(number),
            user_agent=USER_AGENT,
        )
        try:
            status = receive_comment(post, draft, Source.FORM, site=site).status
        except Refused:
            status = None
        _count(tally, item.spam, status)
    return tally


def _address(number: int) -> str:
    """A different address, in a different /24, for every scored comment."""
    return f"10.{(number >> 8) & 255}.{number & 255}.{1 + (number >> 16) % 254}"


def _count(tally: Tally, is_spam: bool, status: str | None) -> None:
    if status is None:
        tally.refused += 1
    if is_spam:
        tally.spam += 1
        if status != Comment.Status.APPROVED:
            tally.caught += 1
        if status in (Comment.Status.SPAM, None):
            tally.spam_folder += 1
    else:
        tally.real += 1
        if status in (Comment.Status.SPAM, None):
            tally.lost += 1
        elif status == Comment.Status.HELD:
            tally.held += 1


# Teaching


@dataclass
class Taught:
    spam: int
    real: int


def train(items: Sequence[Labelled], *, dry_run: bool = False) -> Taught:
    """Teach the classifier that each of `items` is what its label says, for
    good (unless `dry_run`), through `moderate` as a moderator's decision would.

    The comments it needs for that are stored on a draft post nobody sees and
    deleted, with the post and a throwaway admin, before the transaction ends:
    only what the classifier learned stays. It cannot be untaught comment by
    comment afterwards.
    """
    with transaction.atomic():
        admin = _throwaway_admin()
        post = _throwaway_post(admin, CommentPolicy.OPEN)
        post.status = Post.Status.DRAFT
        post.published_at = None
        post.save(update_fields=["status", "published_at"])
        _learn(items, post, admin)
        post.delete()  # and its comments
        admin.delete()
        if dry_run:
            transaction.set_rollback(True)
    _forget_learning_kept_in_process()
    return Taught(spam=sum(i.spam for i in items), real=sum(not i.spam for i in items))
