"""Every response carries the same security headers: pages rendered afresh and
served from the page cache, errors, feeds and static files; and nothing from the
desk or the admin is kept by a browser or a cache in between."""

import gzip

from django.contrib.auth.models import User
from django.core.cache import cache

from gazette.lib.middleware import PERMISSIONS_POLICY
from gazette.test import BaseTestCase

SECURITY_HEADERS = (
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Content-Security-Policy",
    "Permissions-Policy",
)
# What differs between a page rendered afresh and the same page from the cache.
CACHE_ONLY = {"x-gazette-cache", "content-length", "content-encoding"}


class SecurityHeadersTest(BaseTestCase):
    def assertSecurityHeaders(self, response):
        for name in SECURITY_HEADERS:
            self.assertIn(name, response.headers, f"{response.status_code} {name}")
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Permissions-Policy"], PERMISSIONS_POLICY)
        self.assertIn("camera=()", response["Permissions-Policy"])

    def assertNotStored(self, response):
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        self.assertLessEqual({"no-store", "private"}, directives, response.request)

    def test_a_cached_page_has_the_headers_of_the_page_rendered_afresh(self):
        url = self.make_post("Cached").get_absolute_url()
        for encoding in ("", "gzip"):
            with self.subTest(accept_encoding=encoding):
                cache.clear()
                miss = self.client.get(url, HTTP_ACCEPT_ENCODING=encoding)
                hit = self.client.get(url, HTTP_ACCEPT_ENCODING=encoding)
                self.assertEqual(miss["X-Gazette-Cache"], "miss")
                self.assertEqual(hit["X-Gazette-Cache"], "hit")
                self.assertSecurityHeaders(miss)
                self.assertSecurityHeaders(hit)

                def compared(response):
                    return {
                        name.lower(): value
                        for name, value in response.headers.items()
                        if name.lower() not in CACHE_ONLY
                    }

                self.assertEqual(compared(hit), compared(miss))
                body = gzip.decompress(hit.content) if encoding else hit.content
                self.assertIn(b"Cached", body)

    def test_errors_feeds_and_static_files_have_them(self):
        self.make_post("In the feed")
        for url, status in [
            ("/no-such-page/", 404),
            ("/feeds/posts.atom", 200),
            ("/static/gazette/gazette.css", 200),
            ("/robots.txt", 200),
        ]:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, status)
                self.assertSecurityHeaders(response)
                if response.streaming:
                    # Read to the end: the test client then closes the response
                    # without closing the test's database connection, which
                    # response.close() would do through request_finished.
                    response.getvalue()

    def test_the_desk_and_the_admin_are_never_stored(self):
        anonymous = ["/desk/sign-in/", "/desk/", "/admin/login/", "/admin/"]
        for url in anonymous:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertSecurityHeaders(response)
                self.assertNotStored(response)
        self.client.force_login(self.alice)
        for url in ["/desk/", "/desk/posts/new/"]:
            with self.subTest(url, signed_in="alice"):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertSecurityHeaders(response)
                self.assertNotStored(response)
        User.objects.filter(pk=self.dave.pk).update(is_staff=True, is_superuser=True)
        self.client.force_login(self.dave)
        for url in ["/admin/", "/admin/auth/user/"]:
            with self.subTest(url, signed_in="admin"):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertSecurityHeaders(response)
                self.assertNotStored(response)
