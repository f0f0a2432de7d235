"""HTML bodies (imported, or written as HTML) through the allow-list."""

from django.test import SimpleTestCase

from gazette.lib.htmlbodies import sanitise_html_body


class IframeTest(SimpleTestCase):
    def test_it_keeps_a_video_player(self):
        html = sanitise_html_body('<iframe src="https://player.vimeo.com/video/1">')
        self.assertIn('src="https://player.vimeo.com/video/1"', html)

    def test_it_turns_another_frame_into_a_plain_link(self):
        html = sanitise_html_body('<iframe src="https://example.org/x"></iframe>')
        self.assertIn('<a href="https://example.org/x"', html)
        self.assertNotIn("<iframe", html)

    def test_it_survives_control_characters_in_a_frame_address(self):
        # The HTML parser keeps "\x01" in the attribute and "\x02" in the
        # text after it; a new element may hold neither, which raised ValueError (a 500 on saving such a body).
        html = sanitise_html_body('<iframe src="\x01javascript:alert(1)"></iframe>\x02')
        self.assertNotIn("<iframe", html)
        self.assertNotIn("href", html)  # the address shows as text only


class EscapedTextTest(SimpleTestCase):
    def test_it_keeps_escaped_markup_as_text(self):
        # The text before the first element was written out decoded, so
        # "&lt;b&gt;" became a real <b> and "&lt;img ...&gt;" a real image.
        html = sanitise_html_body("&lt;b&gt;bold?&lt;/b&gt; text <i>x</i>")
        self.assertEqual(html, "&lt;b&gt;bold?&lt;/b&gt; text <i>x</i>")
        html = sanitise_html_body("&lt;img src=x onerror=alert(1)&gt;")
        self.assertNotIn("<img", html)

    def test_it_gives_the_same_html_when_cleaned_twice(self):
        once = sanitise_html_body("&lt;p title=&quot;x&quot;&gt; <p>y</p>")
        self.assertEqual(sanitise_html_body(once), once)

    def test_it_keeps_the_markdown_classes_beside_the_layout_ones(self):
        html = sanitise_html_body(
            '<figure class="figure"><img src="/a.jpg" alt=""></figure>'
            '<a class="hashtag" href="/hashtag/Hills/">#Hills</a>'
            '<p class="align-center">x</p>'
        )
        self.assertIn('<figure class="figure">', html)
        self.assertIn('class="hashtag"', html)
        self.assertIn('class="align-center"', html)
