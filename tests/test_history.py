"""The audit trail: every write is kept with who made it, and a review's history page says it in words."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from pghistory.models import Context

from reviews.models import (
    ActionEvent,
    AgencyInvolvementEvent,
    Child,
    ChildEvent,
    ContributionEvent,
    DocumentEvent,
    EvaluationEvent,
    FindingEvent,
    ReadEvent,
    RecommendationEvent,
    ReminderSent,
    ReminderSentEvent,
    Review,
    ReviewEvent,
)
from tests.factories import (
    ActionFactory,
    ChildFactory,
    DocumentFactory,
    EvaluationFactory,
    FindingFactory,
    RecommendationFactory,
    ReviewFactory,
    UserFactory,
)
from tests.review_pages import ORIGIN, child_row, edit_data, edit_url, review_data, text_of


def history_url(review):
    return reverse("reviews:history", args=[review.pk])


@pytest.fixture
def alex(birmingham):
    return UserFactory(username="alex", first_name="Alex", last_name="Smith", role="board_staff", boards=["E08000025"])


@pytest.fixture
def signed_in(client, alex):
    client.force_login(alex)
    return client


@pytest.fixture
def draft(birmingham):
    review = ReviewFactory(
        board=birmingham,
        status=Review.Status.DRAFT,
        submitted_date=None,
        completed_date=datetime.date(2008, 6, 1),
        summary="First summary.",
    )
    ChildFactory(review=review, pseudonym="Child A")
    ChildFactory(review=review, pseudonym="Child B")
    return review


# Rows written ------------------------------------------------------------------------------------------


def test_a_review_logged_through_the_page_is_recorded_with_the_user_and_the_address(signed_in, alex, birmingham):
    signed_in.post("/reviews/new/", review_data(birmingham, children=[child_row("Child A")]), headers=ORIGIN)
    review = Review.objects.get()
    event = ReviewEvent.objects.select_related("pgh_context").get(pgh_obj_id=review.pk, pgh_label="insert")
    assert event.pgh_context.metadata["user"] == alex.pk
    assert event.pgh_context.metadata["username"] == "alex"
    assert event.pgh_context.metadata["url"] == "/reviews/new/"
    child_event = ChildEvent.objects.get(review_id=review.pk, pgh_label="insert")
    assert child_event.pgh_context_id == event.pgh_context_id  # one request, one context


def test_an_update_through_the_page_is_recorded_before_and_after(signed_in, alex, draft):
    signed_in.post(edit_url(draft), edit_data(draft, completed=datetime.date(2008, 6, 3)), headers=ORIGIN)
    events = list(ReviewEvent.objects.filter(pgh_obj_id=draft.pk).order_by("pgh_id"))
    assert [e.completed_date for e in events[-2:]] == [datetime.date(2008, 6, 1), datetime.date(2008, 6, 3)]
    assert events[-1].pgh_label == "update"
    assert events[-1].pgh_context.metadata["username"] == "alex"


def test_removing_a_child_through_the_page_records_the_delete(signed_in, draft):
    keep = draft.children.get(pseudonym="Child A")
    gone = draft.children.get(pseudonym="Child B")
    data = edit_data(draft, children=[{"id": str(keep.pk), **child_row("Child A")}])
    assert signed_in.post(edit_url(draft), data, headers=ORIGIN).status_code == 302
    deleted = ChildEvent.objects.get(pgh_obj_id=gone.pk, pgh_label="delete")
    assert deleted.review_id == draft.pk
    assert deleted.pseudonym == "Child B"
    assert deleted.pgh_context.metadata["username"] == "alex"


def test_a_bulk_update_is_recorded_too(draft):
    Review.objects.filter(pk=draft.pk).update(title="Renamed in bulk")
    Child.objects.filter(review=draft).update(outcome="serious_harm")
    assert ReviewEvent.objects.filter(pgh_obj_id=draft.pk, pgh_label="update", title="Renamed in bulk").exists()
    assert ChildEvent.objects.filter(review_id=draft.pk, pgh_label="update", outcome="serious_harm").count() == 2


def test_reading_a_review_and_its_history_is_recorded(signed_in, alex, draft):
    signed_in.get(draft.get_absolute_url())
    signed_in.get(history_url(draft))
    assert sorted(ReadEvent.objects.filter(user=alex, review=draft).values_list("kind", flat=True)) == [
        "history",
        "view",
    ]


# Append-only -------------------------------------------------------------------------------------------

EVENT_MODELS = [
    ReviewEvent,
    ContributionEvent,
    ChildEvent,
    AgencyInvolvementEvent,
    FindingEvent,
    EvaluationEvent,
    RecommendationEvent,
    ActionEvent,
    ReminderSentEvent,
    DocumentEvent,
]


def test_every_history_table_is_covered_by_the_append_only_tests():
    from django.apps import apps
    from pghistory.models import Event

    event_models = {model for model in apps.get_app_config("reviews").get_models() if issubclass(model, Event)}
    assert event_models == set(EVENT_MODELS)


def refused(sql, params=()):
    """True if the database refuses this statement (in a savepoint, so the test goes on)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


