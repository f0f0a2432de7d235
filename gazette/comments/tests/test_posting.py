from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gazette.comments.models import Comment
from gazette.comments.moderation import moderate
from gazette.comments.tests.base import CommentsTestCase
from gazette.posts.models import Post
from gazette.site.models import CommentPolicy


class PostingTest(CommentsTestCase):
    def test_it_posts_then_redirects_to_the_comment(self):
        post = self.make_post()
        response = self.send(post, body="What a *lovely* walk.")
        comment = Comment.objects.get()
        self.assertRedirects(
            response,
            f"{post.get_absolute_url()}#comment-{comment.pk}",
            fetch_redirect_response=False,
        )
        self.assertEqual(comment.status, Comment.Status.APPROVED)
        self.assertEqual(comment.body_html, "<p>What a <em>lovely</em> walk.</p>\n")
        self.assertEqual(comment.ip_address, "192.0.2.7")
        page = self.client.get(post.get_absolute_url())
        self.assertContains(page, "What a <em>lovely</em> walk.")
        self.assertContains(page, '<h2 id="comments-heading">1 comment</h2>')
        self.assertNotContains(page, "dana@example.net")  # emails are never shown

    def test_a_held_comment_is_shown_only_to_its_writer(self):
        self.set_policy(CommentPolicy.HOLD_ALL)
        post = self.make_post()
        self.send(post, body="Waiting for a yes.")
        self.assertEqual(Comment.objects.get().status, Comment.Status.HELD)
        mine = self.client.get(post.get_absolute_url())
        self.assertContains(mine, "Waiting for a yes.")
        self.assertContains(mine, "Awaiting moderation")
        self.assertContains(mine, "No comments")
        theirs = Client().get(post.get_absolute_url())
        self.assertNotContains(theirs, "Waiting for a yes.")
        self.assertNotContains(theirs, "Awaiting moderation")

    def test_first_comments_are_held_and_later_ones_are_not(self):
        self.set_policy(CommentPolicy.HOLD_FIRST)
        post = self.make_post()
        self.send(post, body="My first comment here.")
        first = Comment.objects.get()
        self.assertEqual(first.status, Comment.Status.HELD)
        self.assertIn("Held: first comment from this person", first.spam_reasons)
        moderate([first], "approve", by=self.alice)
        self.send(post, body="And a second one, a week later.")
        second = Comment.objects.latest("id")
        self.assertEqual(second.status, Comment.Status.APPROVED)

    def test_a_post_can_ask_for_more_care_than_the_blog(self):
        post = self.make_post(comment_policy=CommentPolicy.HOLD_ALL)
        self.send(post)
        self.assertEqual(Comment.objects.get().status, Comment.Status.HELD)

    def test_a_signed_in_author_comments_as_themself(self):
        self.set_policy(CommentPolicy.HOLD_ALL)
        post = self.make_post()
        self.client.force_login(self.alice)
        form = self.client.get(post.get_absolute_url())
        self.assertContains(form, "Commenting as <strong>Alice Ames</strong>")
        self.assertNotContains(form, 'name="author_name"')
        self.send(post, author_name="Somebody Else", body="Thanks, all of you.")
        comment = Comment.objects.get()
        self.assertEqual(
            (comment.user, comment.author_name, comment.author_email, comment.status),
            (self.alice, "Alice Ames", "alice@example.org", Comment.Status.APPROVED),
        )
        self.assertContains(
            Client().get(post.get_absolute_url()),
            '<span class="comment-badge">Author</span>',
        )

    def test_a_signed_in_reader_comments_under_their_account(self):
        self.set_policy(CommentPolicy.HOLD_ALL)
        post = self.make_post()
        self.client.force_login(self.carol)
        self.send(post, wants_reply_notifications="on")
        comment = Comment.objects.get()
        self.assertEqual((comment.user, comment.author_name), (self.carol, "carol"))
        self.assertEqual(comment.author_email, "carol@example.org")
        self.assertTrue(comment.wants_reply_notifications)
        self.assertEqual(comment.status, Comment.Status.HELD)  # readers are checked
        self.carol.email = ""
        self.carol.save()
        response = self.send(post, wants_reply_notifications="on", body="Again.")
        self.assertContains(
            response, "Give your email address to be told of replies.", status_code=400
        )

    def test_a_reply_link_fills_in_the_form_without_javascript(self):
        post = self.make_post()
        ann = self.add_comment(post, "Ann")
        page = self.client.get(post.get_absolute_url())
        self.assertContains(
            page, f'href="{post.get_absolute_url()}?replyto={ann.pk}#comment-form"'
        )
        replying = self.client.get(f"{post.get_absolute_url()}?replyto={ann.pk}")
        self.assertContains(replying, "Replying to <a")
        self.assertContains(
            replying, f'<input type="hidden" name="parent" value="{ann.pk}"', html=False
        )

    def test_odd_reply_targets_are_ignored_on_the_page(self):
        post = self.make_post()
        other = self.add_comment(self.make_post("Other"), "Olaf")
        held = self.add_comment(post, "Hal", status=Comment.Status.HELD)
        self.add_comment(
            post, "Ann"
        )  # an approved comment, so there is a list to search
        odd = (
            "abc",
            "-1",
            "99999",
            str(other.pk),
            str(held.pk),
            "1e3",
            "²",
            "%E2%91%A0",
        )
        for value in odd:
            with self.subTest(value=value):
                response = self.client.get(f"{post.get_absolute_url()}?replyto={value}")
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "Replying to")

    def test_a_reply_is_threaded_under_its_parent(self):
        post = self.make_post()
        ann = self.add_comment(post, "Ann", "Top of the thread.")
        self.send(post, parent=str(ann.pk), body="A reply underneath.")
        reply = Comment.objects.get(parent=ann)
        html = self.client.get(post.get_absolute_url()).content.decode()
        replies = html.index('class="comment-replies"')
        self.assertLess(html.index("Top of the thread."), replies)
        self.assertLess(replies, html.index("A reply underneath."))
        self.assertIn(f'id="comment-{reply.pk}"', html)

    def test_a_reader_may_reply_to_their_own_waiting_comment(self):
        self.set_policy(CommentPolicy.HOLD_ALL)
        post = self.make_post()
        self.send(post, body="First thought.")
        first = Comment.objects.get()
        self.assertContains(
            self.client.get(f"{post.get_absolute_url()}?replyto={first.pk}"),
            "Replying to",
        )
        response = self.send(post, parent=str(first.pk), body="Second thought.")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Comment.objects.get(body="Second thought.").parent, first)
        # Someone else may not reply to it while it waits.
        stranger = Client()
        response = self.send(post, client=stranger, parent=str(first.pk), body="Hm.")
        self.assertEqual(response.status_code, 400)

    def test_only_visible_posts_take_comments(self):
        hidden = [
            self.make_post("Draft", status=Post.Status.DRAFT),
            self.make_post("Later", days_ago=-2),
            self.make_post("Binned", trashed_at=timezone.now()),
        ]
        for post in hidden:
            with self.subTest(post=post.title):
                self.assertEqual(self.send(post).status_code, 404)
        url = reverse("comments:post", args=[self.make_post().pk])
        self.assertEqual(self.client.get(url).status_code, 405)
        huge = f"/comments/{'9' * 30}/post/"
        self.assertEqual(self.client.post(huge, {}).status_code, 404)
        self.assertFalse(Comment.objects.exists())


