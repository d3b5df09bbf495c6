from allauth.account import forms as allauth_forms
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailAdminLoginForm

from . import services
from .login_policy import LoginPolicyFormMixin


class ProfileForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name"]
        labels = {"first_name": _("First name"), "last_name": _("Last name")}
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }


class DeleteAccountForm(forms.Form):
    """Confirms a deletion with the user's password, or, if they have none (Google only),
    by typing their email address."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        else:
            self.fields["confirmation"] = forms.CharField(
                label=_("Type your email address to confirm"),
                help_text=_("Type %(address)s")
                % {"address": services.primary_email(user) or user.get_username()},
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password

    def clean_confirmation(self):
        typed = self.cleaned_data["confirmation"].strip().lower()
        expected = (services.primary_email(self.user) or self.user.get_username()).lower()
        if typed != expected:
            raise forms.ValidationError(_("That is not your email address."))
        return typed

    def clean(self):
        refusal = services.deletion_refusal(self.user)
        if refusal:
            raise forms.ValidationError(refusal)
        return super().clean()


class WagtailLoginForm(LoginPolicyFormMixin, WagtailAdminLoginForm):
    """/admin/login/ under the site's login policy (``WAGTAILADMIN_USER_LOGIN_FORM``)."""


class DjangoAdminLoginForm(LoginPolicyFormMixin, AdminAuthenticationForm):
    """/django-admin/login/ under the site's login policy (set on ``admin.site`` in apps.py)."""


NAME_HELP = _(
    "As it should be printed on your certificates. You can change it on your account page "
    "until your first certificate."
)


def certificate_name_field(**kwargs):
    return forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        **kwargs,
    )


class CertificateNameForm(forms.Form):
    """The account page's "Name on your certificates", while no certificate carries it yet."""

    name = certificate_name_field(help_text=_("Printed on the certificates of the courses you complete."))

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())


class RingletLabels:
    """allauth's forms with the site's own labels: sentence case (allauth says "Remember Me",
    "New Password (again)"), and "again" instead of a bracket."""

    labels = {
        "remember": _("Remember me on this device"),
        "oldpassword": _("Current password"),
        "password2": _("Password again"),
    }
    new_password = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(self.labels)
        if self.new_password:
            labels.update(password1=_("New password"), password2=_("New password again"))
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].label = label


class LoginForm(RingletLabels, allauth_forms.LoginForm):
    pass


class AddEmailForm(RingletLabels, allauth_forms.AddEmailForm):
    pass


class ChangePasswordForm(RingletLabels, allauth_forms.ChangePasswordForm):
    new_password = True


class SetPasswordForm(RingletLabels, allauth_forms.SetPasswordForm):
    pass


class ResetPasswordKeyForm(RingletLabels, allauth_forms.ResetPasswordKeyForm):
    new_password = True


class SignupForm(RingletLabels, AllauthSignupForm):
    """allauth's sign-up form, asking for the name to print on certificates, and taking as
    long for an address that already has an account.

    The name comes first (``autocomplete="name"``) and is kept with the account
    (``services.set_certificate_name``); without it a certificate would carry the username
    allauth makes from the address.

    allauth's enumeration prevention answers both cases alike (an email is sent either way),
    but a new account costs a password hash (PBKDF2, a few hundred milliseconds) that the
    "account exists" path skipped: it answered about 20 times faster, which told an attacker
    the address was taken. Hashing the typed password (and throwing the hash away) gives both
    paths the same work; bench/bench_auth_timing.py measures it.
    """

    name = certificate_name_field(help_text=NAME_HELP)
    field_order = ["name", "email", "password1", "password2"]

    def clean_name(self):
        # Required, so never blank here; runs of spaces are typing slips.
        return " ".join(self.cleaned_data["name"].split())

    def signup(self, request, user):
        """Called by allauth once the user is saved (``custom_signup``)."""
        services.set_certificate_name(user, self.cleaned_data["name"])

    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class LanguageForm(forms.Form):
    """The account page's "Language": the interface's language, among those the site offers."""

    language = forms.ChoiceField(label=_("Language of the site"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (code, translation.get_language_info(code)["name_local"].capitalize())
            for code, _name in settings.LANGUAGES
        ]
