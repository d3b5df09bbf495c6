"""Start-up checks (Django's system checks, registered by ``apps``) of the registries other apps
fill in ``AppConfig.ready``.

Run by ``manage.py check``, ``runserver`` and ``migrate``, after every app is ready: a
missing access policy, or a registered function that cannot take its arguments, stops
start-up with a clear error instead of refusing every private item (or serving every
document) at run time.
"""

import inspect
import re

from django.core import checks

from . import grants, policies


def takes_arguments(function, count):
    """Whether ``function`` can be called with ``count`` positional arguments (True when unknowable)."""
    try:
        inspect.signature(function).bind(*([None] * count))
    except TypeError:
        return False
    except ValueError:  # no signature to read (some builtins): assume it fits
        return True
    return True


def registries(app_configs=None, **kwargs):
    """Both access policies registered, each taking ``(user, item)``; each grant kind usable."""
    return [
        *_policy(
            "media",
            policies.access_policy(),
            "register_access_policy",
            "every private item is refused to everyone but the staff who work on it",
            number=1,
        ),
        *_policy(
            "document",
            policies.document_access_policy(),
            "register_document_access_policy",
            "every document, course material included, is served to whoever Wagtail lets download it",
            number=2,
        ),
        *_grant_checks(),
    ]


def _policy(kind, policy, register, if_missing, number):
    if policy is None:
        return [
            checks.Error(
                f"No {kind} access policy is registered: {if_missing}.",
                hint=f"Call media_library.services.{register}(policy) in an AppConfig.ready() "
                "(the lessons app does: is it in INSTALLED_APPS?).",
                id=f"media_library.E00{number}",
            )
        ]
    if not takes_arguments(policy, 2):
        return [
            checks.Error(
                f"The {kind} access policy {policy!r} cannot be called as policy(user, {kind}).",
                hint=f"Register a function of (user, {kind}) -> bool with {register}.",
                id=f"media_library.E00{number + 2}",
            )
        ]
    return []


def _grant_checks():
    errors = []
    for kind, check in grants.registered_checks().items():
        if not re.fullmatch(grants.KIND, kind):
            errors.append(
                checks.Error(
                    f"The grant kind {kind!r} can never be used: a kind is 1 to 20 lowercase letters.",
                    hint="Rename the kind passed to media_library.services.register_grant_check.",
                    id="media_library.E005",
                )
            )
        if not takes_arguments(check, 1):
            errors.append(
                checks.Error(
                    f"The check of {kind!r} grants, {check!r}, cannot be called as check(key).",
                    hint="Register a function of (key) -> bool with register_grant_check.",
                    id="media_library.E006",
                )
            )
    return errors
