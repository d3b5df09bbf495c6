from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import emails, services
from .forms import CertificateNameForm, DeleteAccountForm, LanguageForm, ProfileForm
from .models import EMAIL_KINDS


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The student's account page: their names, their email addresses, links to the rest."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, gettext("Your name was saved."))
        return redirect("accounts_profile")
    return render(request, "accounts/profile.html", profile_context(request.user, form))


def profile_context(user, form, certificate_name_form=None, language_form=None):
    locked = services.certificate_name_locked(user)
    if certificate_name_form is None and not locked:
        certificate_name_form = CertificateNameForm(
            initial={"name": services.certificate_name(user)}, prefix="certificate"
        )
    return {
        "form": form,
        "certificate_name": services.certificate_name(user),
        "certificate_name_locked": locked,
        "certificate_name_form": certificate_name_form,
        "emailaddresses": EmailAddress.objects.filter(user=user).order_by("-primary", "email"),
        "google_enabled": "google" in settings.SOCIALACCOUNT_PROVIDERS,
        "email_kinds": [(kind, label, emails.wants_email(user, kind)) for kind, label in EMAIL_KINDS.items()],
        "language_form": language_form
        or LanguageForm(
            initial={"language": services.language_preference(user) or translation.get_language()},
            prefix="language",
        ),
        "multilingual": len(settings.LANGUAGES) > 1,
    }


@login_required
@require_POST
def certificate_name(request):
    """Save the name printed on the student's certificates, until a certificate carries it."""
    if services.certificate_name_locked(request.user):
        messages.error(
            request,
            gettext(
                "Your certificates already carry your name, so it can no longer be changed here. "
                "To correct it, ask the course team to reissue your certificate."
            ),
        )
        return redirect("accounts_profile")
    form = CertificateNameForm(request.POST, prefix="certificate")
    if form.is_valid():
        services.set_certificate_name(request.user, form.cleaned_data["name"])
        messages.success(request, gettext("The name on your certificates was saved."))
        return redirect("accounts_profile")
    context = profile_context(request.user, ProfileForm(instance=request.user), form)
    return render(request, "accounts/profile.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """Deletes the logged-in user and their personal data, after they confirm (POST, CSRF)."""
    user = request.user
    form = DeleteAccountForm(user, request.POST or None)
    if request.method == "POST":
        # A stolen session must not become a way to guess the password.
        if not ratelimit.consume(request, action="reauthenticate", user=user):
            return ratelimit.respond_429(request)
        if form.is_valid():
            logout(request)
            services.delete_account(user)
            messages.success(request, gettext("Your account and everything in it have been deleted."))
            return redirect("/")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "refusal": services.deletion_refusal(user)},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def language(request):
    """Save the language the student chose for the site: applied at once (their session and the
    language cookie, by portal's LocaleMiddleware) and at every login after."""
    form = LanguageForm(request.POST, prefix="language")
    if form.is_valid():
        services.set_language_preference(request.user, form.cleaned_data["language"], request)
        # Said in the new language: this request's already is the old one.
        with translation.override(form.cleaned_data["language"]):
            messages.success(request, gettext("Your language was saved."))
        return redirect("accounts_profile")
    context = profile_context(request.user, ProfileForm(instance=request.user), language_form=form)
    return render(request, "accounts/profile.html", context, status=400)


@login_required
@require_POST
def email_preferences(request):
    """Save the profile page's email preferences (one checkbox per kind; unticked means opted out)."""
    for kind in EMAIL_KINDS:
        emails.set_preference(request.user, kind, request.POST.get(kind) == "on")
    messages.success(request, gettext("Your email preferences were saved."))
    return redirect("accounts_profile")


# RFC 8058: mailbox providers POST "List-Unsubscribe=One-Click" to this URL with no cookies
# and no CSRF token, so the view is exempt by design. The signed token is the authority:
# it names one user and one kind, and cannot be altered or reused for another kind.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, kind, token):
    """GET: a page with one button (link scanners follow GETs, so GET changes nothing). POST: opt out."""
    user_id = emails.user_id_from_token(token, kind)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id is not None else None
    if user is None:
        return render(request, "accounts/unsubscribe_invalid.html", status=400)
    context = {"kind": kind, "kind_label": EMAIL_KINDS[kind], "email": services.primary_email(user)}
    if request.method == "POST":
        emails.set_preference(user, kind, False)
        return render(request, "accounts/unsubscribed.html", context)
    return render(request, "accounts/unsubscribe.html", context)
