from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from gazette.comments.models import BlockRule, Comment
from gazette.comments.moderation import moderate
from gazette.comments.tests.base import CommentsTestCase
from gazette.site import roles

QUEUE = reverse("desk:comments")


class QueueTest(CommentsTestCase):
    def setUp(self):
        super().setUp()
        self.dave.groups.add(Group.objects.get(name=roles.AUTHORS))
        self.post = self.make_post("Alice's post")
        self.daves = self.make_post("Dave's post", author=self.dave)

    def test_only_authors_and_admins_get_in(self):
        response = Client().get(QUEUE)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/desk/sign-in/", response["Location"])
        for person in (self.bob, self.carol):
            self.client.force_login(person)
            self.assertEqual(self.client.get(QUEUE).status_code, 403)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(QUEUE).status_code, 200)
        self.assertEqual(self.client.get(QUEUE + "?status=nope").status_code, 404)

    def test_the_desk_menu_leads_moderators_to_the_queue(self):
        link = f'<a href="{QUEUE}">Comments</a>'
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/desk/"), link, html=True)
        self.client.force_login(self.bob)  # a contributor moderates nothing
        self.assertNotContains(self.client.get("/desk/"), link, html=True)

    def test_an_author_sees_the_comments_on_their_own_posts_with_the_reasons(self):
        self.add_comment(
            self.post,
            "Held Hal",
            status="held",
            spam_score=0.62,
            spam_reasons=["Sent 1 s after the form was opened"],
        )
        self.add_comment(self.daves, "Dave's Reader", status="held")
        self.client.force_login(self.alice)
        page = self.client.get(QUEUE)
        self.assertContains(page, "Held Hal")
        self.assertContains(page, "Spam score 0.62")
        self.assertContains(page, "Sent 1 s after the form was opened")
        self.assertContains(page, "Held (1)")
        self.assertNotContains(page, "Dave&#x27;s Reader")

    def test_an_admin_sees_every_comment(self):
        self.add_comment(self.daves, "Dave's Reader", status="held")
        admin = self.carol
        admin.is_superuser = True
        admin.save()
        self.client.force_login(admin)
        self.assertContains(self.client.get(QUEUE), "Dave&#x27;s Reader")

    def test_it_approves_in_bulk_and_the_post_shows_them(self):
        held = [self.add_comment(self.post, f"N{n}", status="held") for n in range(3)]
        self.client.force_login(self.alice)
        response = self.client.post(
            QUEUE + "?status=held",
            {"action": "approve", "ids": [held[0].pk, held[1].pk]},
            follow=True,
        )
        self.assertContains(response, "2 comments approved.")
        statuses = [Comment.objects.get(pk=c.pk).status for c in held]
        self.assertEqual(statuses, ["approved", "approved", "held"])
        self.assertContains(Client().get(self.post.get_absolute_url()), "2 comments")

    def test_one_comments_own_button_acts_on_it_alone(self):
        first, second = (self.add_comment(self.post, status="held") for _ in range(2))
        self.client.force_login(self.alice)
        self.client.post(QUEUE + "?status=held", {"only": f"spam:{second.pk}"})
        self.assertEqual(Comment.objects.get(pk=first.pk).status, "held")
        self.assertEqual(Comment.objects.get(pk=second.pk).status, "spam")

    def test_each_tab_offers_its_actions(self):
        spam = self.add_comment(self.post, "Spammy", status="spam")
        trash = self.add_comment(self.post, "Binned", status="trash")
        self.client.force_login(self.alice)
        spam_tab = self.client.get(QUEUE + "?status=spam")
        self.assertContains(spam_tab, 'value="not_spam"')
        self.assertContains(spam_tab, "Spammy")
        self.client.post(
            QUEUE + "?status=spam", {"action": "not_spam", "ids": [spam.pk]}
        )
        self.assertEqual(Comment.objects.get(pk=spam.pk).status, "held")
        self.client.post(
            QUEUE + "?status=trash", {"action": "delete", "ids": [trash.pk]}
        )
        self.assertFalse(Comment.objects.filter(pk=trash.pk).exists())

    def test_nothing_chosen_or_an_odd_action_changes_nothing(self):
        held = self.add_comment(self.post, status="held")
        self.client.force_login(self.alice)
        for data in (
            {"action": "approve"},
            {"action": "explode", "ids": [held.pk]},
            {"action": "approve", "ids": ["x"]},
            {"only": "approve:abc"},
            {"action": "approve", "ids": ["9" * 30]},
            {"action": "approve", "ids": ["²", "①"]},  # digits, but not numbers
            {"only": "approve:²"},
        ):
            with self.subTest(data=data):
                response = self.client.post(QUEUE, data)
                self.assertEqual(response.status_code, 302)
        self.assertEqual(Comment.objects.get(pk=held.pk).status, "held")

    def test_an_author_cannot_moderate_someone_elses_comments(self):
        theirs = self.add_comment(self.daves, status="held")
        mine = self.add_comment(self.post, status="held")
        self.client.force_login(self.alice)
        response = self.client.post(
            QUEUE, {"action": "approve", "ids": [mine.pk, theirs.pk]}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Comment.objects.get(pk=mine.pk).status, "held")
        self.assertEqual(Comment.objects.get(pk=theirs.pk).status, "held")
        with self.assertRaises(PermissionDenied):
            moderate([theirs], "spam", by=self.bob)

    def test_deleting_a_comment_keeps_its_replies(self):
        top = self.add_comment(self.post, "Top")
        middle = self.add_comment(self.post, "Middle", parent=top)
        bottom = self.add_comment(self.post, "Bottom", parent=middle)
        moderate(
            Comment.objects.filter(pk__in=[top.pk, middle.pk]), "delete", by=self.alice
        )
        bottom.refresh_from_db()
        self.assertIsNone(bottom.parent)
        self.assertEqual(list(Comment.objects.all()), [bottom])


