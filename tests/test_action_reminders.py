"""``manage.py send_action_reminders`` (SPEC section 9): who is told of which actions, once a day, and failures
retried. Mail goes to Django's in-memory backend (``mail.outbox``), as in every test.

As of D = 31 March 2011 (due soon: on or before 14 April 2011), Birmingham leads one submitted review:

action  due         status       completed   in the reminder
b1      2011-03-30  not_started  -           overdue
b2      2011-03-31  in_progress  -           due soon (due on D is not overdue)
b3      2011-04-14  not_started  -           due soon (D + 14, the last day)
b4      2011-04-15  not_started  -           no (D + 15)
b5      2011-03-01  completed    2011-03-31  no (completed on D)
b6      2011-03-20  completed    2011-04-02  overdue (completed after D: still open on D)
b7      2011-03-01  withdrawn    -           no
and a draft review with an overdue action (no); Coventry leads a review Birmingham contributed to, with one
overdue action (c1): Coventry's staff are told of it, Birmingham's are not.
"""

import datetime
import io
import re
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from reviews.management.commands import send_action_reminders
from reviews.models import Review
from reviews.reminders import ReminderSent, reminders
from tests.connections import second_session
from tests.factories import ActionFactory, RecommendationFactory, ReviewFactory, UserFactory, board

D = datetime.date
AS_OF = D(2011, 3, 31)
SITE = "https://scr.example.gov.uk"
LISTED = {"b1", "b2", "b3", "b6"}
EVERYONE = ["both@example.org", "cat@example.org", "sam@example.org"]


def plan(review, *rows):
    recommendation = RecommendationFactory(review=review, number=2)
    for number, (name, due, status, completed) in enumerate(rows, start=1):
        ActionFactory(
            recommendation=recommendation,
            number=number,
            description=f"Action {name}: share the chronology & the <referral> record.",
            due_date=due,
            status=status,
            completed_date=completed,
            evidence="No longer applies." if status == "withdrawn" else "",
        )


@pytest.fixture
def plans(db):
    birmingham = ReviewFactory(reference="SCR-2010-E08000025-0001", board=board("E08000025"))
    plan(
        birmingham,
        ("b1", D(2011, 3, 30), "not_started", None),
        ("b2", D(2011, 3, 31), "in_progress", None),
        ("b3", D(2011, 4, 14), "not_started", None),
        ("b4", D(2011, 4, 15), "not_started", None),
        ("b5", D(2011, 3, 1), "completed", D(2011, 3, 31)),
        ("b6", D(2011, 3, 20), "completed", D(2011, 4, 2)),
        ("b7", D(2011, 3, 1), "withdrawn", None),
    )
    draft = ReviewFactory(board=board("E08000025"), status=Review.Status.DRAFT, submitted_date=None)
    plan(draft, ("d1", D(2011, 1, 1), "not_started", None))
    coventry = ReviewFactory(reference="SCR-2010-E08000026-0001", board=board("E08000026"))
    coventry.contributions.create(board=board("E08000025"))
    plan(coventry, ("c1", D(2011, 2, 1), "not_started", None))
    return {"birmingham": birmingham, "coventry": coventry}


@pytest.fixture
def staff(db):
    return {
        "sam": UserFactory(username="sam", role="board_staff", boards=["E08000025"], email="sam@example.org"),
        "cat": UserFactory(username="cat", role="board_staff", boards=["E08000026"], email="cat@example.org"),
        "both": UserFactory(
            username="both", role="board_staff", boards=["E08000025", "E08000026"], email="both@example.org"
        ),
    }