@pytest.mark.parametrize("model", EVENT_MODELS, ids=lambda model: model.__name__)
def test_no_sql_can_rewrite_or_delete_a_history_event(model, signed_in, birmingham, coventry):
    signed_in.post("/reviews/new/", review_data(birmingham, children=[child_row("Child A")]), headers=ORIGIN)
    review = Review.objects.get()
    EvaluationFactory(review=review, sequence=1)
    FindingFactory(review=review)
    review.agencies.create(agency="police")
    review.contributions.create(board=coventry)
    ActionFactory(recommendation=RecommendationFactory(review=review))
    ReminderSent.objects.create(user=UserFactory(), as_of=datetime.date(2011, 3, 31), email="a@example.org", actions=1)
    DocumentFactory(review=review)
    table = model._meta.db_table
    assert model.objects.exists()
    count = model.objects.count()
    assert refused(f"UPDATE {table} SET pgh_label = 'insert', pgh_created_at = NOW()")  # noqa: S608
    assert refused(f"DELETE FROM {table}")  # noqa: S608
    assert refused(f"DELETE FROM {table} WHERE pgh_id = %s", [model.objects.first().pk])  # noqa: S608
    # Not even by asking pgtrigger's triggers to step aside.
    every_trigger = "SELECT set_config('pgtrigger.ignore', '{' || string_agg(tgname, ',') || '}', true) FROM pg_trigger"
    assert refused(f"{every_trigger}; DELETE FROM {table}")  # noqa: S608
    assert model.objects.count() == count


def test_no_sql_can_rewrite_or_delete_a_read(signed_in, alex, draft):
    signed_in.get(draft.get_absolute_url())
    read = ReadEvent.objects.get(user=alex, review=draft)
    assert refused("UPDATE reviews_readevent SET kind = 'export', at = NOW() WHERE id = %s", [read.pk])
    assert refused("DELETE FROM reviews_readevent WHERE id = %s", [read.pk])
    assert ReadEvent.objects.get(pk=read.pk).kind == "view"


def test_no_sql_can_delete_an_audit_context_or_rewrite_who_acted(signed_in, alex, draft):
    signed_in.post(edit_url(draft), edit_data(draft, summary="Second summary."), headers=ORIGIN)
    context = ReviewEvent.objects.filter(pgh_obj_id=draft.pk).latest("pgh_id").pgh_context
    assert refused("DELETE FROM pghistory_context WHERE id = %s", [context.pk])
    assert refused(
        "UPDATE pghistory_context SET metadata = jsonb_set(metadata, '{username}', '\"someone\"') WHERE id = %s",
        [context.pk],
    )
    assert refused("UPDATE pghistory_context SET metadata = '{}'::jsonb WHERE id = %s", [context.pk])
    assert Context.objects.get(pk=context.pk).metadata["username"] == "alex"


def test_deleting_a_review_keeps_its_history_and_who_read_it(signed_in, alex, draft):
    signed_in.get(draft.get_absolute_url())
    pk = draft.pk
    draft.delete()
    assert ReviewEvent.objects.filter(pgh_obj_id=pk, pgh_label="delete").exists()
    assert ChildEvent.objects.filter(review_id=pk, pgh_label="delete").count() == 2
    assert ReadEvent.objects.filter(user=alex, review_id=pk, kind="view").exists()


