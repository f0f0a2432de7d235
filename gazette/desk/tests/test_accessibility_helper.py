from django.test import SimpleTestCase

from gazette.desk.accessibility import LONG_PARAGRAPH_WORDS, check, summary
from gazette.desk.tests.base import DeskTestCase, post_form
from gazette.posts.models import Post


def rules(html: str) -> list[str]:
    return [warning.rule for warning in check(html)]


class ImageDescriptionTest(SimpleTestCase):
    def test_it_notes_a_picture_without_a_description(self):
        [warning] = check('<figure><img src="/media/2024/heron%20one.jpg"></figure>')
        self.assertEqual(warning.rule, "image-description")
        self.assertEqual(warning.what, "A picture has no description.")
        self.assertEqual(warning.where, "heron one.jpg")
        self.assertIn("alt", warning.why)

    def test_it_notes_a_description_that_is_a_file_name(self):
        for alt in ("IMG_2041.jpg", "heron.PNG", "DSC01234", "photo-3"):
            with self.subTest(alt=alt):
                [warning] = check(f'<img src="/media/x.jpg" alt="{alt}">')
                self.assertEqual(
                    warning.what, "A picture's description is its file name."
                )
                self.assertEqual(warning.where, alt)

    def test_it_says_nothing_of_described_or_decorative_pictures(self):
        html = (
            '<img src="/media/a.jpg" alt="A heron on the weir at dawn">'
            '<img src="/media/rule.png" alt="">'
            '<img src="/media/b.jpg" alt="The 2024 photo competition winner"/>'
        )
        self.assertEqual(check(html), [])

    def test_in_markdown_empty_brackets_are_noted_as_a_missing_description(self):
        # What the Markdown renderer makes of ![](/media/heron.jpg).
        html = '<p><img src="/media/heron.jpg" alt=""></p>'
        [warning] = check(html, markdown=True)
        self.assertEqual(warning.what, "A picture has no description.")
        self.assertIn("square brackets", warning.why)
        self.assertEqual(check('<img src="/media/rule.png" alt="">'), [])


class HeadingLevelTest(SimpleTestCase):
    def test_it_notes_a_body_that_starts_below_level_2(self):
        [warning] = check("<h3>The walk</h3><p>Up.</p>")
        self.assertEqual(warning.rule, "heading-level")
        self.assertEqual(warning.what, "The first heading is level 3, not 2.")
        self.assertEqual(warning.where, "The walk")

    def test_it_notes_a_heading_that_skips_a_level(self):
        [warning] = check("<h2>Morning</h2><h4>The <em>steep</em> part</h4>")
        self.assertEqual(warning.what, "A heading jumps from level 2 to level 4.")
        self.assertEqual(warning.where, "The steep part")
        self.assertIn("Use level 3 here (## in Markdown)", warning.why)

    def test_it_accepts_headings_going_down_one_level_or_back_up_any_number(self):
        html = "<h2>A</h2><h3>B</h3><h4>C</h4><h2>D</h2><h3>E</h3>"
        self.assertEqual(check(html), [])
        self.assertEqual(check("<p>No headings at all.</p>"), [])


class LinkTextTest(SimpleTestCase):
    def test_it_notes_links_whose_words_say_nothing(self):
        for text in ("click here", "Here", "Read more…", "THIS LINK", "link", "more."):
            with self.subTest(text=text):
                [warning] = check(f'<p>See <a href="/timetable/">{text}</a>.</p>')
                self.assertEqual(warning.rule, "link-text")
                self.assertEqual(warning.what, f"A link says only “{text}”.")
                self.assertEqual(warning.where, f"{text} → /timetable/")

    def test_it_notes_a_link_with_no_text(self):
        for inner in ("", "  ", '<img src="/media/icon.png" alt="">'):
            with self.subTest(inner=inner):
                warnings = check(f'<a href="/x/">{inner}</a>')
                self.assertEqual([w.what for w in warnings], ["A link has no text."])
                self.assertEqual(warnings[0].where, "/x/")

    def test_it_accepts_telling_words_bare_addresses_and_described_pictures(self):
        html = (
            '<p><a href="/ferry/">the ferry timetable</a>, '
            '<a href="https://example.com/a">https://example.com/a</a>, '
            '<a href="/hashtag/Ridge/">#Ridge</a>, '
            '<a href="/more-about-herons/">more about herons</a>, '
            '<a href="/big/"><img src="/media/s.jpg" alt="The weir in flood"></a></p>'
        )
        self.assertEqual(check(html), [])


