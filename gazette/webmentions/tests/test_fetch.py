"""gazette.lib.fetch against a site on loopback: limits, redirects, and the
addresses it must never reach."""

from django.test import SimpleTestCase, override_settings

from gazette.lib import fetch
from gazette.webmentions.tests.remote import RemoteSiteMixin


class FetchTest(RemoteSiteMixin, SimpleTestCase):
    def test_it_refuses_loopback_by_default(self):
        url = self.site.put("/hello", "<p>Hello</p>")
        with self.assertRaises(fetch.Refused):
            fetch.get(url)

    @override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
    def test_it_fetches_a_page_when_loopback_is_allowed(self):
        url = self.site.put("/hello", "<p>Hello</p>")
        page = fetch.get(url)
        self.assertEqual((page.status, page.text()), (200, "<p>Hello</p>"))

    def test_it_refuses_private_and_special_addresses(self):
        for address in (
            "10.0.0.1",
            "192.168.1.1",
            "172.16.0.5",
            "169.254.169.254",  # a cloud's metadata service
            "100.64.0.1",
            "224.0.0.1",
            "0.0.0.0",
            "240.0.0.1",
            "::1",
            "fe80::1",
            "fc00::1",
            "::ffff:127.0.0.1",
        ):
            with self.subTest(address), self.assertRaises(fetch.Refused):
                fetch.check_address(address)
        fetch.check_address("93.184.216.34")  # a public address passes

    @override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
    def test_loopback_allowed_still_refuses_private_networks(self):
        with self.assertRaises(fetch.Refused):
            fetch.check_address("10.1.2.3")
        with self.assertRaises(fetch.Refused):
            fetch.get("http://192.168.0.1/")

    def test_it_refuses_other_schemes_and_credentials(self):
        for url in ("file:///etc/passwd", "ftp://example.org/", "http://u:p@x.org/"):
            with self.subTest(url), self.assertRaises(fetch.Refused):
                fetch.get(url)

    @override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
    def test_it_stops_reading_a_huge_page(self):
        url = self.site.put("/huge", "x" * (fetch.MAX_BYTES + 1))
        with self.assertRaises(fetch.TooLarge):
            fetch.get(url)

    @override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
    def test_it_checks_every_redirect(self):
        self.site.put("/to-private", "", 302, Location="http://10.0.0.7/admin")
        with self.assertRaises(fetch.Refused):
            fetch.get(self.site.url + "/to-private")

    @override_settings(GAZETTE_FETCH_ALLOW_LOOPBACK=True)
    def test_it_follows_a_few_redirects_only(self):
        self.site.put("/hop", "", 302, Location="/landed")
        self.site.put("/landed", "<p>Here</p>")
        self.assertEqual(
            fetch.get(self.site.url + "/hop").url, self.site.url + "/landed"
        )
        self.site.put("/loop", "", 301, Location="/loop")
        with self.assertRaisesMessage(fetch.FetchError, "redirects"):
            fetch.get(self.site.url + "/loop")
