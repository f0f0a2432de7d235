from django.test import SimpleTestCase

from gazette.search.query import MAX_LENGTH, MAX_WORDS, parse


class QueryParsingTest(SimpleTestCase):
    def test_it_splits_words_phrases_and_hashtags(self):
        query = parse('sourdough "open crumb" #Baking oven')
        self.assertEqual(query.words, ("sourdough", "oven"))
        self.assertEqual(query.phrases, (("open", "crumb"),))
        self.assertEqual(query.hashtags, ("Baking",))
        self.assertEqual(query.hashtag_keys, ["baking"])

    def test_operators_and_punctuation_are_only_punctuation(self):
        query = parse("title:bread NEAR(loaf, 3) -crust* ^rye OR {NOT}")
        self.assertEqual(
            query.words,
            ("title", "bread", "NEAR", "loaf", "3", "crust", "rye", "OR", "NOT"),
        )
        for word in query.words:
            self.assertTrue(word.isalnum(), word)

    def test_an_unclosed_quote_runs_to_the_end(self):
        query = parse('bread "open crumb')
        self.assertEqual(query.words, ("bread",))
        self.assertEqual(query.phrases, (("open", "crumb"),))
        self.assertEqual(parse('"""').is_empty, True)

    def test_a_quoted_single_word_is_a_word(self):
        self.assertEqual(parse('"loaf"').words, ("loaf",))

    def test_only_punctuation_is_empty(self):
        for text in ("", "   ", "!!!", "*", '"', "#", "# #", "()^:-", "_ _"):
            with self.subTest(text=text):
                self.assertTrue(parse(text).is_empty)

    def test_repeated_words_count_once(self):
        self.assertEqual(parse("Bread bread BREAD").words, ("Bread",))

    def test_a_long_query_is_cut_with_a_note(self):
        query = parse("loaf " * 1000)
        self.assertLessEqual(len(query.text), MAX_LENGTH)
        self.assertTrue(query.notes)
        many = parse(" ".join(f"word{n}" for n in range(40)))
        self.assertEqual(len(many.words), MAX_WORDS)
        self.assertIn("Only the first", many.notes[0])

    def test_it_keeps_accents_and_other_scripts_whole(self):
        self.assertEqual(parse("crème brûlée").words, ("crème", "brûlée"))
        # Decomposed accents are composed first.
        self.assertEqual(parse("cre\u0300me").words, ("crème",))
        self.assertEqual(parse("हिन्दी").words, ("हिन्दी",))

    def test_a_hashtag_must_start_with_a_letter(self):
        query = parse("#2024 #Bread_Baking")
        self.assertEqual(query.hashtags, ("Bread",))
        self.assertEqual(query.words, ("2024", "Baking"))
