"""`manage.py adduser USERNAME --role ROLE [--board GSS ...] [--update]` (SPEC section 5)."""

import io
import sys

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from reviews.management.commands import adduser
from reviews.models import Board
from reviews.roles import role_of
from tests.factories import UserFactory

PASSWORD = "plum-orchard-lantern-61"


def add(*args, password=PASSWORD):
    """Run adduser with ``password`` on standard input, as a script would pipe it; return its output."""
    out = io.StringIO()
    call_command("adduser", *args, stdin=io.StringIO(f"{password}\n"), stdout=out)
    return out.getvalue()


def user_state(username):
    user = User.objects.filter(username=username).first()
    if user is None:
        return None
    return (role_of(user), sorted(user.boards.values_list("gss_code", flat=True)), user.is_staff)


@pytest.mark.parametrize(
    ("role", "superuser", "groups"),
    [("inspector", False, ["inspector"]), ("manager", False, ["manager"]), ("admin", True, [])],
)
def test_adduser_gives_each_role_its_group_or_superuser(db, role, superuser, groups):
    output = add("pat", "--role", role)

    user = User.objects.get(username="pat")
    assert role_of(user) == role
    assert sorted(user.groups.values_list("name", flat=True)) == groups
    assert user.is_superuser is superuser
    assert user.is_staff is superuser
    assert not user.boards.exists()
    assert f"Created {role} user 'pat'" in output


def test_board_staff_are_linked_to_every_board_named(db):
    output = add("sam", "--role", "board_staff", "--board", "E08000025", "--board", "e08000026")

    user = User.objects.get(username="sam")
    assert role_of(user) == "board_staff"
    assert sorted(user.boards.values_list("gss_code", flat=True)) == ["E08000025", "E08000026"]
    assert not user.is_staff and not user.is_superuser
    assert "Birmingham (E08000025), Coventry (E08000026)" in output


def test_the_password_is_the_first_line_of_standard_input(db):
    add("pat", "--role", "manager", password="first line of the input\nsecond line")

    user = User.objects.get(username="pat")
    assert user.check_password("first line of the input")
    assert user.is_active