class BlockRulesScreenTest(CommentsTestCase):
    URL = reverse("desk:block_rules")

    def test_an_author_keeps_their_own_list(self):
        self.client.force_login(self.alice)
        response = self.client.post(
            self.URL, {"kind": "domain", "value": "https://www.Junk.example/x"}
        )
        self.assertRedirects(response, self.URL)
        rule = BlockRule.objects.get()
        self.assertEqual((rule.value, rule.owner), ("junk.example", self.alice))
        self.client.post(self.URL, {"kind": "domain", "value": "junk.example"})
        self.assertEqual(BlockRule.objects.count(), 1)
        self.assertContains(self.client.get(self.URL), "junk.example")
        delete = reverse("desk:delete_block_rule", args=[rule.pk])
        self.assertRedirects(self.client.post(delete), self.URL)
        self.assertFalse(BlockRule.objects.exists())

    def test_bad_values_are_explained(self):
        self.client.force_login(self.alice)
        for kind, value, message in (
            ("ip", "999.1.1.1", "Give an IP address"),
            ("email", "nobody", "Give a whole email address."),
            ("domain", "no spaces.com", "Give a domain"),
            ("word", "", "This field is required."),
        ):
            with self.subTest(kind=kind):
                response = self.client.post(self.URL, {"kind": kind, "value": value})
                self.assertContains(response, message, status_code=400)
        self.assertFalse(BlockRule.objects.exists())

    def test_the_blogs_list_belongs_to_admins(self):
        blog_rule = BlockRule.objects.create(kind="word", value="lottery")
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.URL), "lottery")
        delete = reverse("desk:delete_block_rule", args=[blog_rule.pk])
        self.assertEqual(self.client.post(delete).status_code, 404)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.URL).status_code, 403)
        self.carol.is_superuser = True
        self.carol.save()
        self.client.force_login(self.carol)
        self.client.post(self.URL, {"kind": "ip", "value": "203.0.113.9"})
        self.assertIsNone(BlockRule.objects.get(kind="ip").owner)
        self.assertRedirects(self.client.post(delete), self.URL)


class AdminActionsTest(CommentsTestCase):
    def test_the_admin_moderates_through_the_same_function(self):
        root = self.carol
        root.is_superuser = root.is_staff = True
        root.save()
        post = self.make_post()
        held = self.add_comment(post, "Hal", "Quite right.", status="held")
        self.client.force_login(root)
        response = self.client.post(
            "/admin/comments/comment/",
            {"action": "moderate_approve", "_selected_action": [held.pk]},
        )
        self.assertEqual(response.status_code, 302)
        held.refresh_from_db()
        self.assertEqual((held.status, held.trained_as), ("approved", "ham"))
        page = self.client.get(f"/admin/comments/comment/{held.pk}/change/")
        self.assertNotContains(page, 'name="status"')  # read-only there
