import django.core.validators
from django.db import migrations, models

import gazette.site.models

ROLE_GROUPS = ("Admins", "Authors", "Contributors")


def make_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)


def remove_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLE_GROUPS).delete()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("posts", "0004_site_settings_move_to_site_app"),
    ]

    operations = [
        # The table exists already: posts.0004 renamed it for this app.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SiteSettings",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(default="Gazette", max_length=200)),
                        ("description", models.CharField(blank=True, max_length=500)),
                        ("language", models.CharField(default="en", max_length=20, validators=[gazette.site.models.validate_language])),
                        ("time_zone", models.CharField(default="UTC", max_length=64, validators=[gazette.site.models.validate_time_zone])),
                        ("posts_per_page", models.PositiveSmallIntegerField(default=10)),
                        ("comment_policy", models.CharField(choices=[("open", "Anyone may comment; comments appear at once"), ("hold_first", "Hold a commenter's first comment for approval"), ("hold_all", "Hold every comment for approval"), ("closed", "Comments are closed")], default="hold_first", max_length=12)),
                        ("close_comments_after_days", models.PositiveIntegerField(blank=True, help_text="Empty: comments stay open.", null=True, validators=[django.core.validators.MaxValueValidator(36500)])),
                        ("spam_hold_threshold", models.FloatField(default=0.5)),
                        ("spam_reject_threshold", models.FloatField(default=0.9)),
                        ("feed_full_content", models.BooleanField(default=True, help_text="Feeds carry whole posts; off: only excerpts.")),
                    ],
                    options={
                        "verbose_name": "site settings",
                        "verbose_name_plural": "site settings",
                    },
                ),
            ],
        ),
        # Made by the former gazette_lib app on older installations: get_or_create.
        migrations.RunPython(make_role_groups, remove_role_groups),
    ]
