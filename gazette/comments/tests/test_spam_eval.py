"""`gazette spam_eval` and `gazette spam_train`: measuring and teaching the spam
defence from labelled comments, leaving nothing behind."""

import json
import tempfile
from io import StringIO
from pathlib import Path
from unittest import mock

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command

from gazette.comments.models import Comment, SpamToken
from gazette.comments.spam import Refused, classify, evaluation
from gazette.comments.tests.base import CommentsTestCase
from gazette.posts.models import Post

REAL = [
    "The photo of the harbour at dawn reminds me of the summer we spent there.",
    "Thanks for the recipe, I added a little more garlic and it was lovely.",
    "I disagree about the second chapter; the pacing felt slow to me.",
    "Could you say which lens you used for the mountain pictures?",
    "My grandmother grew the same roses, and they smelled just like that.",
    "We tried the walk last weekend and the bridge is closed for repairs now.",
    "Your point about quiet mornings made me switch off my phone for a day.",
    "Is the library in town still open on Sundays, or did that change?",
    "I laughed at the story about the cat and the ladder, thank you.",
    "The bus timetable you linked last year helped us a lot, many thanks.",
    "Good luck with the garden this spring, the tomatoes look promising.",
    "I read the book after your review and enjoyed the ending very much.",
]
SPAM = [
    "Cheap pills online, no prescription needed: https://pills.example/buy now!",
    "WIN BIG at the best casino bonus https://casino.example/free spins today",
    "Earn $5000 a week from home, click https://money.example/start fast",
    "Buy followers and likes cheap at https://followers.example/deal",
    "Crypto doubling guaranteed, send coins to https://coin.example/double",
    "Best replica watches discount https://watches.example/sale sale sale",
    "Hot singles near you waiting https://dating.example/meet click here",
    "Loans approved instantly no credit check https://loans.example/apply",
    "Lose weight fast with this one pill https://diet.example/order now",
    "Free iPhone giveaway claim your prize https://prize.example/claim",
    "SEO services rank first on google https://seo.example/cheap backlinks",
    "Casino online jackpot bonus https://jackpot.example/bonus play now",
]


def labelled_lines(groups: tuple[str, ...] = ("a", "b", "c")) -> list[dict]:
    """Each group holds real comments and spam alike."""
    rows = [
        {"name": "Reader", "email": "", "url": "", "body": body, "spam": False}
        for body in REAL
    ]
    rows += [
        {"name": "Deals", "email": "", "url": "", "body": body, "spam": True}
        for body in SPAM
    ]
    for number, row in enumerate(rows):
        row["group"] = groups[number % len(groups)]
    return rows


class SpamEvalTestCase(CommentsTestCase):
    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.folder = Path(folder.name)

    def write(self, rows: list, name: str = "labelled.jsonl") -> str:
        path = self.folder / name
        lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(path)

    def run_command(self, *args: str) -> str:
        out = StringIO()
        call_command(*args, stdout=out, stderr=StringIO())
        return out.getvalue()


