"""``python manage.py send_action_reminders [--as-of YYYY-MM-DD] [--dry-run]``: the daily reminders (SPEC section 9)."""

import logging
from datetime import date

import pghistory
from django.core.mail import EmailMessage, InvalidMailer, mailers
from django.core.management.base import BaseCommand, CommandError
from django.db import connection as database
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format

from reviews.reminders import ReminderSent, reminders

logger = logging.getLogger("reviews.reminders")

# One run at a time (a session-level advisory lock): two overlapping runs would both send before either records.
ADVISORY_LOCK = 7_242_002
TEMPLATE = "reviews/email/action_reminder.txt"


def as_of_day(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of {value!r}: give a date as YYYY-MM-DD, e.g. 2011-03-31.") from None


def subject(reminder):
    parts = []
    if reminder.overdue:
        parts.append(f"{len(reminder.overdue)} overdue")
    if reminder.due_soon:
        parts.append(f"{len(reminder.due_soon)} due by {date_format(reminder.due_by, 'j F Y')}")
    return "SCR Register action plans: " + " and ".join(parts)


def message(reminder):
    """The plain-text email of one reminder."""
    user = reminder.user
    body = render_to_string(TEMPLATE, {"reminder": reminder, "name": user.get_full_name() or user.get_username()})
    return EmailMessage(subject(reminder), body, to=[user.email])


class Command(BaseCommand):
    help = (
        "Email each board staff user one list of the open actions of the reviews their boards lead that are "
        "overdue or due within 14 days of --as-of (default today). Once per user and day: what was sent is "
        "recorded, so running again sends only what is still unsent. A failed send is reported (exit status 1) "
        "and retried by the next run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=as_of_day, metavar="YYYY-MM-DD", help="the day to count on (default today)")
        parser.add_argument("--dry-run", action="store_true", help="print the emails; send and record nothing")

    def handle(self, *args, as_of=None, dry_run=False, **options):
        as_of = as_of or timezone.localdate()
        with database.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK])
            if not cursor.fetchone()[0]:
                raise CommandError("Another send_action_reminders is running: nothing sent. Try again when it ends.")
        try:
            due = reminders(as_of)
            unaddressed = [r for r in due if not r.user.email]
            for reminder in unaddressed:
                self._no_address(reminder)
            due = [r for r in due if r.user.email]
            if dry_run:
                self._print(due, as_of)
                return
            failed = self._send(due, as_of)
        finally:
            with database.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])
        if failed:
            raise CommandError(f"{failed} of {len(due)} reminders could not be sent; the next run retries them.")

    def _send(self, due, as_of):
        """Send each reminder over one connection, recording each right after it went; return the failures."""
        failed = 0
        try:
            mail = mailers.default
        except InvalidMailer as error:
            raise CommandError(f"Mail is not set up (EMAIL_URL): {error}. Nothing sent.") from None
        try:
            for reminder in due:
                user = reminder.user
                try:
                    mail.open()  # once: later sends reuse it (after a failure, a fresh one)
                    mail.send_messages([message(reminder)])
                # Whatever the backend raises (SMTP refusals, network, TLS, file errors) fails this user only:
                # reported and left unrecorded, so the next run retries it.
                except Exception as error:
                    failed += 1
                    self.stderr.write(f"Not sent to {user.get_username()} <{user.email}>: {error}")
                    logger.error("Action reminder not sent to user %s for %s: %s", user.pk, as_of, error)
                    self._close(mail)
                    continue
                with pghistory.context(source="send_action_reminders"):
                    ReminderSent.objects.create(user=user, as_of=as_of, email=user.email, actions=reminder.actions)
                self.stdout.write(
                    f"Sent {reminder.actions} actions ({len(reminder.overdue)} overdue) to "
                    f"{user.get_username()} <{user.email}>."
                )
        finally:
            self._close(mail)
        sent = len(due) - failed
        self.stdout.write(f"{sent} reminder{'s' if sent != 1 else ''} sent for {as_of:%Y-%m-%d}.")
        logger.info("Action reminders for %s: %s sent, %s failed", as_of, sent, failed)
        return failed

    def _close(self, mail):
        try:
            mail.close()
        # A connection that broke may fail to close too; the next open() starts afresh either way.
        except Exception as error:
            logger.warning("Closing the mail connection failed: %s", error)

    def _no_address(self, reminder):
        user = reminder.user
        self.stderr.write(
            f"Not sent to {user.get_username()}: no email address ({reminder.actions} actions due). "
            f"Set one with: manage.py adduser {user.get_username()} --update --email ADDRESS ..."
        )
        logger.warning("Action reminder not sent to user %s: no email address", user.pk)

    def _print(self, due, as_of):
        for reminder in due:
            email = message(reminder)
            self.stdout.write(f"To: {', '.join(email.to)}\nSubject: {email.subject}\n\n{email.body}\n")
        self.stdout.write(
            f"Dry run: {len(due)} reminders for {as_of:%Y-%m-%d} would be sent; nothing sent or recorded."
        )
