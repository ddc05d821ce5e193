from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address"), Email("Enter an email address like name@example.nhs.uk"), Length(max=254)],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=200)])


def email_refusal(address: str) -> str | None:
    """Why the sign-in form would refuse this address (None: it would take it), so an
    account is never made with an address its owner could not sign in with."""
    form = LoginForm(formdata=MultiDict({"email": address}), meta={"csrf": False})
    form.email.validate(form)
    return form.email.errors[0] if form.email.errors else None