class BadInputTest(CommentsTestCase):
    """Every mistake re-renders the post page with the reason and the reader's text,
    and stores nothing."""

    def assertRefused(self, response, message, *, status=400, text=None):
        self.assertEqual(response.status_code, status)
        self.assertContains(response, message, status_code=status)
        if text:
            self.assertContains(response, text, status_code=status)
        self.assertContains(response, 'id="comment-form"', status_code=status)
        self.assertEqual(Comment.objects.filter(body=text or "-").count(), 0)

    def test_field_mistakes_are_explained_beside_the_form(self):
        post = self.make_post()
        kept = "My carefully written thoughts."
        cases = [
            ({"body": ""}, "Write your comment before posting it."),
            ({"body": "   \n  "}, "Write your comment before posting it."),
            ({"body": "x" * 5001}, "at most 5000 characters"),
            ({"author_name": ""}, "Give a name to show with your comment."),
            ({"author_name": "n" * 101}, "at most 100 characters"),
            ({"author_email": "not-an-address"}, "Enter a valid email address."),
            ({"author_email": "a" * 250 + "@example.org"}, "at most 254 characters"),
            ({"author_url": "javascript:alert(1)"}, "Enter a valid URL."),
            (
                {"author_email": "", "wants_reply_notifications": "on"},
                "Give your email address to be told of replies.",
            ),
            ({"body": "nul \x00 byte"}, "Null characters are not allowed."),
            ({"parent": "abc"}, "The comment you replied to could not be found."),
            ({"parent": "9" * 30}, "The comment you replied to could not be found."),
            ({"token": "forged"}, "This form could not be checked"),
        ]
        for fields, message in cases:
            fields.setdefault("body", kept)
            with self.subTest(fields=fields):
                response = self.send(post, **fields)
                text = kept if fields["body"] == kept else None
                self.assertRefused(response, message, text=text)
        self.assertFalse(Comment.objects.exists())

    def test_replies_must_answer_a_visible_comment_on_the_same_post(self):
        post = self.make_post()
        elsewhere = self.add_comment(self.make_post("Elsewhere"))
        held = self.add_comment(post, status=Comment.Status.HELD)
        spam = self.add_comment(post, status=Comment.Status.SPAM)
        trashed = self.add_comment(post, status=Comment.Status.TRASH)
        gone = self.add_comment(post)
        gone_id = gone.pk
        gone.delete()
        for parent in (elsewhere.pk, held.pk, spam.pk, trashed.pk, gone_id):
            with self.subTest(parent=parent):
                response = self.send(post, parent=str(parent), body="A kept reply.")
                self.assertRefused(
                    response,
                    "The comment you replied to is not on this page any more.",
                    text="A kept reply.",
                )

    def test_closed_posts_refuse_comments_in_all_three_ways(self):
        by_post = self.make_post("Closed here", comment_policy=CommentPolicy.CLOSED)
        old = self.make_post("Old", days_ago=40)
        self.assertContains(self.client.get(by_post.get_absolute_url()), "closed")
        response = self.send(by_post, body="Too late?")
        self.assertRefused(response, "Comments on this post are closed.")

        self.set_policy(CommentPolicy.OPEN, close_comments_after_days=30)
        fresh = self.make_post("Fresh", days_ago=2)
        self.assertEqual(self.send(fresh).status_code, 302)
        page = self.client.get(old.get_absolute_url())
        self.assertContains(page, "Comments on this post are closed.")
        self.assertNotContains(page, "?replyto=")
        response = self.send(old, body="Too late?")
        self.assertRefused(response, "Comments on this post are closed.")

        self.set_policy(CommentPolicy.CLOSED, close_comments_after_days=None)
        response = self.send(fresh, body="Too late?")
        self.assertRefused(response, "Comments on this post are closed.")

    def test_a_forged_or_borrowed_form_is_refused(self):
        post = self.make_post()
        other = self.make_post("Other")
        token = self.form_data(post)["token"]
        forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        response = self.send(post, token=forged, body="Forged but kept.")
        self.assertRefused(
            response, "This form could not be checked", text="Forged but kept."
        )
        borrowed = self.form_data(other)["token"]
        response = self.send(post, token=borrowed, body="Borrowed but kept.")
        self.assertRefused(
            response,
            "This form does not belong to this post.",
            text="Borrowed but kept.",
        )

    def test_a_replayed_form_is_refused_and_the_text_is_kept(self):
        post = self.make_post()
        data = self.form_data(post, body="Sent once, then again.")
        url = reverse("comments:post", args=[post.pk])
        self.assertEqual(self.client.post(url, data).status_code, 302)
        data["body"] = "Sent again with an edit."
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "This form was already sent once.", status_code=400
        )
        self.assertContains(response, "Sent again with an edit.", status_code=400)
        self.assertEqual(Comment.objects.count(), 1)
        # The page offers a fresh token, and with it the comment goes through.
        fresh = response.context["comment_form"]["token"].value()
        self.assertNotEqual(fresh, data["token"])
        self.assertNotEqual(fresh, "")

    def test_comments_close_after_the_blogs_number_of_days(self):
        self.set_policy(CommentPolicy.OPEN, close_comments_after_days=7)
        post = self.make_post(days_ago=6)
        self.assertEqual(self.send(post).status_code, 302)
        Post.objects.filter(pk=post.pk).update(
            published_at=timezone.now() - timedelta(days=8)
        )
        self.assertEqual(self.send(post, body="Another one.").status_code, 400)
