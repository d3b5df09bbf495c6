from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PackagesConfig(AppConfig):
    name = "packages"
    verbose_name = _("Content packages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy
        from wagtail.permissions import register_permission_policy

        from courses.services import register_score_source
        from lessons.services import register_requirement

        from . import services, signal_handlers
        from .models import ContentPackage

        # Collection permissions (add, change, delete, choose), as images and documents have:
        # a course's instructors manage the packages in their course's collection.
        register_permission_policy(
            ContentPackage,
            CollectionOwnershipPermissionPolicy(
                ContentPackage, auth_model=ContentPackage, owner_field_name="uploaded_by_user"
            ),
        )
        # The course page shows the scores students earned in packages, without courses knowing them.
        register_score_source(services.lesson_scores)
        # A lesson with packages completes only once they are complete ("Mark as complete" and
        # passing its quiz wait for them too).
        register_requirement(services.package_requirement)
        signal_handlers.connect()
