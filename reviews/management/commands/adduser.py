"""`python manage.py adduser USERNAME --role ROLE [--board GSS ...] [--email ADDRESS] [--update]` (SPEC section 5)."""

import difflib
import getpass
import sys

import pghistory
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from reviews import roles
from reviews.accounts import assign_role
from reviews.models import Board


class Command(BaseCommand):
    help = (
        "Create a user with one role: board_staff (with --board GSS for each of their boards), inspector, "
        "manager or admin (a superuser). The password is read from standard input when it is not a terminal "
        "(the first line), else prompted for twice. --email sets where their mail (the action-plan reminders) goes. "
        "--update resets an existing user's role, boards and password, and their address when --email is given."
    )
    # call_command(..., stdin=StringIO("...")) in tests, as Django's createsuperuser does.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="board_staff, inspector, manager or admin")
        parser.add_argument(
            "--board",
            action="append",
            default=[],
            metavar="GSS",
            help="GSS code of a board the user works for (repeatable; board_staff only), e.g. E08000025",
        )
        parser.add_argument(
            "--email",
            metavar="ADDRESS",
            help="the user's email address, for the action-plan reminders (with --update, '' removes it)",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="reset an existing user's role, boards and password instead of refusing",
        )

    def execute(self, *args, **options):
        self.stdin = options.get("stdin", sys.stdin)
        return super().execute(*args, **options)

    def handle(self, *args, username, role, board, update, email=None, **options):
        User = get_user_model()
        username = username.strip()
        if not username:
            raise CommandError("The username must not be blank.")
        if role not in roles.ROLES:
            raise CommandError(f"Unknown role {role!r}. Choose one of: {', '.join(roles.ROLES)}.")
        if board and role != roles.BOARD_STAFF:
            raise CommandError(f"--board is only for the board_staff role, not {role}: leave it out.")
        if role == roles.BOARD_STAFF and not board:
            raise CommandError(
                "A board_staff user needs at least one board: add --board GSS (e.g. --board E08000025), "
                "or they would see nothing."
            )
        boards = self._boards(board)
        email = self._email(email)

        existing = User.objects.filter(username=username).first()
        if existing and not update:
            raise CommandError(f"A user called {username!r} already exists. Add --update to reset their role.")
        user = existing or User(username=username)
        if not existing:
            try:
                User._meta.get_field("username").run_validators(username)
            except ValidationError as error:
                raise CommandError(f"Username {username!r}: {' '.join(error.messages)}") from None

        password = self._read_password()
        try:
            validate_password(password, user=user)
        except ValidationError as error:
            raise CommandError(
                "That password was refused:\n" + "\n".join(f"  - {message}" for message in error.messages)
            ) from None

        with transaction.atomic(), pghistory.context(source="adduser"):
            user.set_password(password)
            user.is_active = True
            if email is not None:
                user.email = email
            user.save()
            assign_role(user, role=role, boards=boards)

        action = "Updated" if existing else "Created"
        where = f" for {', '.join(str(b) for b in boards)}" if boards else ""
        mail = f", mail to {user.email}" if user.email else ""
        self.stdout.write(self.style.SUCCESS(f"{action} {role} user {username!r}{where}{mail}."))

    @staticmethod
    def _email(address):
        """The address given, checked (None when --email is not given: an update keeps the one the user has)."""
        if address is None:
            return None
        address = address.strip()
        if address:
            try:
                validate_email(address)
            except ValidationError:
                raise CommandError(
                    f"--email {address!r} is not an email address: give one like name@example.org."
                ) from None
        return get_user_model().objects.normalize_email(address)

    def _boards(self, codes):
        """The boards named by GSS code, in the order given; every unknown code is reported at once."""
        wanted = [code.strip().upper() for code in codes]
        found = {b.gss_code: b for b in Board.objects.filter(gss_code__in=wanted)}
        unknown = [(typed, code) for typed, code in zip(codes, wanted, strict=True) if code not in found]
        if unknown:
            all_boards = list(Board.objects.values_list("gss_code", "name"))
            lines = [f"Unknown board {typed!r}.{self._suggest(code, all_boards)}" for typed, code in unknown]
            raise CommandError("\n".join(lines) + "\nBoards are named by the GSS code of their authority.")
        return list(dict.fromkeys(found[code] for code in wanted))

    @staticmethod
    def _suggest(code, all_boards):
        """' Did you mean ...?' from codes that look alike or names that match what was typed."""
        by_code = dict(all_boards)
        close = difflib.get_close_matches(code, list(by_code), n=3, cutoff=0.75)
        typed = code.casefold()
        close += [gss for gss, name in all_boards if typed and typed in name.casefold() and gss not in close][:5]
        if not close:
            return ""
        return " Did you mean " + " or ".join(f"{gss} ({by_code[gss]})" for gss in close) + "?"

    def _read_password(self):
        if hasattr(self.stdin, "isatty") and not self.stdin.isatty():
            password = self.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input: give it as the first line.")
            return password
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords did not match; nothing was changed.")
        if not password:
            raise CommandError("The password must not be blank.")
        return password