def test_the_password_is_prompted_twice_at_a_terminal(db, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(adduser.getpass, "getpass", lambda prompt="": next(answers))
    call_command("adduser", "pat", "--role", "inspector", stdin=Terminal(), stdout=io.StringIO())

    assert User.objects.get(username="pat").check_password(PASSWORD)


def test_two_different_passwords_at_the_terminal_write_nothing(db, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(adduser.getpass, "getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="did not match"):
        call_command("adduser", "pat", "--role", "inspector", stdin=Terminal())

    assert not User.objects.filter(username="pat").exists()


@pytest.mark.parametrize("role", ["inspector", "manager", "admin"])
def test_board_with_a_role_other_than_board_staff_is_an_error(db, role):
    with pytest.raises(CommandError, match=f"--board is only for the board_staff role, not {role}"):
        add("pat", "--role", role, "--board", "E08000025")

    assert user_state("pat") is None


def test_board_staff_without_a_board_is_an_error(db):
    with pytest.raises(CommandError, match="needs at least one board"):
        add("pat", "--role", "board_staff")

    assert user_state("pat") is None


def test_an_unknown_role_is_named_in_the_error_and_nothing_is_written(db):
    with pytest.raises(CommandError, match="Unknown role 'inspecter'. Choose one of: board_staff, inspector"):
        add("pat", "--role", "inspecter")

    assert user_state("pat") is None


def test_an_unknown_board_is_named_with_close_matches_and_nothing_is_written(db):
    with pytest.raises(CommandError) as error:
        add("pat", "--role", "board_staff", "--board", "E08000025", "--board", "E0800026", "--board", "Durham")

    message = str(error.value)
    assert "Unknown board 'E0800026'. Did you mean E08000026 (Coventry)" in message
    assert "Unknown board 'Durham'. Did you mean E06000047 (County Durham) or E10000010 (Durham)?" in message
    assert "E08000025" not in message  # the good code is not reported
    assert user_state("pat") is None
    assert not Board.objects.filter(members__username="pat").exists()


def test_an_existing_username_is_an_error_without_update(db):
    UserFactory(username="pat", role="manager")

    with pytest.raises(CommandError, match="A user called 'pat' already exists. Add --update"):
        add("pat", "--role", "admin")

    user = User.objects.get(username="pat")
    assert role_of(user) == "manager"
    assert user.check_password("correct horse battery staple")


def test_update_resets_role_boards_and_password(db):
    UserFactory(username="pat", role="board_staff", boards=["E08000025", "E08000026"])

    add("pat", "--role", "board_staff", "--board", "E08000027", "--update", password="a-new-long-passphrase")
    assert user_state("pat") == ("board_staff", ["E08000027"], False)

    add("pat", "--role", "inspector", "--update", password="another-long-passphrase")
    user = User.objects.get(username="pat")
    assert user_state("pat") == ("inspector", [], False)
    assert list(user.groups.values_list("name", flat=True)) == ["inspector"]
    assert user.check_password("another-long-passphrase")

    add("pat", "--role", "admin", "--update")
    assert user_state("pat") == ("admin", [], True)
    assert not User.objects.get(username="pat").groups.exists()


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-pass", "too short. It must contain at least 12 characters"),
        ("password1234", "too common"),
        ("804711239054", "entirely numeric"),
        ("pat-the-inspector", "too similar to the username"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason_and_nothing_is_written(db, password, reason):
    with pytest.raises(CommandError, match="That password was refused") as error:
        add("pat-the-inspector", "--role", "inspector", password=password)

    assert reason in str(error.value)
    assert user_state("pat-the-inspector") is None


def test_a_weak_password_on_update_leaves_the_user_as_they_were(db):
    UserFactory(username="pat", role="manager")

    with pytest.raises(CommandError, match="refused"):
        add("pat", "--role", "admin", "--update", password="short")

    assert user_state("pat") == ("manager", [], False)
    assert User.objects.get(username="pat").check_password("correct horse battery staple")


def test_an_empty_standard_input_is_an_error(db):
    with pytest.raises(CommandError, match="No password on standard input"):
        add("pat", "--role", "manager", password="")


def test_errors_exit_non_zero_with_the_message_on_stderr(db, monkeypatch, capsys):
    # run_from_argv is what `manage.py adduser` runs; keep the test's connection open after it, and leave
    # the system checks (which open every database alias) to `manage.py check`.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))

    with pytest.raises(SystemExit) as exit_:
        adduser.Command().run_from_argv(["manage.py", "adduser", "pat", "--role", "boss", "--skip-checks"])

    assert exit_.value.code != 0
    assert "Unknown role 'boss'" in capsys.readouterr().err
    assert user_state("pat") is None


def test_writes_run_inside_an_adduser_audit_context(db, monkeypatch):
    from pghistory.runtime import _tracker

    seen = []
    original = adduser.assign_role

    def spy(user, **kwargs):
        seen.append(getattr(_tracker, "value", None))
        return original(user, **kwargs)

    monkeypatch.setattr(adduser, "assign_role", spy)
    add("pat", "--role", "manager")

    assert seen[0] is not None
    assert seen[0].metadata == {"source": "adduser"}


# --email (SPEC section 5): where the action-plan reminders go ------------------------------------------


def test_email_sets_where_the_users_mail_goes(db):
    output = add("sam", "--role", "board_staff", "--board", "E08000025", "--email", "sam@Birmingham.GOV.UK")

    assert User.objects.get(username="sam").email == "sam@birmingham.gov.uk"
    assert "mail to sam@birmingham.gov.uk" in output


def test_update_with_email_changes_it_and_update_without_keeps_it(db):
    UserFactory(username="sam", role="board_staff", boards=["E08000025"], email="old@example.org")

    add("sam", "--role", "board_staff", "--board", "E08000025", "--update", "--email", "new@example.org")
    assert User.objects.get(username="sam").email == "new@example.org"

    add("sam", "--role", "board_staff", "--board", "E08000026", "--update")
    assert User.objects.get(username="sam").email == "new@example.org"

    add("sam", "--role", "board_staff", "--board", "E08000026", "--update", "--email", "")
    assert User.objects.get(username="sam").email == ""


@pytest.mark.parametrize("address", ["sam", "sam@", "@example.org", "sam@example", "sam example@example.org"])
def test_an_invalid_email_is_refused_and_nothing_is_written(db, address):
    with pytest.raises(CommandError, match="is not an email address: give one like name@example.org"):
        add("sam", "--role", "board_staff", "--board", "E08000025", "--email", address)

    assert user_state("sam") is None


def test_an_invalid_email_on_update_leaves_the_user_as_they_were(db):
    UserFactory(username="sam", role="board_staff", boards=["E08000025"], email="sam@example.org")

    with pytest.raises(CommandError, match="not an email address"):
        add("sam", "--role", "inspector", "--update", "--email", "not-an-address", password="a-new-long-passphrase")

    user = User.objects.get(username="sam")
    assert user_state("sam") == ("board_staff", ["E08000025"], False)
    assert user.email == "sam@example.org"
    assert user.check_password("correct horse battery staple")
