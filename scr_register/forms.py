"""The sign-in form: Django's, with GOV.UK's wording (its fields render through govuk.forms' renderer)."""

from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK's wording: no autofocus, one error linked to the username."""

    non_field_error_anchor = "id_username"
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account cannot sign in. Ask a service administrator for help.",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].widget.attrs["spellcheck"] = "false"
        self.fields["username"].widget.attrs["class"] = "govuk-input--width-20"
        self.fields["password"].widget.attrs["class"] = "govuk-input--width-20"
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
