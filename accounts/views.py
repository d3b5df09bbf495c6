from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import services
from .forms import DeleteAccountForm, ProfileForm


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The student's account page: their name, their email addresses, links to the rest."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your name was saved.")
        return redirect("accounts_profile")
    context = {
        "form": form,
        "emailaddresses": EmailAddress.objects.filter(user=request.user).order_by("-primary", "email"),
        "google_enabled": "google" in settings.SOCIALACCOUNT_PROVIDERS,
    }
    return render(request, "accounts/profile.html", context)


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
            messages.success(request, "Your account and everything in it have been deleted.")
            return redirect("/")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "refusal": services.deletion_refusal(user)},
        status=400 if form.is_bound else 200,
    )
