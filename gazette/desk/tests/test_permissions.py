from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from gazette.desk.tests.base import DeskTestCase, post_form
from gazette.posts.models import Post
from gazette.site import roles


class PermissionTest(DeskTestCase):
    def test_it_sends_strangers_and_readers_to_the_sign_in(self):
        post = self.make_post("Alice's")
        paths = ["/desk/", "/desk/posts/new/", f"/desk/posts/{post.pk}/"]
        paths += ["/desk/settings/", "/desk/people/", "/desk/trash/", "/desk/images/"]
        for who in (None, self.carol):
            if who:
                self.client.force_login(who)
            for path in paths:
                with self.subTest(who=who, path=path):
                    response = self.client.get(path)
                    self.assertRedirects(
                        response,
                        f"/desk/sign-in/?next={path}",
                        fetch_redirect_response=False,
                    )
        response = self.client.post("/desk/posts/new/", post_form())
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Post.objects.filter(title="A walk on the ridge").exists())

    def test_a_contributor_cannot_publish_even_by_crafting_a_request(self):
        self.client.force_login(self.bob)
        crafted = post_form(action="publish", status="published")
        response = self.client.post("/desk/posts/new/", crafted)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Post.objects.exists())

        # A status field is not the editor's to set: saving keeps a draft.
        self.client.post("/desk/posts/new/", post_form(status="published"))
        post = Post.objects.get()
        self.assertEqual((post.author, post.status), (self.bob, Post.Status.DRAFT))
        response = self.client.post(f"/desk/posts/{post.pk}/", crafted)
        self.assertEqual(response.status_code, 403)
        autosaved = self.client.post(f"/desk/posts/{post.pk}/autosave/", crafted)
        self.assertEqual(autosaved.status_code, 200)
        post.refresh_from_db()
        self.assertEqual(post.status, Post.Status.DRAFT)
        self.assertFalse(Post.objects.visible().exists())
        self.assertNotContains(self.client.get(f"/desk/posts/{post.pk}/"), "Publish<")

    def test_a_contributor_cannot_change_a_published_post(self):
        post = self.make_post("Bob's, published by an admin", author=self.bob)
        self.client.force_login(self.bob)
        for path, data in (
            (f"/desk/posts/{post.pk}/", post_form(title="Changed")),
            (f"/desk/posts/{post.pk}/", post_form(action="unpublish")),
            (f"/desk/posts/{post.pk}/autosave/", post_form(title="Changed")),
            (f"/desk/posts/{post.pk}/trash/", {}),
        ):
            with self.subTest(path=path):
                self.assertEqual(self.client.post(path, data).status_code, 403)
        post.refresh_from_db()
        self.assertEqual(post.title, "Bob's, published by an admin")
        self.assertTrue(post.is_visible)

    def test_an_author_cannot_see_or_change_another_authors_posts(self):
        erin = get_user_model().objects.create_user("erin")
        erin.groups.add(Group.objects.get(name=roles.AUTHORS))
        theirs = self.make_post("Bob's draft", author=erin, status="draft")
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get("/desk/"), "Bob&#x27;s draft")
        for path in ("", "revisions/"):
            with self.subTest(path=path):
                response = self.client.get(f"/desk/posts/{theirs.pk}/{path}")
                self.assertEqual(response.status_code, 404)
        for path in ("", "autosave/", "trash/", "preview-link/"):
            with self.subTest(path=path):
                response = self.client.post(
                    f"/desk/posts/{theirs.pk}/{path}", post_form(title="Mine now")
                )
                self.assertEqual(response.status_code, 404)
        revision = theirs.revisions.create(title="Old", slug="old", body="")
        response = self.client.post(f"/desk/revisions/{revision.pk}/restore/")
        self.assertEqual(response.status_code, 404)
        theirs.refresh_from_db()
        self.assertEqual((theirs.title, theirs.trashed_at), ("Bob's draft", None))

    def test_an_author_publishes_a_contributors_draft(self):
        draft = self.make_post("Bob's draft", author=self.bob, status="draft")
        self.client.force_login(self.alice)
        self.assertContains(self.client.get("/desk/"), "Bob&#x27;s draft")
        data = post_form(title="Bob's draft", slug=draft.slug, slug_auto="False")
        response = self.client.post(
            f"/desk/posts/{draft.pk}/", data | {"action": "publish"}
        )
        self.assertRedirects(response, f"/desk/posts/{draft.pk}/")
        draft.refresh_from_db()
        self.assertEqual(
            (draft.author, draft.status), (self.bob, Post.Status.PUBLISHED)
        )

    def test_an_author_publishes_their_own_posts(self):
        self.client.force_login(self.alice)
        self.client.post("/desk/posts/new/", post_form(action="publish"))
        post = Post.objects.get()
        self.assertEqual(post.status, Post.Status.PUBLISHED)
        self.assertContains(self.client.get("/"), "A walk on the ridge")

    def test_only_admins_open_settings_people_and_pages(self):
        paths: tuple[str, ...] = ("/desk/settings/", "/desk/people/", "/desk/pages/")
        paths += ("/desk/pages/new/", "/desk/people/new/")
        for who in (self.alice, self.bob):
            self.client.force_login(who)
            for path in paths:
                with self.subTest(who=who.username, path=path):
                    self.assertEqual(self.client.get(path).status_code, 403)
            response = self.client.post(f"/desk/people/{self.carol.pk}/role/")
            self.assertEqual(response.status_code, 403)
        self.client.force_login(self.dave)
        for path in paths:
            with self.subTest(who="dave", path=path):
                self.assertEqual(self.client.get(path).status_code, 200)

    def test_an_admin_edits_anyones_post(self):
        post = self.make_post("Bob's draft", author=self.bob, status="draft")
        self.client.force_login(self.dave)
        self.assertContains(self.client.get("/desk/"), "Bob&#x27;s draft")
        response = self.client.get("/desk/?author=alice")
        self.assertFalse(response.context["page_obj"].object_list)
        data = post_form(title="Edited", slug=post.slug, slug_auto="False")
        response = self.client.post(
            f"/desk/posts/{post.pk}/", data | {"action": "publish"}
        )
        self.assertRedirects(response, f"/desk/posts/{post.pk}/")
        post.refresh_from_db()
        self.assertEqual((post.title, post.author), ("Edited", self.bob))
        self.assertTrue(post.is_visible)

    def test_every_form_is_csrf_protected(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        self.assertEqual(client.post("/desk/posts/new/", post_form()).status_code, 403)
        self.assertEqual(client.post("/desk/preview/", {"body": "x"}).status_code, 403)
        self.assertFalse(Post.objects.exists())
