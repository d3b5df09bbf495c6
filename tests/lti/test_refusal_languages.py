"""The LTI registration's and a refused enrollment's words follow the reader's language
(README, "Languages")."""

import pytest
from django.utils import translation

from lti.launch import Refused
from lti.registration import register

pytestmark = pytest.mark.django_db


def test_a_refused_registration_says_why_in_french():
    with translation.override("fr"), pytest.raises(Refused) as refused:
        register("not-an-invite", "https://lms.example.edu/.well-known/openid", "", {}, "Ringlet")
    assert refused.value.title == "Ce lien d\u2019enregistrement n\u2019est pas valide"
    assert refused.value.message.startswith(
        "Le lien est inconnu, d\u00e9j\u00e0 utilis\u00e9 ou expir\u00e9."
    )
