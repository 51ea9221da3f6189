"""Permission policies for the pipeline's admin views."""

from wagtail.permission_policies import ModelPermissionPolicy


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """People may look at these rows; only the application writes them (e.g. the outbox)."""

    def user_has_permission(self, user, action):
        if action != "view":
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)