class SpamEvalOutputTest(SpamEvalTestCase):
    def test_prints_a_row_per_fold_and_the_summary_line_last(self):
        out = self.run_command(
            "spam_eval", self.write(labelled_lines()), "--folds", "3"
        )
        lines = out.strip().splitlines()
        self.assertEqual(lines[0], "3-fold cross-validation, comment policy open")
        for fold in ("1 of 3", "2 of 3", "3 of 3"):
            row = next(line for line in lines if line.startswith(fold))
            # Each fold learned from two thirds and scored the other third.
            self.assertIn("8/8", row)
            self.assertIn("4/4", row)
        self.assertTrue(lines[-2].startswith("all"))
        self.assertRegex(
            lines[-1],
            r"^caught \d+\.\d% lost \d+\.\d% held \d+\.\d% \(spam 12, real 12\)$",
        )

    def test_json_holds_the_same_figures(self):
        path = self.write(labelled_lines())
        table = self.run_command("spam_eval", path, "--folds", "2")
        result = json.loads(
            self.run_command("spam_eval", path, "--folds", "2", "--json")
        )
        self.assertEqual(result["summary"], table.strip().splitlines()[-1])
        self.assertEqual([f["name"] for f in result["folds"]], ["1 of 2", "2 of 2"])
        self.assertEqual((result["total"]["spam"], result["total"]["real"]), (12, 12))
        self.assertEqual(
            sum(f["caught"] for f in result["folds"]), result["total"]["caught"]
        )
        caught = result["total"]["caught"]
        self.assertEqual(result["total"]["caught_percent"], round(100 * caught / 12, 2))
        self.assertIn(f"caught {100 * caught / 12:.1f}%", result["summary"])

    def test_by_group_leaves_each_group_out_once(self):
        out = self.run_command(
            "spam_eval", self.write(labelled_lines()), "--by-group", "--json"
        )
        folds = json.loads(out)["folds"]
        self.assertEqual([f["name"] for f in folds], ["group a", "group b", "group c"])
        for fold in folds:
            # 24 comments in three groups of 4 real and 4 spam.
            self.assertEqual((fold["spam"], fold["real"]), (4, 4))
            self.assertEqual((fold["trained_spam"], fold["trained_real"]), (8, 8))

    def test_out_of_the_box_learns_nothing(self):
        out = self.run_command(
            "spam_eval", self.write(labelled_lines()), "--out-of-the-box", "--json"
        )
        (fold,) = json.loads(out)["folds"]
        self.assertEqual((fold["trained_spam"], fold["trained_real"]), (0, 0))
        self.assertEqual((fold["spam"], fold["real"]), (12, 12))

    def test_limit_takes_the_same_sample_every_run(self):
        path = self.write(labelled_lines())
        runs = []
        for _ in range(2):
            out = self.run_command("spam_eval", path, "--limit", "10", "--json")
            result = json.loads(out)
            for fold in result["folds"]:
                del fold["seconds"]
            runs.append(result)
        self.assertEqual(runs[0]["total"]["spam"] + runs[0]["total"]["real"], 10)
        self.assertEqual(runs[0], runs[1])

    def test_training_goes_through_moderation_as_its_label_says(self):
        taught: dict[str, list[str]] = {"spam": [], "approve": []}
        moderate = evaluation.moderate

        def record(comments, action, **kwargs):
            taught[action] += [c.body for c in comments]
            return moderate(comments, action, **kwargs)

        path = self.write(labelled_lines())
        with mock.patch.object(evaluation, "moderate", side_effect=record):
            self.run_command("spam_eval", path, "--folds", "2")
        # Each comment is in the training part of one fold of two.
        self.assertCountEqual(taught["spam"], SPAM)
        self.assertCountEqual(taught["approve"], REAL)


class SpamEvalStatesTest(SpamEvalTestCase):
    """Each state intake gives maps to one outcome."""

    def test_states_map_to_caught_lost_and_held(self):
        outcomes = {
            "real in spam folder": Comment.Status.SPAM,
            "real held": Comment.Status.HELD,
            "real approved": Comment.Status.APPROVED,
            "real refused": None,
            "spam in spam folder": Comment.Status.SPAM,
            "spam held": Comment.Status.HELD,
            "spam approved": Comment.Status.APPROVED,
        }
        items = [
            evaluation.Labelled("", "", "", text, text.startswith("spam"))
            for text in outcomes
        ]

        def receive(post, draft, source, **kwargs):
            status = outcomes[draft.body]
            if status is None:
                raise Refused("Too many comments.")
            return Comment(status=status)

        with mock.patch.object(evaluation, "receive_comment", side_effect=receive):
            total = evaluation.evaluate(items, out_of_the_box=True).total
        self.assertEqual((total.spam, total.real), (3, 4))
        self.assertEqual(total.caught, 2)  # held or in the spam folder
        self.assertEqual(total.lost, 2)  # the spam folder, or refused
        self.assertEqual(total.held, 1)
        self.assertEqual(total.refused, 1)
        self.assertEqual(
            total.summary(), "caught 66.7% lost 50.0% held 25.0% (spam 3, real 4)"
        )

    def test_rates_are_rounded_to_one_place_in_the_summary(self):
        tally = evaluation.Tally(spam=3, real=1000, caught=2, lost=5, held=100)
        self.assertEqual(
            tally.summary(), "caught 66.7% lost 0.5% held 10.0% (spam 3, real 1000)"
        )


class SpamEvalLeavesNothingTest(SpamEvalTestCase):
    def counts(self) -> dict:
        return {
            "comments": list(Comment.objects.values_list("pk", "status")),
            "posts": Post.objects.count(),
            "users": get_user_model().objects.count(),
            "tokens": list(SpamToken.objects.values_list("token", "spam_count")),
        }

    def test_a_run_leaves_the_database_and_the_mailbox_as_they_were(self):
        post = self.make_post()
        self.add_comment(post, "Ann", "An earlier comment that must stay.")
        before = self.counts()
        self.run_command("spam_eval", self.write(labelled_lines()), "--folds", "2")
        self.run_command(
            "spam_eval",
            self.write(labelled_lines()),
            "--by-group",
            "--policy",
            "hold_all",
        )
        self.assertEqual(self.counts(), before)
        self.assertEqual(mail.outbox, [])

    def test_from_blog_evaluates_the_moderated_comments_and_keeps_them(self):
        post = self.make_post()
        for body in REAL[:6]:
            self.add_comment(post, "Reader", body)
        for body in SPAM[:4]:
            self.add_comment(post, "Deals", body, status=Comment.Status.SPAM)
        self.add_comment(post, "Waiting", "Held, so not labelled yet.", status="held")
        before = self.counts()
        out = self.run_command("spam_eval", "--from-blog", "--folds", "2")
        self.assertTrue(out.strip().endswith("(spam 4, real 6)"), out)
        self.assertEqual(self.counts(), before)


