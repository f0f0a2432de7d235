"""Migrations that the old version, still serving, survives.

With several app servers, a new release's migrations run while servers of the
old release still answer requests (deploy/README.md). So a migration may only
add: new tables, nullable columns or columns with a database default (a plain
Django default exists only in Python, and the old code's INSERTs would break
on a NOT NULL column it does not know), and indexes. Removing or renaming
anything waits for a later release, once no old server is left ("expand, then
contract"), and is listed in CONTRACTING with the reason.

Migrations written before this rule are listed in BEFORE_THE_RULE.
"""

from django.apps import apps
from django.db import models
from django.db.migrations import operations
from django.db.migrations.loader import MigrationLoader
from django.test import SimpleTestCase

BEFORE_THE_RULE = {
    ("accounts", "0001_sign_in_records"),
    ("comments", "0001_initial"),
    ("comments", "0002_spam_defence_and_notifications"),
    ("comments", "0003_comment_commenter_id"),
    ("comments", "0004_index_comment_email_lower"),
    ("images", "0001_initial"),
    ("images", "0002_unique_upload_names"),
    ("importers", "0001_initial"),
    ("importers", "0002_import_jobs"),
    ("importers", "0003_import_teaches_spam_filter"),
    ("limits", "0001_tallies"),
    ("posts", "0001_initial"),
    ("posts", "0002_comment_policy_revisions_old_addresses"),
    ("posts", "0003_publish_time_and_closing_limits"),
    ("posts", "0004_site_settings_move_to_site_app"),
    ("posts", "0005_page_publishing_like_posts"),
    ("posts", "0006_body_format"),
    ("posts", "0007_old_address_fragment"),
    ("search", "0001_initial"),
    ("search", "0002_full_text_engines"),
    ("search", "0003_index_existing_posts"),
    ("site", "0001_initial"),
    ("site", "0002_spam_folder_threshold"),
    ("site", "0003_add_theme"),
    ("site", "0004_look_settings"),
}
# (app, migration): why removing or renaming is safe now, e.g. "the column has
# been unused since 1.4, and 1.5 required 1.4 first".
CONTRACTING: dict[tuple[str, str], str] = {}

DESTRUCTIVE = (
    operations.RemoveField,
    operations.DeleteModel,
    operations.RenameField,
    operations.RenameModel,
    operations.RemoveIndex,
    operations.RemoveConstraint,
)


def problems(operation) -> list[str]:
    """Why `operation` could break the release before it, if it could."""
    if isinstance(operation, DESTRUCTIVE):
        return [f"{type(operation).__name__} breaks the old release's queries"]
    if isinstance(operation, operations.AddField | operations.AlterField):
        field = operation.field
        if isinstance(field, models.ManyToManyField) or field.null:
            return []
        if field.has_db_default():
            return []
        return [
            f"{type(operation).__name__} {operation.name!r} is NOT NULL without "
            "db_default: the old release's inserts would fail"
        ]
    return []


def gazette_migrations() -> dict[tuple[str, str], object]:
    ours = {c.label for c in apps.get_app_configs() if c.name.startswith("gazette")}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {key: m for key, m in loader.disk_migrations.items() if key[0] in ours}


class MigrationsExpandOnlyTest(SimpleTestCase):
    def test_new_migrations_only_add(self):
        found = []
        for key, migration in sorted(gazette_migrations().items()):
            if key in BEFORE_THE_RULE or key in CONTRACTING:
                continue
            for operation in migration.operations:  # type: ignore[attr-defined]
                found += [f"{key[0]}.{key[1]}: {p}" for p in problems(operation)]
        self.assertEqual(found, [], "\n".join(found))

    def test_the_rule_can_tell(self):
        bad = operations.AddField(
            "post", "mood", models.CharField(max_length=10, default="calm")
        )
        good = operations.AddField(
            "post",
            "mood",
            models.CharField(max_length=10, default="calm", db_default="calm"),
        )
        self.assertEqual(len(problems(bad)), 1)
        self.assertEqual(problems(good), [])
        self.assertEqual(len(problems(operations.RemoveField("post", "mood"))), 1)
        self.assertEqual(problems(operations.CreateModel("Mood", [])), [])

    def test_the_lists_name_real_migrations(self):
        present = set(gazette_migrations())
        self.assertLessEqual(BEFORE_THE_RULE | set(CONTRACTING), present)
