"""check_links replays a backup's addresses over real HTTP against a live server."""

from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import LiveServerTestCase

from gazette.posts.models import OldAddress

FIXTURES = Path(__file__).parent / "fixtures"


class CheckLinksTest(LiveServerTestCase):
    def test_every_address_of_an_imported_backup_leads_to_its_page(self):
        backup = str(FIXTURES / "blogger-classic.xml")
        call_command("import_blogger", backup, stdout=StringIO())
        out = StringIO()
        call_command("check_links", backup, "--site", self.live_server_url, stdout=out)
        self.assertIn("9 of 9 old addresses lead to the right page.", out.getvalue())

        # A lost address is reported, and the command fails.
        OldAddress.objects.filter(path="/p/about.html").delete()
        out = StringIO()
        with self.assertRaises(CommandError):
            call_command(
                "check_links", backup, "--site", self.live_server_url, stdout=out
            )
        self.assertIn("WRONG /p/about.html", out.getvalue())
