from django.utils import timezone

from gazette.desk.tests.base import DeskTestCase


class PreviewLinkTest(DeskTestCase):
    def test_a_draft_can_be_shared_and_the_link_revoked(self):
        post = self.make_post(
            "Not out yet", status="draft", body="Draft **words**", hashtags=("Soon",)
        )
        self.client.force_login(self.alice)
        self.client.post(f"/desk/posts/{post.pk}/preview-link/", {"action": "make"})
        post.refresh_from_db()
        self.assertGreaterEqual(len(post.preview_token), 30)
        link = f"/preview/{post.preview_token}/"
        self.assertContains(self.client.get(f"/desk/posts/{post.pk}/"), link)

        self.client.logout()
        response = self.client.get(link)
        self.assertContains(response, "<strong>words</strong>")
        self.assertContains(response, '<h1 class="post-title">Not out yet</h1>')
        self.assertContains(response, 'href="/hashtag/Soon/"')
        self.assertContains(
            response, '<meta name="robots" content="noindex, nofollow">'
        )
        self.assertEqual(response["X-Robots-Tag"], "noindex, nofollow")
        self.assertIn("no-store", response["Cache-Control"])

        self.client.force_login(self.alice)
        self.client.post(f"/desk/posts/{post.pk}/preview-link/", {"action": "revoke"})
        self.client.logout()
        self.assertEqual(self.client.get(link).status_code, 404)

    def test_unknown_and_trashed_links_are_404(self):
        post = self.make_post("Secret", status="draft", preview_token="a" * 32)
        self.assertEqual(self.client.get(f"/preview/{'a' * 32}/").status_code, 200)
        self.assertEqual(self.client.get(f"/preview/{'b' * 32}/").status_code, 404)
        post.trashed_at = timezone.now()
        post.save()
        self.assertEqual(self.client.get(f"/preview/{'a' * 32}/").status_code, 404)

    def test_a_preview_does_not_publish_its_secret_address(self):
        token = "s" * 32
        self.make_post("Under wraps", status="draft", preview_token=token)
        response = self.client.get(f"/preview/{token}/")
        self.assertContains(response, "Under wraps")
        page = response.content.decode()
        self.assertNotIn(token, page)
        self.assertNotIn('rel="canonical"', page)
        self.assertNotIn('property="og:url"', page)
        # Published pages keep both.
        post = self.make_post("Out now")
        page = self.client.get(post.get_absolute_url()).content.decode()
        address = "http://testserver" + post.get_absolute_url()
        self.assertIn(f'<link rel="canonical" href="{address}">', page)
        self.assertIn(f'<meta property="og:url" content="{address}">', page)
