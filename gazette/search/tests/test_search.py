import re
from datetime import timedelta
from io import StringIO
from unittest import mock

from django.core.management import call_command
from django.utils import timezone

from gazette.posts.effects import posts_changed
from gazette.posts.models import Post
from gazette.posts.writing import write_entry
from gazette.search.backends import fts_tokenizer, pg_config_name
from gazette.search.models import SearchDocument
from gazette.site.models import SiteSettings
from gazette.test import BaseTestCase


def result_titles(response) -> list[str]:
    """The titles on a results page, in order, without their <mark>s."""
    html = response.content.decode()
    titles = re.findall(r'<h2 class="post-title"><a href="[^"]*">(.*?)</a>', html)
    return [re.sub(r"</?mark>", "", title) for title in titles]


class SearchTest(BaseTestCase):
    def search(self, text: str, **params):
        response = self.client.get("/search/", {"q": text, **params})
        self.assertEqual(response.status_code, 200)
        return response

    def test_it_finds_posts_and_marks_the_words(self):
        self.make_post("Rye bread", body="A dense rye loaf, baked slowly.")
        self.make_post("Night walk", body="Stars over the ridge.")
        response = self.search("loaf")
        self.assertEqual(result_titles(response), ["Rye bread"])
        self.assertContains(response, "<mark>loaf</mark>")

    def test_it_ranks_title_matches_above_passing_mentions(self):
        self.make_post("Notes from the week", body="I baked sourdough on Tuesday.")
        self.make_post("Sourdough", body="Flour, water and time.")
        self.assertEqual(
            result_titles(self.search("sourdough")),
            ["Sourdough", "Notes from the week"],
        )

    def test_it_ranks_many_mentions_above_one(self):
        self.make_post("A", body="The kite flew. Then lunch, then a nap, then home.")
        self.make_post("B", body="Kite, kite and kite again: the kite would not fly.")
        self.assertEqual(result_titles(self.search("kite")), ["B", "A"])

    def test_every_word_must_match(self):
        self.make_post("Rye", body="A rye loaf.")
        self.make_post("Wheat", body="A wheat loaf.")
        self.assertEqual(result_titles(self.search("rye loaf")), ["Rye"])

    def test_quoted_phrases_match_words_side_by_side(self):
        self.make_post("Together", body="The loaf had an open crumb at last.")
        self.make_post("Apart", body="The crumb was tight; open the oven less.")
        self.assertEqual(result_titles(self.search('"open crumb"')), ["Together"])
        self.assertEqual(len(result_titles(self.search("open crumb"))), 2)

    def test_a_hashtag_filters_the_results(self):
        self.make_post("Bread for the walk", body="Bread again.", hashtags=("Walking",))
        self.make_post("Bread at home", body="Bread again.", hashtags=("Baking",))
        self.assertEqual(result_titles(self.search("bread #baking")), ["Bread at home"])
        # A hashtag alone lists its posts, newest first.
        self.assertEqual(result_titles(self.search("#Walking")), ["Bread for the walk"])
        response = self.search("bread #Knitting")
        self.assertContains(response, "No posts have the hashtag #Knitting.")
        self.assertEqual(result_titles(response), [])

    def test_accents_do_not_matter(self):
        self.make_post("Crème brûlée", body="Made in a café near the ridge.")
        self.make_post("Plain cafe", body="Tea and toast.")
        self.assertEqual(result_titles(self.search("creme brulee")), ["Crème brûlée"])
        self.assertEqual(
            sorted(result_titles(self.search("café"))), ["Crème brûlée", "Plain cafe"]
        )
        response = self.search("brulee")
        self.assertContains(response, "<mark>brûlée</mark>")

    def test_it_stems_english_words(self):
        self.make_post("Hills", body="We walked for hours.")
        self.assertEqual(result_titles(self.search("walking")), ["Hills"])

    def test_it_finds_words_in_hashtag_names(self):
        self.make_post("Loaf", body="Flour and water.", hashtags=("Sourdough",))
        self.assertEqual(result_titles(self.search("sourdough")), ["Loaf"])

    def test_hostile_queries_never_fail(self):
        self.make_post("Rye", body="Rye and not near or far: a loaf.")
        queries = [
            "rye" * 5000,
            "x " * 3000,
            '"',
            '"rye',
            'rye"loaf',
            "rye AND NOT loaf",
            "NEAR(rye loaf, 2)",
            "rye*",
            "^rye",
            "title:rye",
            "{title body}: rye",
            "rye OR",
            "(rye",
            "'; DROP TABLE posts_post; --",
            "rye & loaf | !crust <-> x:*",
            "%_%",
            "\\",
            "\u202erye",
            "\ue000rye\ue001",
            "#",
            "##rye",
            "🍞",
        ]
        for text in queries:
            with self.subTest(text=text[:30]):
                self.search(text)
        # Operators are plain words: NOT excludes nothing, "title:" is no column.
        self.assertEqual(result_titles(self.search("rye AND NOT loaf")), ["Rye"])
        self.assertEqual(result_titles(self.search("rye* OR ^loaf")), ["Rye"])
        self.assertEqual(result_titles(self.search("title:rye")), [])

    def test_queries_with_nothing_to_search_say_so(self):
        self.assertContains(self.search(""), "Type a word or two")
        self.assertContains(self.search("?!*"), "There is nothing to search for")
        self.assertContains(self.search("quinoa"), "No posts match “quinoa”.")
        long = self.search("rye " * 200)
        self.assertContains(long, "Only the first")

    def test_a_nul_byte_is_a_bad_request(self):
        self.assertEqual(self.client.get("/search/", {"q": "rye\x00"}).status_code, 400)

    def test_titles_and_snippets_are_escaped_before_marking(self):
        self.make_post(
            "<b>Rye</b> & <script>alert(1)</script>",
            body="Some `<img src=x onerror=alert(1)>` rye & more.",
        )
        response = self.search("rye")
        html = response.content.decode()
        self.assertIn("&lt;b&gt;<mark>Rye</mark>&lt;/b&gt; &amp; &lt;script&gt;", html)
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<img src=x", html)

    def test_it_pages_through_results(self):
        for n in range(12):
            self.make_post(f"Loaf {n}", body="A loaf.", days_ago=n + 1)
        first = self.search("loaf")
        self.assertEqual(len(result_titles(first)), 10)
        self.assertContains(first, "More results")
        self.assertContains(first, "?q=loaf&amp;page=2")
        second = self.search("loaf", page=2)
        self.assertEqual(len(result_titles(second)), 2)
        self.assertContains(second, "Previous results")
        self.assertNotContains(second, "More results")
        seen = result_titles(first) + result_titles(second)
        self.assertEqual(len(set(seen)), 12)
        for page in ("0", "-1", "abc", "51", "1e3"):
            with self.subTest(page=page):
                response = self.client.get("/search/", {"q": "loaf", "page": page})
                self.assertEqual(response.status_code, 404)

    def test_the_results_page_is_kept_out_of_search_engines(self):
        self.assertContains(
            self.search("rye"), '<meta name="robots" content="noindex">'
        )

    def test_the_search_box_is_on_every_page(self):
        self.make_post("Rye")
        for path in ("/", "/hashtags/", "/search/"):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertContains(response, 'role="search"')
                self.assertContains(response, 'name="q"')
        self.assertContains(self.search("rye"), 'value="rye"')


