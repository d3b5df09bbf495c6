"""Signal handlers of the accounts app, connected in ``AccountsConfig.ready()``."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from .languages import remember_at_login
from .staff_cache import forget_everyone, forget_user
from .user_answers import forget_for_user


def record_session(sender, request, user, **kwargs):
    """Record every logged-in session, the Wagtail admin's included.

    allauth.usersessions records logins made through allauth only; recording the
    others too lets ``end_sessions`` find every session of a user by index, instead
    of decoding every session in the database.
    """
    from allauth.usersessions.models import UserSession

    # Test clients' force_login() and logins outside a request have no client address.
    if request is None or not hasattr(request, "session") or not request.META.get("REMOTE_ADDR"):
        return
    UserSession.objects.create_from_request(request, user=user, session=request.session)


def apply_language(sender, request, user, **kwargs):
    """The language the user chose comes with them into the new session (README, "Languages")."""
    remember_at_login(request, user)


def end_sessions(sender, instance, **kwargs):
    """Log a user out everywhere as they are deleted, however that happens (their own
    deletion page, the Wagtail admin, the shell): their sessions go from the cache and the
    database. The recorded-session rows themselves cascade with the user."""
    from allauth.usersessions.models import UserSession

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in UserSession.objects.filter(user=instance).values_list("session_key", flat=True):
        store().delete(key)


def forget_staff_answer(sender, instance, **kwargs):
    """A user's flags may have changed (``is_staff``, ``is_active``, ``is_superuser``)."""
    forget_user(instance.pk)


def forget_kept_user(sender, instance, **kwargs):
    """A user was saved or deleted: the row kept with their answers (``accounts.middleware``) goes."""
    forget_for_user(instance.pk)


def forget_staff_answers(sender, **kwargs):
    """Groups or permissions changed: any user's staff answer may be different now."""
    forget_everyone()


def connect():
    user_logged_in.connect(record_session, dispatch_uid="accounts.record_session")
    user_logged_in.connect(apply_language, dispatch_uid="accounts.apply_language")
    pre_delete.connect(end_sessions, sender=get_user_model(), dispatch_uid="accounts.end_sessions")
    user_model = get_user_model()
    post_save.connect(forget_staff_answer, sender=user_model, dispatch_uid="accounts.forget_staff_answer")
    post_save.connect(forget_kept_user, sender=user_model, dispatch_uid="accounts.forget_kept_user_saved")
    post_delete.connect(forget_kept_user, sender=user_model, dispatch_uid="accounts.forget_kept_user_deleted")
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(
            forget_staff_answers, sender=through, dispatch_uid=f"accounts.staff.{through.__name__}"
        )
    post_delete.connect(forget_staff_answers, sender=Group, dispatch_uid="accounts.staff.group_deleted")