class LongParagraphTest(SimpleTestCase):
    def test_it_notes_a_very_long_paragraph(self):
        words = " ".join(f"w{n}" for n in range(LONG_PARAGRAPH_WORDS + 1))
        [warning] = check(f"<p>Start <em>here</em> {words}</p><p>Short.</p>")
        self.assertEqual(warning.rule, "long-paragraph")
        self.assertEqual(
            warning.what, f"A paragraph is {LONG_PARAGRAPH_WORDS + 3} words long."
        )
        self.assertTrue(warning.where.startswith("Start here w0 w1"))

    def test_it_accepts_a_paragraph_at_the_limit(self):
        words = " ".join(["word"] * LONG_PARAGRAPH_WORDS)
        self.assertEqual(check(f"<p>{words}</p>"), [])


class SummaryTest(SimpleTestCase):
    def test_it_names_every_note_in_one_sentence(self):
        html = '<img src="/media/a.jpg"><a href="/x/">click here</a>'
        self.assertEqual(
            summary(check(html)),
            "2 things could be easier for every reader: a picture has no "
            "description; a link says only “click here”. The notes beside the "
            "preview say why and how to change them.",
        )
        self.assertTrue(summary(check('<img src="/a.jpg">')).startswith("1 thing "))
        self.assertEqual(summary([]), "")

    def test_it_reads_several_rules_in_the_order_of_the_body(self):
        html = '<h4>Late</h4><p><a href="/y/">here</a></p><img src="/z.png">'
        self.assertEqual(
            rules(html), ["heading-level", "link-text", "image-description"]
        )


BODY_WITH_NOTES = (
    "![](/media/a.jpg)\n\n<img src=x>\n\nSee [click here](/x/).\n\n### Deep"
)


class EditorNotesTest(DeskTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def test_the_live_preview_answers_the_notes_with_the_html(self):
        body = "# Ridge\n\n### Deep\n\nSee [click here](/x/)."
        response = self.client.post(
            "/desk/preview/", {"body": body}, headers={"Accept": "application/json"}
        )
        data = response.json()
        self.assertIn("<h4>Deep</h4>", data["html"])
        self.assertEqual(
            [(w["rule"], w["where"]) for w in data["warnings"]],
            [("heading-level", "Deep"), ("link-text", "click here → /x/")],
        )
        self.assertTrue(all(w["why"] for w in data["warnings"]))
        # Without asking for JSON, the answer is the HTML alone, as before.
        response = self.client.post("/desk/preview/", {"body": body})
        self.assertContains(response, "<h4>Deep</h4>")
        self.assertNotContains(response, "could be easier")

    def test_the_no_script_preview_shows_the_notes(self):
        data = post_form(body="See [here](/x/).", action="preview")
        response = self.client.post("/desk/posts/new/", data)
        self.assertContains(response, "A link says only “here”.")
        self.assertContains(response, "<q>here → /x/</q>", html=False)
        self.assertFalse(Post.objects.exists())
        # A body with nothing to note keeps the list hidden.
        data = post_form(body="See [the ferry timetable](/x/).", action="preview")
        response = self.client.post("/desk/posts/new/", data)
        self.assertContains(response, 'id="accessibility" hidden')

    def test_publishing_with_notes_still_publishes_and_says_what_they_are(self):
        body = "Up the hill.\n\nSee [click here](/x/) and ![IMG_2041.jpg](/a.jpg)."
        data = post_form(body=body, action="publish")
        response = self.client.post("/desk/posts/new/", data, follow=True)
        post = Post.objects.get()
        self.assertEqual(post.status, Post.Status.PUBLISHED)
        self.assertContains(
            response,
            "Published: it is on the blog. 2 things could be easier for every "
            "reader: a link says only “click here”; a picture&#x27;s description "
            "is its file name.",
        )
        # The editor it comes back to lists them beside the preview.
        self.assertContains(response, "<strong>A picture&#x27;s description is")

    def test_saving_a_draft_or_publishing_a_clear_body_adds_no_notes(self):
        self.client.post("/desk/posts/new/", post_form(body=BODY_WITH_NOTES))
        self.assertEqual(Post.objects.get().status, Post.Status.DRAFT)
        response = self.client.get(f"/desk/posts/{Post.objects.get().pk}/")
        # The notes are beside the preview, but the message is only the usual one.
        self.assertContains(response, "A link says only “click here”.")
        self.assertContains(response, '<li class="message-success">Draft saved.</li>')
        response = self.client.post(
            "/desk/posts/new/", post_form(action="publish"), follow=True
        )
        self.assertContains(response, "Published: it is on the blog.")
        self.assertNotContains(response, "could be easier for every reader:")