class IndexFollowsPublishingTest(BaseTestCase):
    def found(self, text: str) -> list[str]:
        return result_titles(self.client.get("/search/", {"q": text}))

    def test_drafts_are_not_found_until_published(self):
        post = self.make_post("Rye", body="A rye loaf.", status=Post.Status.DRAFT)
        self.assertEqual(self.found("rye"), [])
        self.assertFalse(SearchDocument.objects.exists())
        post.status = Post.Status.PUBLISHED
        write_entry(post)
        self.assertEqual(self.found("rye"), ["Rye"])

    def test_edits_show_at_once(self):
        post = self.make_post("Rye", body="A rye loaf.")
        post.body = "A spelt loaf."
        write_entry(post)
        self.assertEqual(self.found("spelt"), ["Rye"])
        self.assertEqual(self.found("loaf rye"), ["Rye"])  # still in the title
        post.title = "Spelt"
        write_entry(post)
        self.assertEqual(self.found("rye"), [])

    def test_unpublished_and_trashed_posts_drop_out(self):
        draft = self.make_post("Rye draft", body="Rye.")
        trashed = self.make_post("Rye trashed", body="Rye.")
        self.assertEqual(len(self.found("rye")), 2)
        draft.status = Post.Status.DRAFT
        write_entry(draft)
        trashed.trashed_at = timezone.now()
        write_entry(trashed)
        self.assertEqual(self.found("rye"), [])
        self.assertFalse(SearchDocument.objects.exists())

    def test_deleted_posts_drop_out(self):
        post = self.make_post("Rye", body="Rye.")
        post.delete()
        self.assertEqual(self.found("rye"), [])

    def test_scheduled_posts_appear_on_time(self):
        self.make_post("Rye tomorrow", body="Rye.", days_ago=-1)
        self.assertEqual(self.found("rye"), [])
        self.assertEqual(self.found("#Nothing"), [])
        later = timezone.now() + timedelta(days=1, minutes=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(self.found("rye"), ["Rye tomorrow"])

    def test_scheduled_posts_ranked_first_do_not_hide_visible_ones(self):
        for n in range(25):
            self.make_post(f"Rye rye {n}", body="Rye, rye and rye.", days_ago=-1)
        self.make_post("Bread", body="One rye loaf.")
        self.assertEqual(self.found("rye"), ["Bread"])

    def test_a_failed_save_leaves_the_index_as_it_was(self):
        post = self.make_post("Rye", body="Rye.")
        post.title = "Spelt"

        def fail(**kwargs):
            raise RuntimeError("a later step of the save failed")

        posts_changed.connect(fail, dispatch_uid="test-fail")
        try:
            with self.assertRaises(RuntimeError):
                write_entry(post)
        finally:
            posts_changed.disconnect(dispatch_uid="test-fail")
        self.assertEqual(self.found("rye"), ["Rye"])
        self.assertEqual(self.found("spelt"), [])

    def test_the_command_rebuilds_the_index(self):
        self.make_post("Rye", body="Rye.", hashtags=("Baking",))
        self.make_post("Draft rye", body="Rye.", status=Post.Status.DRAFT)
        SearchDocument.objects.all().delete()
        self.assertEqual(self.found("rye"), [])
        out = StringIO()
        call_command("rebuild_search_index", stdout=out)
        self.assertIn("Indexed 1 post", out.getvalue())
        self.assertEqual(self.found("rye"), ["Rye"])
        self.assertEqual(self.found("baking"), ["Rye"])


class LanguageTest(BaseTestCase):
    def test_each_language_gets_its_own_configuration(self):
        available = {"gazette_english", "gazette_german", "german", "simple"}
        self.assertEqual(pg_config_name("en", available), "gazette_english")
        self.assertEqual(pg_config_name("de-AT", available), "gazette_german")
        self.assertEqual(
            pg_config_name("pt-br", available | {"portuguese"}), "portuguese"
        )
        self.assertEqual(pg_config_name("xx", available), "simple")
        self.assertEqual(fts_tokenizer("en-gb"), "porter unicode61 remove_diacritics 2")
        self.assertEqual(fts_tokenizer("fr"), "unicode61 remove_diacritics 2")

    def test_a_rebuild_follows_a_new_language(self):
        self.make_post("Crème brûlée", body="Ein Café am Fluss, gebacken.")
        site = SiteSettings.load()
        site.language = "de"
        site.save()
        call_command("rebuild_search_index", stdout=StringIO())
        found = self.client.get("/search/", {"q": "cafe fluss"})
        self.assertEqual(result_titles(found), ["Crème brûlée"])
        self.assertContains(found, "<mark>Café</mark>")