class SpamEvalBadInputTest(SpamEvalTestCase):
    def assertRefused(self, path: str, *messages: str) -> None:
        with self.assertRaises(CommandError) as caught:
            self.run_command("spam_eval", path)
        for message in messages:
            self.assertIn(message, str(caught.exception))

    def test_a_missing_field_names_the_line(self):
        rows: list = labelled_lines()[:3]
        del rows[1]["spam"]
        self.assertRefused(self.write(rows), "line 2", "'spam' is missing")

    def test_a_line_that_is_not_json_names_the_line(self):
        rows: list = labelled_lines()[:3]
        rows.insert(2, '{"body": "half a line",')
        self.assertRefused(self.write(rows), "line 3", "not JSON")

    def test_wrong_types_name_the_line(self):
        for field, value, message in (
            ("spam", "yes", "'spam' must be true or false"),
            ("body", 12, "'body' must be text"),
            ("body", "  ", "'body' is empty"),
        ):
            with self.subTest(field=field):
                rows: list = labelled_lines()[:2]
                rows[0][field] = value
                self.assertRefused(self.write(rows), "line 1", message)
        self.assertRefused(self.write(["[1, 2]"]), "line 1", "expected an object")

    def test_not_a_file(self):
        self.assertRefused(str(self.folder), "is not a file")
        self.assertRefused(str(self.folder / "missing.jsonl"), "is not a file")
        self.assertRefused(self.write([""]), "holds no labelled comments")

    def test_bytes_that_are_not_utf8_name_the_line(self):
        path = self.folder / "latin1.jsonl"
        path.write_bytes(
            json.dumps(labelled_lines()[0]).encode() + b'\n{"body": "\xe9"}\n'
        )
        self.assertRefused(str(path), "line 2", "not UTF-8")

    def test_impossible_folds_and_groups(self):
        path = self.write(labelled_lines(groups=("only",)))
        with self.assertRaisesMessage(CommandError, "at least two groups"):
            self.run_command("spam_eval", path, "--by-group")
        with self.assertRaisesMessage(CommandError, "2 to 24 folds"):
            self.run_command("spam_eval", path, "--folds", "1")
        with self.assertRaisesMessage(CommandError, "or --from-blog"):
            self.run_command("spam_eval")


class SpamTrainTest(SpamEvalTestCase):
    SUSPECT = {
        "name": "Deals",
        "email": "",
        "url": "",
        "body": "Grab the zorbly wristband offer at https://zorbly.example/offer",
    }

    def suspect_score(self) -> float:
        return classify(**self.SUSPECT).value

    def training_file(self) -> str:
        body = "Zorbly wristband offer number {} zorbly deal"
        rows: list[dict[str, object]] = [
            {**self.SUSPECT, "body": body.format(n), "spam": True} for n in range(15)
        ]
        rows += [
            {"name": "Reader", "email": "", "url": "", "body": b, "spam": False}
            for b in REAL
        ]
        return self.write(rows, "train.jsonl")

    def test_teaching_raises_the_score_of_similar_spam_and_keeps_no_comment(self):
        posts, users = Post.objects.count(), get_user_model().objects.count()
        before = self.suspect_score()
        out = self.run_command("spam_train", self.training_file())
        self.assertIn("Taught the classifier 15 spam and 12 real comments", out)
        self.assertGreater(self.suspect_score(), before)
        self.assertFalse(Comment.objects.exists())
        self.assertEqual(Post.objects.count(), posts)
        self.assertEqual(get_user_model().objects.count(), users)

    def test_a_dry_run_teaches_nothing(self):
        before = self.suspect_score()
        out = self.run_command("spam_train", self.training_file(), "--dry-run")
        self.assertIn("Would teach the classifier 15 spam", out)
        self.assertEqual(self.suspect_score(), before)
        self.assertFalse(SpamToken.objects.exists())

    def test_bad_input_is_a_command_error(self):
        with self.assertRaisesMessage(CommandError, "line 1"):
            self.run_command("spam_train", self.write(["not json"]))