def send(*args, as_of=AS_OF):
    """Run the command for ``as_of``; return (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with override_settings(SITE_URL=SITE):
        call_command("send_action_reminders", "--as-of", f"{as_of:%Y-%m-%d}", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def listed(message):
    """The action names (b1, c1...) an email lists."""
    return set(re.findall(r"^Action (\w\d):", message.body, flags=re.MULTILINE))


def recipients():
    return sorted(message.to[0] for message in mail.outbox)


def outbox_by_recipient():
    return {message.to[0]: message for message in mail.outbox}


# Who gets what -----------------------------------------------------------------------------------------


def test_each_board_staff_user_gets_one_email_of_the_open_actions_their_boards_lead(plans, staff):
    send()

    emails = outbox_by_recipient()
    assert len(mail.outbox) == 3
    assert listed(emails["sam@example.org"]) == LISTED  # not c1: Birmingham only contributed to that review
    assert listed(emails["cat@example.org"]) == {"c1"}
    assert listed(emails["both@example.org"]) == LISTED | {"c1"}  # one email for both boards


@pytest.mark.parametrize(
    ("due", "status", "completed", "is_listed"),
    [
        (D(2011, 3, 30), "not_started", None, True),  # overdue
        (D(2011, 3, 31), "in_progress", None, True),  # due on D
        (D(2011, 4, 14), "not_started", None, True),  # due on D + 14
        (D(2011, 4, 15), "in_progress", None, False),  # due on D + 15
        (D(2011, 3, 1), "completed", D(2011, 3, 31), False),  # completed on D
        (D(2011, 3, 1), "completed", D(2011, 4, 1), True),  # completed after D: open on D
        (D(2011, 3, 1), "withdrawn", None, False),
    ],
)
def test_the_due_soon_boundary_is_d_plus_14_and_completed_or_withdrawn_actions_are_left_out(
    db, staff, due, status, completed, is_listed
):
    plan(ReviewFactory(board=board("E08000025")), ("x1", due, status, completed))

    sam = [reminder for reminder in reminders(AS_OF) if reminder.user == staff["sam"]]

    assert bool(sam) is is_listed


def test_actions_of_draft_reviews_are_never_listed(db, staff):
    draft = ReviewFactory(board=board("E08000025"), status=Review.Status.DRAFT, submitted_date=None)
    plan(draft, ("d1", D(2011, 1, 1), "not_started", None))

    send()

    assert mail.outbox == []


def test_inspectors_managers_and_inactive_board_staff_get_nothing(plans):
    UserFactory(username="ines", role="inspector", email="ines@example.org")
    UserFactory(username="max", role="manager", email="max@example.org")
    UserFactory(username="gone", role="board_staff", boards=["E08000025"], email="gone@example.org", is_active=False)

    send()

    assert mail.outbox == []


def test_the_email_is_plain_text_with_each_actions_details_and_a_link_to_its_plan_page(plans, staff):
    send()

    message = outbox_by_recipient()["sam@example.org"]
    assert message.subject == "SCR Register action plans: 2 overdue and 2 due by 14 April 2011"
    assert message.message().get_content_type() == "text/plain"  # one plain-text part, no HTML
    body = message.body
    assert "Dear sam," in body
    assert "Overdue (2):" in body
    assert "Due by 14 April 2011 (2):" in body
    # Overdue first, then due soon, each in due-date order.
    assert [body.index(f"Action {name}:") for name in ["b6", "b1", "b2", "b3"]] == sorted(
        body.index(f"Action {name}:") for name in ["b6", "b1", "b2", "b3"]
    )
    assert (
        "SCR-2010-E08000025-0001, recommendation 2, action 1\n"
        "Action b1: share the chronology & the <referral> record.\n"  # as typed: no HTML escaping
        "Due 30 March 2011. Status: Not started.\n"
        f"{SITE}/reviews/{plans['birmingham'].pk}/actions/\n"
    ) in body
    assert "Due 31 March 2011. Status: In progress." in body
    assert "&amp;" not in body and "&lt;" not in body
    assert "once a day while your boards have actions overdue or due\nwithin 14 days." in body


def test_nothing_is_sent_when_no_action_is_due(staff):
    out, err = send()

    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    assert "0 reminders sent for 2011-03-31." in out
    assert err == ""


def test_a_user_without_an_email_address_is_skipped_and_reported(plans, staff, caplog):
    UserFactory(username="noah", role="board_staff", boards=["E08000025"], email="")

    out, err = send()

    assert recipients() == EVERYONE
    assert "Not sent to noah: no email address (4 actions due)." in err
    assert "no email address" in caplog.text
    assert not ReminderSent.objects.filter(user__username="noah").exists()


def test_finding_who_to_remind_costs_three_queries_whatever_the_number_of_users(
    plans, staff, django_assert_num_queries
):
    for n in range(5):
        UserFactory(role="board_staff", boards=["E08000025", "E08000026"], email=f"user{n}@example.org")

    with django_assert_num_queries(3), override_settings(SITE_URL=SITE):
        due = reminders(AS_OF)

    assert len(due) == 8


# Once a day, resumed after a crash, failures retried ---------------------------------------------------


def test_running_again_for_the_same_day_sends_nothing_more(plans, staff):
    send()
    assert len(mail.outbox) == 3
    assert set(ReminderSent.objects.values_list("user__username", "as_of", "actions")) == {
        ("sam", AS_OF, 4),
        ("cat", AS_OF, 1),
        ("both", AS_OF, 5),
    }

    out, _ = send()

    assert len(mail.outbox) == 3
    assert ReminderSent.objects.count() == 3
    assert "0 reminders sent" in out


def test_the_next_day_lists_the_still_open_actions_again(plans, staff):
    send()
    mail.outbox.clear()

    send(as_of=AS_OF + datetime.timedelta(days=1))

    # The same open actions again, and b4 (due 15 April) now within the 14 days.
    assert listed(outbox_by_recipient()["sam@example.org"]) == LISTED | {"b4"}
    assert len(mail.outbox) == 3
    assert ReminderSent.objects.count() == 6


class Crash(BaseException):
    """The process dying half way (not an error the command handles)."""


class CrashOnSecond(EmailBackend):
    sent = 0

    def send_messages(self, messages):
        CrashOnSecond.sent += 1
        if CrashOnSecond.sent == 2:
            raise Crash
        return super().send_messages(messages)


def test_a_run_that_dies_half_way_is_resumed_without_repeating_what_went(plans, staff):
    CrashOnSecond.sent = 0
    with override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.CrashOnSecond"}}), pytest.raises(Crash):
        send()
    first = mail.outbox[0].to[0]
    assert list(ReminderSent.objects.values_list("email", flat=True)) == [first]  # recorded as soon as it went

    send()

    assert recipients() == EVERYONE


class RefusesCat(EmailBackend):
    def send_messages(self, messages):
        if any("cat@example.org" in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({"cat@example.org": (550, b"Mailbox unavailable")})
        return super().send_messages(messages)


def test_a_failed_send_is_reported_and_retried_by_the_next_run_while_the_others_are_recorded(plans, staff, caplog):
    err = io.StringIO()
    refusing = override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.RefusesCat"}}, SITE_URL=SITE)
    with refusing, pytest.raises(CommandError, match="1 of 3 reminders could not be sent; the next run retries them"):
        call_command("send_action_reminders", "--as-of", "2011-03-31", stdout=io.StringIO(), stderr=err)

    assert "Not sent to cat <cat@example.org>:" in err.getvalue()
    assert "Mailbox unavailable" in err.getvalue()
    assert "not sent to user" in caplog.text
    assert set(ReminderSent.objects.values_list("user__username", flat=True)) == {"sam", "both"}
    assert recipients() == ["both@example.org", "sam@example.org"]

    send()

    assert recipients() == EVERYONE
    assert set(ReminderSent.objects.values_list("user__username", flat=True)) == {"sam", "both", "cat"}


def test_a_dry_run_prints_the_emails_and_sends_and_records_nothing(plans, staff):
    out, _ = send("--dry-run")

    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    assert "To: sam@example.org\nSubject: SCR Register action plans: 2 overdue and 2 due by 14 April 2011" in out
    assert f"{SITE}/reviews/{plans['coventry'].pk}/actions/" in out
    assert "Dry run: 3 reminders for 2011-03-31 would be sent; nothing sent or recorded." in out


def test_what_was_sent_is_in_the_audit_trail(plans, staff):
    from reviews.models import ReminderSentEvent

    send()

    event = ReminderSentEvent.objects.get(user__username="sam")
    assert (event.pgh_label, event.as_of, event.email, event.actions) == ("insert", AS_OF, "sam@example.org", 4)
    assert event.pgh_context.metadata["source"] == "send_action_reminders"


@pytest.mark.parametrize("value", ["31/03/2011", "2011-02-30", "tomorrow"])
def test_a_malformed_as_of_is_refused(db, value):
    with pytest.raises(CommandError, match="give a date as YYYY-MM-DD"):
        call_command("send_action_reminders", "--as-of", value)


def test_a_second_run_while_one_is_sending_stops_and_sends_nothing(plans, staff):
    other = second_session(autocommit=True)
    try:
        other.cursor().execute("SELECT pg_advisory_lock(%s)", [send_action_reminders.ADVISORY_LOCK])
        with pytest.raises(CommandError, match="Another send_action_reminders is running: nothing sent"):
            send()
        # The other run ends and gives its lock back (closing its connection alone returns before the server has
        # ended that session and freed the lock, so the next run could still find it taken).
        other.cursor().execute("SELECT pg_advisory_unlock(%s)", [send_action_reminders.ADVISORY_LOCK])
    finally:
        other.close()

    assert mail.outbox == []
    assert not ReminderSent.objects.exists()
    send()
    assert recipients() == EVERYONE  # the lock was given back


class CountsConnections(EmailBackend):
    """Opens a connection as the SMTP backend does: only when none is open; a refusal for cat breaks it."""

    opened = 0

    def open(self):
        if getattr(self, "connected", False):
            return False
        CountsConnections.opened += 1
        self.connected = True
        return True

    def close(self):
        self.connected = False

    def send_messages(self, messages):
        assert self.connected, "sent without an open connection"
        if any("cat@example.org" in message.to for message in messages):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_one_connection_carries_every_email_and_a_fresh_one_follows_a_failure(plans, staff):
    UserFactory(username="zoe", role="board_staff", boards=["E08000025"], email="zoe@example.org")
    CountsConnections.opened = 0

    counting = override_settings(MAILERS={"default": {"BACKEND": f"{__name__}.CountsConnections"}})
    with counting, pytest.raises(CommandError, match="1 of 4 reminders could not be sent"):
        send()

    # both, cat (refused: the connection is dropped), sam and zoe: one connection before the failure, one after.
    assert CountsConnections.opened == 2
    assert recipients() == ["both@example.org", "sam@example.org", "zoe@example.org"]
