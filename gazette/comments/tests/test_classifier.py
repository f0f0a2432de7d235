from unittest import mock

from django.db import transaction

from gazette.comments.models import SpamToken
from gazette.comments.spam import bayes, learning
from gazette.comments.spam.features import (
    features,
    has_phone_number,
    link_count,
    link_hosts,
)
from gazette.site.models import SiteSettings
from gazette.test import BaseTestCase

FRIENDLY = [
    "Love this song, makes me wanna dance!",
    "Thanks for the write-up, I tried the recipe last night and it worked.",
    "Great photos. Which lens did you use for the harbour at dusk?",
    "I walked the same path last spring and loved it.",
    "857.482.940 views AWESOME!!!",
]


def score(body: str, name: str = "Dana") -> float:
    return learning.classify(name=name, email="", url="", body=body).value


class FeaturesTest(BaseTestCase):
    def test_it_does_not_read_a_view_count_as_a_phone_number(self):
        self.assertFalse(has_phone_number("857.482.940 views AWESOME!!!"))
        self.assertNotIn("has:phone", features(body="857.482.940 views AWESOME!!!"))
        self.assertFalse(has_phone_number("Released in 2019, 1,204,551 copies sold"))
        self.assertTrue(has_phone_number("Call now on 0800 123 4567 for a free quote"))
        self.assertTrue(has_phone_number("WhatsApp +44 7700 900123"))

    def test_it_counts_bare_domains_as_links(self):
        text = "Visit my website called ZONEPA.COM or example.co.uk/path today"
        self.assertEqual(link_count(text), 2)
        self.assertEqual(link_hosts(text), {"zonepa.com", "example.co.uk"})
        self.assertIn("link:example.co.uk", features(body=text))
        for innocent in ("e.g. open file.txt", "Write to ann@example.com", "Mr.Smith"):
            with self.subTest(innocent=innocent):
                self.assertEqual(link_count(innocent), 0)

    def test_it_buckets_many_links_and_knows_shorteners(self):
        links = " ".join(f"https://site{n}.example/" for n in range(200))
        self.assertIn("links:30+", features(body=links))
        self.assertIn("links:3-4", features(body="a.com b.com c.com d.com"))
        self.assertIn("link:shortener", features(body="see https://bit.ly/3xYz"))

    def test_it_notices_mixed_scripts_and_folds_lookalike_letters(self):
        disguised = features(body="Buy vіаgra сheap")  # Cyrillic і, а and с
        self.assertIn("script:lookalike-letters", disguised)
        self.assertIn("viagra", disguised)
        russian = features(body="Спасибо за отличную статью")
        self.assertIn("script:cyrillic", russian)
        self.assertNotIn("script:lookalike-letters", russian)
        self.assertNotIn("script:mixed", features(body="A lovely walk by the sea"))

    def test_it_reads_repeats_and_digits_for_letters(self):
        found = features(body="Sooooo gooood!!! fr33 v1agra")
        for feature in ("has:repeated-letters", "has:repeated-marks", "free", "viagra"):
            self.assertIn(feature, found)
        self.assertIn("soo", found)  # a run of letters counts once, however long

    def test_stop_words_and_plain_numbers_carry_no_weight(self):
        plain = features(body="Great photos harbour dusk")
        padded = features(body="Great photos of the harbour at 7 at dusk, if it is")
        self.assertEqual(plain, padded)

    def test_the_authors_name_does_not_decide(self):
        names = ["Ann", "Ann Lee", "Ann Marie Lee", "Ann Marie van Lee", "Casino Pills"]
        found = {frozenset(features(name=n, body="Nice post")) for n in names}
        self.assertEqual(len(found), 1)
        self.assertIn("name:has-link", features(name="cheap-pills.com"))


class ClassifierTest(BaseTestCase):
    def test_a_name_does_not_change_the_score(self):
        learning.teach_many(
            (features(name="Buy Cheap Pills Now", body=f"pills offer {n}"), True)
            for n in range(20)
        )
        body = "I tried the pills offer my doctor gave me"
        scores = [
            score(body, name)
            for name in ("Ann", "Ann Lee", "Ann Marie Lee", "Buy Cheap Pills Now")
        ]
        self.assertLess(max(scores) - min(scores), 0.01)

    def test_out_of_the_box_friendly_comments_are_not_sent_to_spam(self):
        site = SiteSettings()
        for body in FRIENDLY:
            with self.subTest(body=body):
                self.assertLess(score(body), site.spam_reject_threshold)

    def test_out_of_the_box_it_holds_rather_than_rejects_what_it_is_unsure_of(self):
        site = SiteSettings()
        pitch = (
            "Dear friend, limited offer! Earn money from home, guaranteed income. "
            "Click here to order now and receive your free bonus, unsubscribe anytime."
        )
        value = score(pitch)
        self.assertGreaterEqual(value, site.spam_hold_threshold)
        self.assertLess(value, site.spam_reject_threshold)

    def test_two_hundred_links_are_strong_spam(self):
        links = " ".join(f"https://shop{n}.example/deal" for n in range(200))
        self.assertGreaterEqual(
            score(f"Best prices {links}"), SiteSettings().spam_reject_threshold
        )

    def test_untaught_text_is_neutral_and_teaching_moves_it(self):
        body = "Quorble zix plimbo wug"
        self.assertAlmostEqual(score(body), bayes.NEUTRAL, delta=0.05)
        learning.teach_many((features(body=f"quorble zix {n}"), True) for n in range(3))
        learning.teach_many((features(body=f"tea walk {n}"), False) for n in range(3))
        taught_a_little = score(body)
        self.assertGreater(taught_a_little, 0.6)
        learning.teach_many(
            (features(body=f"quorble plimbo zix {n}"), True) for n in range(300)
        )
        learning.teach_many((features(body=f"tea walk {n}"), False) for n in range(300))
        # Once the blog has taught enough, the classifier speaks with full voice.
        self.assertGreater(score(body), SiteSettings().spam_reject_threshold)

    def test_what_a_rolled_back_transaction_taught_is_forgotten(self):
        class Undo(Exception):
            pass

        with self.assertRaises(Undo), transaction.atomic():
            learning.teach_many([(features(body="quorble zix"), True)])
            self.assertTrue(SpamToken.objects.filter(token="quorble").exists())
            raise Undo
        self.assertFalse(SpamToken.objects.filter(token="quorble").exists())

    def test_the_built_in_model_is_read_once_per_process(self):
        bayes.built_in_counts.cache_clear()
        self.addCleanup(bayes.built_in_counts.cache_clear)
        with mock.patch.object(
            bayes, "read_model_file", wraps=bayes.read_model_file
        ) as read:
            for body in FRIENDLY:
                score(body)
        self.assertEqual(read.call_count, 1)
        counts = bayes.built_in_counts()
        self.assertGreater(counts.spam_messages + counts.ham_messages, 0)
        self.assertGreater(len(counts.spam) + len(counts.ham), 400)
