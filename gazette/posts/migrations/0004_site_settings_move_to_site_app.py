# The site settings moved to the `site` app: the table is renamed here and the
# model leaves this app's state; site.0001 takes it into its own state.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("posts", "0003_publish_time_and_closing_limits"),
        # Its data migration reads the settings where they used to be.
        ("search", "0003_index_existing_posts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("SiteSettings", "site_sitesettings"),
            ],
            state_operations=[migrations.DeleteModel("SiteSettings")],
        ),
    ]
