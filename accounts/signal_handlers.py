"""Signal handlers of the accounts app, connected in ``AccountsConfig.ready()``."""

from django.contrib.auth.signals import user_logged_in


def record_session(sender, request, user, **kwargs):
    """Record every logged-in session, the Wagtail admin's included.

    allauth.usersessions records logins made through allauth only; recording the
    others too lets ``services.delete_account`` end every session of a user by
    looking them up, instead of decoding every session in the database.
    """
    from allauth.usersessions.models import UserSession

    # Test clients' force_login() and logins outside a request have no client address.
    if request is None or not hasattr(request, "session") or not request.META.get("REMOTE_ADDR"):
        return
    UserSession.objects.create_from_request(request, user=user, session=request.session)


def connect():
    user_logged_in.connect(record_session, dispatch_uid="accounts.record_session")
