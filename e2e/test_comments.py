from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone
from playwright.sync_api import expect

from e2e.browser import BrowserTestCase
from gazette.posts.models import Post
from gazette.posts.writing import write_entry
from gazette.site import roles
from gazette.site.models import CommentPolicy, SiteSettings


@override_settings(COMMENTS_MIN_SECONDS=0)
class CommentAndApproveTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        authors, _ = Group.objects.get_or_create(name=roles.AUTHORS)
        self.author = get_user_model().objects.create_user(
            "writer", "writer@example.org", first_name="Wren", last_name="Writer"
        )
        self.author.groups.add(authors)
        self.post = write_entry(
            Post(
                title="Mist on the reservoir",
                slug="mist-on-the-reservoir",
                body="The water was perfectly still at six.",
                status=Post.Status.PUBLISHED,
                published_at=timezone.now(),
                author=self.author,
            ),
            [],
        )
        site = SiteSettings.load()
        site.comment_policy = CommentPolicy.HOLD_ALL
        site.save()
        self.csp_errors = []
        self.watch(self.page)

    def watch(self, page) -> None:
        """Collect what the browser says about blocked scripts or styles."""

        def heard(message) -> None:
            if "Content Security Policy" in message.text:
                self.csp_errors.append(message.text)

        page.on("console", heard)

    def sign_in_as_author(self, context) -> None:
        client = Client()
        client.force_login(self.author)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": cookie,
                    "url": self.live_server_url,
                }
            ]
        )

    def approve_all(self, expected: int) -> None:
        """The author approves every comment waiting in the desk's queue."""
        desk = self.browser.new_context()
        self.sign_in_as_author(desk)
        queue = desk.new_page()
        self.watch(queue)
        queue.goto(self.live_server_url + "/desk/comments/")
        expect(queue.locator(".moderation-item")).to_have_count(expected)
        expect(queue.locator(".moderation-item").first).to_contain_text("Spam score")
        queue.get_by_label("Select all").check()
        queue.get_by_role("button", name="Approve", exact=True).click()
        approved = (
            "1 comment approved." if expected == 1 else f"{expected} comments approved."
        )
        expect(queue.get_by_text(approved)).to_be_visible()
        expect(queue.locator(".moderation-item")).to_have_count(0)
        desk.close()

    def test_a_reader_comments_and_replies_and_the_author_approves(self):
        page = self.page
        post_url = self.live_server_url + self.post.get_absolute_url()
        page.goto(post_url)
        page.get_by_label("Name").fill("Morag")
        page.get_by_label("Email (optional, never shown)").fill("morag@example.net")
        page.get_by_label("Comment", exact=True).fill("Was the *mist* gone by seven?")
        page.get_by_role("button", name="Publish comment").click()
        first = page.locator(".comment").filter(has_text="gone by seven")
        expect(first).to_contain_text("Awaiting moderation")
        expect(first.locator("em")).to_have_text("mist")
        # The page opens at the new comment, and so does the keyboard focus.
        expect(first).to_be_focused()
        # Nobody can reply to a comment that is not shown yet, its writer neither.
        expect(first.get_by_role("link", name="Reply to Morag")).to_have_count(0)

        # Nobody else sees it yet.
        stranger = self.browser.new_context()
        other = stranger.new_page()
        other.goto(post_url)
        expect(other.locator(".comment")).to_have_count(0)
        stranger.close()

        self.approve_all(expected=1)
        page.goto(post_url)
        first.get_by_role("link", name="Reply to Morag").click()
        expect(page.locator(".replying-to")).to_contain_text("Replying to Morag")
        page.get_by_label("Name").fill("Morag")
        page.get_by_label("Comment", exact=True).fill("Answering myself: it was.")
        page.get_by_role("button", name="Publish comment").click()
        reply = page.locator(".comment-replies .comment")
        expect(reply).to_contain_text("Answering myself: it was.")
        expect(reply).to_contain_text("Awaiting moderation")
        expect(reply).to_be_focused()
        expect(page.locator("#comments-heading")).to_have_text("1 comment")
        self.approve_all(expected=1)

        fresh = self.browser.new_context()
        reader = fresh.new_page()
        self.watch(reader)
        reader.goto(post_url)
        expect(reader.locator("#comments-heading")).to_have_text("2 comments")
        top = reader.locator(".comment-list > .comment")
        expect(top).to_have_count(1)
        expect(top).to_contain_text("gone by seven")
        expect(top.locator(".comment-replies .comment")).to_contain_text(
            "Answering myself: it was."
        )
        expect(reader.get_by_text("Awaiting moderation")).to_have_count(0)
        fresh.close()
        self.assertEqual(self.csp_errors, [])
