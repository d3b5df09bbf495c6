"""Idempotent demo accounts (called by ``manage.py demo_content``)."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model


def demo_admin_password():
    """The demo admin's password: DEMO_ADMIN_PASSWORD, or one generated once and kept in var/."""
    from_env = settings.DEMO_ADMIN_PASSWORD
    if from_env:
        return from_env
    path = settings.VAR_DIR / "demo-admin-password"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def ensure_admin(username="admin", email="admin@example.com"):
    """Return ``(user, password)`` for a superuser whose password is the demo password."""
    password = demo_admin_password()
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"email": email})
    changed = not (user.is_superuser and user.is_staff and user.is_active)
    user.is_superuser = user.is_staff = user.is_active = True
    if not user.check_password(password):
        user.set_password(password)
        changed = True
    if changed:
        user.save()
    return user, password
