"""The page where a person closes their own account (``cms.erasure``).

It shows, from the registry and their own records, what will be deleted and what must be
kept and why, then asks for their password and an "I understand". Their password is asked
even for staff who use two-step sign-in: they have already used their second step to sign
in, and the password shows the person at the keyboard is them. allauth checks it, so its
limit on wrong passwords applies here too.
"""

from allauth.account.adapter import get_adapter
from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import erasure
from .forms import ClearRequiredMessages
from .refusals import Refused


class CloseAccountForm(ClearRequiredMessages, forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )
    understood = forms.BooleanField(
        label="I understand that closing my account cannot be undone",
        error_messages={"required": "Tick the box to say you understand"},
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def clean_password(self):
        password = self.cleaned_data["password"]
        # allauth's check counts wrong passwords against its sign-in limit, and says so
        # when there have been too many.
        if not get_adapter().reauthenticate(self.person, password):
            raise ValidationError("The password is not right. Check it and try again.")
        return password


@login_required
@require_http_methods(["GET", "POST"])
def close_account(request):
    person = request.user
    form = CloseAccountForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            closure = erasure.close_account(person, by=person, reason=erasure.SELF_REASON)
        except Refused as refusal:
            form.add_error(None, refusal.message)
        else:
            logout(request)
            # Shown here, not after a redirect: there is no session left to show it in.
            return render(
                request,
                "cms/close_account/closed.html",
                {"closure": closure, "contact_path": erasure.CONTACT_PATH},
            )
    return render(
        request,
        "cms/close_account/confirm.html",
        {
            "form": form,
            **erasure.by_fate(erasure.what_closing_does(person)),
            "contact_path": erasure.CONTACT_PATH,
        },
    )