# The history page in words -------------------------------------------------------------------------------


def test_the_history_says_who_changed_what_from_what_to_what(signed_in, draft):
    signed_in.post(edit_url(draft), edit_data(draft, completed=datetime.date(2008, 6, 3)), headers=ORIGIN)
    page = text_of(signed_in.get(history_url(draft)))
    assert "Alex Smith changed the completion date from 1 June 2008 to 3 June 2008" in page


def test_the_history_includes_removed_rows_and_changed_rows(signed_in, draft):
    keep = draft.children.get(pseudonym="Child A")
    data = edit_data(draft, children=[{"id": str(keep.pk), **child_row("Child A", outcome="serious_harm")}])
    signed_in.post(edit_url(draft), data, headers=ORIGIN)
    page = text_of(signed_in.get(history_url(draft)))
    assert "Alex Smith removed Child B" in page
    assert "Alex Smith changed the outcome of Child A from Died to Seriously harmed" in page
    assert "Alex Smith changed whether Child A was known to social care" not in page  # unchanged: not mentioned


def test_long_texts_show_before_and_after_in_full(signed_in, draft):
    signed_in.post(edit_url(draft), edit_data(draft, summary="Second summary."), headers=ORIGIN)
    response = signed_in.get(history_url(draft))
    page = text_of(response)
    assert "Alex Smith changed the summary" in page
    assert "Before First summary. After Second summary." in page
    assert "govuk-details" in response.content.decode()


def test_changes_made_outside_the_website_say_so(signed_in, draft):
    Review.objects.filter(pk=draft.pk).update(title="Renamed in bulk")
    page = text_of(signed_in.get(history_url(draft)))
    assert "A command or a change made directly in the database (not through the website) changed the title" in page
    assert "to Renamed in bulk" in page


def test_changes_made_in_the_django_shell_name_who_ran_it(signed_in, draft, monkeypatch):
    import getpass

    from django.core.management import call_command

    monkeypatch.setattr(getpass, "getuser", lambda: "deploy")
    change = f"from reviews.models import Review; Review.objects.filter(pk={draft.pk}).update(title='Shell title')"
    call_command("shell", command=change)
    page = text_of(signed_in.get(history_url(draft)))
    assert "deploy (with the manage.py shell command) changed the title from" in page


def test_renaming_a_user_leaves_their_past_changes_under_the_name_they_had(signed_in, alex, draft):
    signed_in.post(edit_url(draft), edit_data(draft, completed=datetime.date(2008, 6, 3)), headers=ORIGIN)
    alex.first_name, alex.last_name, alex.username = "Alexandra", "Jones", "ajones"
    alex.save()
    page = text_of(signed_in.get(history_url(draft)))
    assert "Alex Smith changed the completion date from 1 June 2008 to 3 June 2008" in page
    assert "Alexandra Jones changed" not in page


def test_renaming_a_user_leaves_their_past_reads_under_the_name_they_had(client, alex, admin_user, draft):
    client.force_login(alex)
    client.get(draft.get_absolute_url())
    alex.first_name, alex.last_name = "Alexandra", "Jones"
    alex.save()
    assert ReadEvent.objects.get(user=alex, review=draft).user_name == "Alex Smith"
    client.force_login(admin_user)
    page = text_of(client.get(history_url(draft)))
    assert "Alex Smith Viewed a review" in page
    assert "Alexandra Jones Viewed" not in page


def test_every_write_through_the_website_records_the_users_name_at_the_time(rf, alex, draft):
    from scr_register.audit import HistoryMiddleware

    def view(request):
        Review.objects.filter(pk=draft.pk).update(title="Retitled")  # any page's write, the admin's included
        return None

    request = rf.post("/admin/reviews/review/1/change/")
    request.user = alex
    HistoryMiddleware(view)(request)
    event = ReviewEvent.objects.filter(pgh_obj_id=draft.pk, title="Retitled").get()
    metadata = event.pgh_context.metadata
    assert (metadata["user"], metadata["username"], metadata["name"]) == (alex.pk, "alex", "Alex Smith")


