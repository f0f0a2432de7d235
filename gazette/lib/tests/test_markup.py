from django.test import SimpleTestCase

from gazette.lib.htmlcheck import dangerous_parts
from gazette.lib.markup import (
    ImageInfo,
    find_hashtags,
    render_comment,
    render_markdown,
    sanitise,
)


def hashtag_url(name: str) -> str:
    return f"/hashtag/{name}/"


class MarkdownTest(SimpleTestCase):
    def test_it_renders_commonmark(self):
        html = render_markdown(
            "Some *emphasis* and **strong** text.\n\n- one\n- two"
        ).html
        self.assertInHTML("<em>emphasis</em>", html)
        self.assertInHTML("<strong>strong</strong>", html)
        self.assertInHTML("<ul><li>one</li><li>two</li></ul>", html)

    def test_it_demotes_headings_below_the_post_title(self):
        html = render_markdown("# Top\n\n## Next").html
        self.assertInHTML("<h2>Top</h2>", html)
        self.assertInHTML("<h3>Next</h3>", html)
        self.assertNotIn("<h1", html)

    def test_it_keeps_block_quotations(self):
        html = render_markdown("> Dough is never late.").html
        self.assertInHTML("<blockquote><p>Dough is never late.</p></blockquote>", html)


class FigureTest(SimpleTestCase):
    def test_it_makes_a_captioned_figure_from_a_lone_image(self):
        html = render_markdown('![A red kite](/media/kite.jpg "Over the ridge")').html
        self.assertInHTML(
            '<figure class="figure"><img src="/media/kite.jpg" alt="A red kite" '
            'loading="lazy"><figcaption>Over the ridge</figcaption></figure>',
            html,
        )

    def test_it_leaves_an_inline_image_inline(self):
        html = render_markdown('Look: ![kite](/k.jpg "t") there.').html
        self.assertNotIn("<figure", html)
        self.assertIn('<img src="/k.jpg" alt="kite"', html)

    def test_it_escapes_markup_in_a_caption(self):
        html = render_markdown('![a](/a.jpg "<b onclick=x>bold</b>")').html
        self.assertIn("&lt;b onclick=x&gt;bold&lt;/b&gt;", html)
        self.assertNotIn("<b ", html)

    def test_it_adds_size_srcset_and_credit_for_known_images(self):
        info = ImageInfo(
            1600, 900, "/r/a-480.jpg 480w, /r/a-960.jpg 960w", credit="Photo: Ann"
        )
        html = render_markdown(
            '![alt](/media/a.jpg "Caption")',
            image_info={"/media/a.jpg": info}.get,
        ).html
        self.assertIn('width="1600" height="900"', html)
        self.assertIn('srcset="/r/a-480.jpg 480w, /r/a-960.jpg 960w"', html)
        self.assertInHTML('<small class="credit">Photo: Ann</small>', html)


class HashtagTest(SimpleTestCase):
    def test_it_links_inline_hashtags_and_reports_them(self):
        rendered = render_markdown(
            "Out under the #NightSky with #hills.", hashtag_url=hashtag_url
        )
        self.assertInHTML(
            '<a href="/hashtag/NightSky/" class="hashtag" rel="noopener noreferrer">'
            "#NightSky</a>",
            rendered.html,
        )
        self.assertEqual(rendered.hashtags, ["NightSky", "hills"])

    def test_it_ignores_headings_numbers_entities_and_links(self):
        source = "# Heading\n\nIssue #42, it's [#linked](http://x.org/#frag) a#b"
        rendered = render_markdown(source, hashtag_url=hashtag_url)
        self.assertEqual(rendered.hashtags, [])
        self.assertNotIn('class="hashtag"', rendered.html)

    def test_it_does_not_link_hashtags_in_code(self):
        rendered = render_markdown(
            "`#notatag`\n\n    #alsonot", hashtag_url=hashtag_url
        )
        self.assertEqual(rendered.hashtags, [])

    def test_find_hashtags_keeps_first_spelling_once(self):
        self.assertEqual(find_hashtags("#Été and #été and #Bread"), ["Été", "Bread"])


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    '<svg onload="alert(1)"></svg>',
    "<iframe src=//evil.example></iframe>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '![x](/a.jpg "\\" onerror=\\"alert(1)")',
]


class SanitiseTest(SimpleTestCase):
    def test_it_never_lets_script_through_markdown(self):
        for payload in XSS_PAYLOADS:
            with self.subTest(payload=payload):
                html = render_markdown(payload, hashtag_url=hashtag_url).html
                self.assertEqual(dangerous_parts(html), [])
                self.assertEqual(dangerous_parts(render_comment(payload)), [])

    def test_the_check_itself_finds_dangerous_html(self):
        self.assertEqual(len(dangerous_parts(XSS_PAYLOADS[1] + XSS_PAYLOADS[3])), 2)

    def test_it_strips_disallowed_html_even_when_given_directly(self):
        html = sanitise('<p onclick="x()">Hi<script>bad()</script></p><em>ok</em>')
        self.assertEqual(html, "<p>Hi</p><em>ok</em>")


class CommentMarkupTest(SimpleTestCase):
    def test_it_allows_a_small_subset(self):
        html = render_comment(
            "*Yes* and > no\n\n> quoted\n\n`code` [site](https://a.org)"
        )
        self.assertIn("<em>Yes</em>", html)
        self.assertIn("<blockquote>", html)
        self.assertIn("<code>code</code>", html)
        self.assertIn('rel="nofollow ugc noopener"', html)

    def test_it_drops_headings_images_and_script(self):
        html = render_comment("# Big\n\n![x](/a.jpg)\n\n<script>x</script>")
        self.assertNotIn("<h", html)
        self.assertNotIn("<img", html)
        self.assertNotIn("<script", html)


class PlainCommentsTest(SimpleTestCase):
    """Comments without markup skip the Markdown parser; the result must be the
    parser's own, letter for letter."""

    def test_the_shortcut_renders_exactly_what_the_parser_does(self):
        import random

        from gazette.lib.markup import (
            _comment_parser,
            _plain_paragraphs,
            clean_comment_html,
        )

        pieces = ["tide", "Über", "pier", "1.", "-", "#", '"q"', "it's", "!", "é"]
        pieces += [" ", " ", "  ", "    ", "\n", "\n", "\n\n", " \n", "\n    "]
        rng = random.Random(3)
        used = 0
        for _ in range(3000):
            text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 25)))
            shortcut = _plain_paragraphs(text)
            if shortcut is None:
                continue
            used += 1
            self.assertEqual(
                shortcut,
                clean_comment_html(_comment_parser().render(text)),
                repr(text),
            )
        self.assertGreater(used, 1500)

    def test_markup_still_goes_to_the_parser(self):
        from gazette.lib.markup import _plain_paragraphs

        for text in ("*a*", "[a](https://x.example)", "> q", "`c`", "    code", "a&b"):
            self.assertIsNone(_plain_paragraphs(text), text)
