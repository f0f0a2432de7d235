from django.contrib.auth.models import AnonymousUser, Group

from gazette.site import roles
from gazette.test import BaseTestCase


class RoleTest(BaseTestCase):
    def test_each_role_can_do_what_it_should_and_no_more(self):
        own = self.make_post("Alice's", author=self.alice)
        other = self.make_post("Bob's", author=self.bob)
        self.assertEqual(roles.role_of(self.alice), "author")
        self.assertEqual(roles.role_of(self.bob), "contributor")
        self.assertIsNone(roles.role_of(self.carol))
        self.assertIsNone(roles.role_of(AnonymousUser()))

        self.assertTrue(roles.can_publish(self.alice))
        self.assertFalse(roles.can_publish(self.bob))
        self.assertTrue(roles.can_edit_post(self.alice, own))
        # An author publishes what a contributor wrote; not the other way round.
        self.assertTrue(roles.can_edit_post(self.alice, other))
        self.assertFalse(roles.can_edit_post(self.bob, own))
        self.assertTrue(roles.can_edit_post(self.bob, other))
        self.assertTrue(roles.can_moderate(self.alice, own))
        self.assertFalse(roles.can_moderate(self.alice, other))
        self.assertFalse(roles.can_moderate(self.bob, other))
        self.assertFalse(roles.can_use_desk(self.carol))

    def test_admins_can_do_everything(self):
        other = self.make_post("Bob's", author=self.bob)
        self.dave.groups.add(Group.objects.get(name=roles.ADMINS))
        self.assertTrue(roles.is_admin(self.dave))
        self.assertTrue(roles.can_edit_post(self.dave, other))
        self.assertTrue(roles.can_moderate(self.dave, other))

    def test_an_inactive_account_has_no_role(self):
        self.alice.is_active = False
        self.assertIsNone(roles.role_of(self.alice))