def test_evaluations_are_in_the_history_with_their_number_and_judgement(client, inspector):
    review = ReviewFactory()
    EvaluationFactory(review=review, sequence=1, judgement="inadequate")
    EvaluationFactory(review=review, sequence=2, judgement="adequate", completed_date=datetime.date(2009, 1, 5))
    client.force_login(inspector)
    page = text_of(client.get(history_url(review)))
    assert "recorded evaluation 1: Inadequate" in page
    assert "recorded evaluation 2: Adequate" in page
    assert EvaluationEvent.objects.filter(review_id=review.pk, pgh_label="insert").count() == 2


def test_the_history_of_a_deleted_child_stays_with_its_review(signed_in, draft):
    Child.objects.filter(review=draft, pseudonym="Child B").delete()
    assert "removed Child B" in text_of(signed_in.get(history_url(draft)))


def test_only_admins_see_who_read_the_review(client, alex, admin_user, draft):
    client.force_login(alex)
    client.get(draft.get_absolute_url())
    assert "Who has read this review" not in text_of(client.get(history_url(draft)))
    client.force_login(admin_user)
    page = text_of(client.get(history_url(draft)))
    assert "Who has read this review" in page
    assert "alex Viewed a review" in page.replace("Alex Smith", "alex")


def test_the_history_page_runs_a_fixed_number_of_queries(signed_in, draft, django_assert_max_num_queries):
    for day in range(2, 12):
        Review.objects.filter(pk=draft.pk).update(completed_date=datetime.date(2008, 6, day))
    for number in range(10):
        FindingFactory(review=draft, description=f"Finding {number}")
    signed_in.get(history_url(draft))
    with django_assert_max_num_queries(18):  # measured: 17, whatever the number of events
        response = signed_in.get(history_url(draft))
    assert response.status_code == 200
    assert "changed the completion date from 10 June 2008 to 11 June 2008" in text_of(response)


def test_the_history_follows_the_same_access_as_the_review(client, inspector, coventry, draft):
    other = UserFactory(role="board_staff", boards=["E08000026"])
    client.force_login(other)
    assert client.get(history_url(draft)).status_code == 404
    client.force_login(inspector)
    assert client.get(history_url(draft)).status_code == 404  # a draft: not yet Ofsted's


@pytest.mark.django_db
def test_bulk_writes_record_one_event_per_row_with_the_context_they_ran_in(birmingham):
    import pghistory

    review = ReviewFactory(board=birmingham)
    with pghistory.context(source="bulk"):
        Child.objects.bulk_create(Child(review=review, pseudonym=f"Child {n}", outcome="died") for n in "ABC")
        Child.objects.filter(pseudonym__in=["Child A", "Child B"]).delete()
    events = ChildEvent.objects.select_related("pgh_context").order_by("pgh_id")
    assert [(event.pgh_label, event.pseudonym) for event in events] == [
        ("insert", "Child A"),
        ("insert", "Child B"),
        ("insert", "Child C"),
        ("delete", "Child A"),
        ("delete", "Child B"),
    ]
    assert {event.pgh_context.metadata["source"] for event in events} == {"bulk"}
    assert {event.review_id for event in events} == {review.pk}
    assert [event.pgh_obj_id for event in events][3:] == [event.pgh_obj_id for event in events][:2]


@pytest.mark.django_db
def test_the_history_of_inserts_and_deletes_costs_one_trigger_call_per_statement():
    """So a bulk write (the import's COPY) keeps every trigger on at little cost per row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname, (t.tgtype & 1) = 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname LIKE 'pgtrigger_insert_insert_%' OR t.tgname LIKE 'pgtrigger_delete_delete_%'"
        )
        triggers = cursor.fetchall()
    tracked = {model.pgh_tracked_model._meta.db_table for model in EVENT_MODELS}
    assert sorted(table for table, _name, _for_each_row in triggers) == sorted([*tracked, *tracked])
    assert not any(for_each_row for _table, _name, for_each_row in triggers)
