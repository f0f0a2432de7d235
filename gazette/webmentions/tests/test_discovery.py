"""Endpoint discovery, case by case: every situation the webmention.rocks
test suite sets for senders (the Webmention Recommendation, 3.1.2), played
against a remote site on loopback by publishing a post that links to it.

Each case is a page at /case/N/page (the linked target). "{site}" in its
headers, HTML and expected endpoint stands for the remote site's address,
known only once the site is listening. Wrong endpoints are decoys with
addresses of their own, so a sender that picks one posts to the wrong path.
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qs

from django.test import override_settings

from gazette.test import BaseTestCase
from gazette.webmentions.models import Sent
from gazette.webmentions.tests.remote import RemoteSiteMixin

BLOG = "http://blog.example"


@dataclass(frozen=True)
class Case:
    number: int
    name: str
    html: str = "<p>Nothing to see.</p>"
    headers: dict[str, str] = field(default_factory=dict)
    # The path (with its query) the mention must be posted to.
    endpoint: str = ""
    # Where /case/N/page redirects to, the page itself being served there.
    moved_to: str = ""

    @property
    def page(self) -> str:
        return f"/case/{self.number}/page"

    @property
    def expected(self) -> str:
        return self.endpoint or f"/case/{self.number}/endpoint"


CASES = (
    Case(
        1,
        "a Link header with a relative address and an unquoted rel",
        headers={"Link": "</case/1/endpoint>; rel=webmention"},
    ),
    Case(
        2,
        "a Link header with an absolute address and an unquoted rel",
        headers={"Link": "<{site}/case/2/endpoint>; rel=webmention"},
    ),
    Case(
        3,
        "a <link> element with a relative address",
        html='<head><link rel="webmention" href="/case/3/endpoint"></head>',
    ),
    Case(
        4,
        "a <link> element with an absolute address",
        html='<head><link rel="webmention" href="{site}/case/4/endpoint"></head>',
    ),
    Case(
        5,
        "an <a> element with a relative address",
        html='<p>Tell me at <a rel="webmention" href="/case/5/endpoint">this</a>.</p>',
    ),
    Case(
        6,
        "an <a> element with an absolute address",
        html='<p><a href="{site}/case/6/endpoint" rel="webmention">Mentions</a></p>',
    ),
    Case(
        7,
        "a Link header whose name and rel are oddly cased",
        headers={"LinK": "</case/7/endpoint>; REL=WebMention"},
    ),
    Case(
        8,
        "a Link header with a quoted rel",
        headers={"Link": '</case/8/endpoint>; rel="webmention"'},
    ),
    Case(
        9,
        "a <link> element with several rel values",
        html='<head><link rel="me webmention" href="/case/9/endpoint"></head>',
    ),
    Case(
        10,
        "a Link header with several rel values",
        headers={"Link": '</case/10/endpoint>; rel="webmention nofollow"'},
    ),
    Case(
        11,
        "a Link header, a <link> and an <a>: the header wins",
        headers={"Link": '</case/11/endpoint>; rel="webmention"'},
        html=(
            '<head><link rel="webmention" href="/case/11/from-link"></head>'
            '<body><a rel="webmention" href="/case/11/from-anchor">here</a></body>'
        ),
    ),
    Case(
        12,
        "a rel that only contains the word is not the rel",
        html=(
            '<head><link rel="not-webmention" href="/case/12/lookalike">'
            '<link rel="webmention" href="/case/12/endpoint"></head>'
        ),
    ),
    Case(
        13,
        "an endpoint inside an HTML comment is not one",
        html=(
            '<head><!-- <link rel="webmention" href="/case/13/commented"> -->'
            '<link rel="webmention" href="/case/13/endpoint"></head>'
        ),
    ),
    Case(
        14,
        "an endpoint shown as escaped HTML is not one",
        html=(
            "<p>Advertise yours like this:</p><pre><code>"
            '&lt;link rel="webmention" href="/case/14/quoted"&gt;</code></pre>'
            '<p><a rel="webmention" href="/case/14/endpoint">Mention me</a></p>'
        ),
    ),
    Case(
        15,
        "an empty address names the page itself",
        html='<head><link rel="webmention" href=""></head>',
        endpoint="/case/15/page",
    ),
    Case(
        16,
        "an <a> before a <link>: the first in the document wins",
        html=(
            '<body><p><a rel="webmention" href="/case/16/endpoint">first</a></p>'
            '<link rel="webmention" href="/case/16/later-link"></body>'
        ),
    ),
    Case(
        17,
        "a <link> before an <a>: the first in the document wins",
        html=(
            '<head><link rel="webmention" href="/case/17/endpoint"></head>'
            '<body><a rel="webmention" href="/case/17/later-anchor">second</a></body>'
        ),
    ),
    Case(
        18,
        "two Link headers, the second naming the endpoint",
        # Header names are case-insensitive: these are two Link headers, in
        # this order (the fake site's headers are a dict, one value per key).
        headers={
            "Link": '</case/18/other>; rel="other"',
            "link": '</case/18/endpoint>; rel="webmention"',
        },
    ),
    Case(
        19,
        "one Link header with several links in it",
        headers={
            "Link": '</case/19/other>; rel="other", </case/19/endpoint>; rel=webmention'
        },
    ),
    Case(
        20,
        "a <link> without an address is skipped for the next element",
        html=(
            '<head><link rel="webmention"></head>'
            '<body><a rel="webmention" href="/case/20/endpoint">here</a></body>'
        ),
    ),
    Case(
        21,
        "an endpoint with a query string keeps it as it is",
        html=(
            '<head><link rel="webmention" '
            'href="/case/21/endpoint?version=2&amp;from=link"></head>'
        ),
        endpoint="/case/21/endpoint?version=2&from=link",
    ),
    Case(
        22,
        "an address relative to the page's path",
        html='<head><link rel="webmention" href="endpoint"></head>',
    ),
    Case(
        23,
        "a redirected target: the endpoint is relative to where it led",
        headers={"Link": '<endpoint>; rel="webmention"'},
        moved_to="/case/23/moved/page",
        endpoint="/case/23/moved/endpoint",
    ),
)


@override_settings(
    GAZETTE_FETCH_ALLOW_LOOPBACK=True,
    GAZETTE_SEND_WEBMENTIONS=True,
    ALLOWED_HOSTS=["blog.example", "testserver"],
)
class DiscoveryTest(RemoteSiteMixin, BaseTestCase):
    def serve(self, case: Case) -> str:
        """Put the case's page(s) on the remote site; returns the target."""
        url = self.site.url

        def fill(text: str) -> str:
            return text.replace("{site}", url)

        headers = {name: fill(value) for name, value in case.headers.items()}
        page = (200, headers, fill(case.html).encode())
        if case.moved_to:
            self.site.pages[case.moved_to] = page
            return self.site.put(
                case.page, "", status=302, Location=url + case.moved_to
            )
        self.site.pages[case.page] = page
        return url + case.page

    def test_it_posts_to_the_endpoint_each_case_advertises(self):
        self.assertEqual([c.number for c in CASES], list(range(1, 24)))
        for case in CASES:
            with self.subTest(case.number, case=case.name):
                self.site.pages.clear()
                self.site.posts.clear()
                target = self.serve(case)
                post = self.make_post(
                    f"Case {case.number}", body=f"I read [this page]({target})."
                )
                [(path, content_type, body)] = self.site.posts
                self.assertEqual(path, case.expected)
                self.assertEqual(content_type, "application/x-www-form-urlencoded")
                # Only source and target, in the body: an endpoint's own query
                # stays in its address, untouched.
                source = BLOG + post.get_absolute_url()
                self.assertEqual(
                    parse_qs(body.decode(), keep_blank_values=True),
                    {"source": [source], "target": [target]},
                )
                sent = Sent.objects.get(post=post)
                self.assertEqual(sent.endpoint, self.site.url + case.expected)
                self.assertEqual(sent.status, Sent.Status.SENT)
