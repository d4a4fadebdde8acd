"""The Django admin: every page answers for a superuser, lists stay cheap, and the CSV import page."""

import pghistory.models
import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews import admin as reviews_admin
from reviews.models import (
    AgencyInvolvement,
    Child,
    Contribution,
    Evaluation,
    Finding,
    LocalAuthority,
    ReadEvent,
    Region,
    Review,
    ReviewSearch,
    SavedView,
)
from tests.conftest import HTTPSClient
from tests.factories import (
    ActionFactory,
    ChildFactory,
    EvaluationFactory,
    FindingFactory,
    RecommendationFactory,
    ReviewFactory,
    UserFactory,
    board,
)
from tests.test_import import GOOD, REVIEWS_HEADER

REGISTERED = [
    model
    for model in admin.site._registry
    if model._meta.app_label in ("reviews", "pghistory") and not model._meta.proxy or model is pghistory.models.Events
]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def one_of_each(admin_user):
    """At least one row of every model, with history."""
    review = ReviewFactory(reference="SCR-ADMIN-1")
    Contribution.objects.create(review=review, board=board("E08000026"))
    ChildFactory(review=review)
    FindingFactory(review=review)
    AgencyInvolvement.objects.create(review=review, agency="police", imr_submitted=True)
    EvaluationFactory(review=review, evaluated_by=admin_user)
    ReadEvent.objects.create(user=admin_user, review=review, kind="view")
    SavedView.objects.create(owner=admin_user, name="Inadequate in 2008-09", query_string="judgement=inadequate")
    ActionFactory(recommendation=RecommendationFactory(review=review))
    return review


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_every_model_of_the_register_has_an_admin_but_derived_search_documents():
    models = {
        Region,
        LocalAuthority,
        Review.board.field.related_model,
        Review,
        Contribution,
        Child,
        AgencyInvolvement,
        Finding,
        Evaluation,
        ReadEvent,
        SavedView,
    }
    assert models <= set(admin.site._registry)
    assert pghistory.models.Events in admin.site._registry  # the audit trail across every model


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_every_changelist_answers_for_a_superuser(admin_client, one_of_each, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_every_add_page_answers_or_is_refused_when_the_model_is_read_only(admin_client, admin_user, model, rf):
    request = rf.get("/")
    request.user = admin_user
    response = admin_client.get(admin_url(model, "add"))
    expected = 200 if admin.site._registry[model].has_add_permission(request) else 403
    assert response.status_code == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model", [m for m in REGISTERED if m is not pghistory.models.Events], ids=lambda m: m._meta.label
)
def test_every_change_page_answers_for_a_superuser(admin_client, one_of_each, model):
    obj = model.objects.order_by("pk").first()
    response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_review_change_page_shows_every_inline_and_the_fields_the_system_keeps(admin_client, one_of_each):
    response = admin_client.get(admin_url(Review, "change", one_of_each.pk))
    content = response.content.decode()
    for prefix in ("contributions", "children", "agencies", "findings", "evaluations"):
        assert f'name="{prefix}-TOTAL_FORMS"' in content
    assert 'name="latest_judgement"' not in content  # read only
    assert 'name="version"' not in content
    assert "Audit trail" in content


@pytest.mark.django_db
def test_the_review_change_page_does_not_query_once_per_child_or_finding(
    admin_client, one_of_each, django_assert_max_num_queries
):
    for _ in range(20):
        ChildFactory(review=one_of_each)
        FindingFactory(review=one_of_each)
    with django_assert_max_num_queries(15):
        response = admin_client.get(admin_url(Review, "change", one_of_each.pk))
    assert response.status_code == 200


def change_form_data(page):
    """What the admin's change page posts back as loaded: the form and every inline row."""
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{formset.formset.prefix}-{name}"] = management[name].value()
        for index, inline_form in enumerate(formset.formset.forms):
            for name in inline_form.fields:
                value = inline_form[name].value()
                data[f"{formset.formset.prefix}-{index}-{name}"] = "" if value is None else value
    return data


@pytest.mark.django_db
def test_saving_a_review_in_the_admin_bumps_its_version(admin_client, one_of_each):
    page = admin_client.get(admin_url(Review, "change", one_of_each.pk))
    data = change_form_data(page)
    data.update({"title": "Retitled in the admin", "board": one_of_each.board_id})
    response = admin_client.post(admin_url(Review, "change", one_of_each.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    one_of_each.refresh_from_db()
    assert (one_of_each.title, one_of_each.version) == ("Retitled in the admin", 2)


@pytest.mark.django_db
def test_the_admin_cannot_overwrite_a_change_board_staff_saved_after_the_page_was_opened(admin_client, birmingham):
    from tests.review_pages import ORIGIN, edit_data, edit_url

    review = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None)
    ChildFactory(review=review, pseudonym="Child A")
    page = admin_client.get(admin_url(Review, "change", review.pk))
    client = HTTPSClient()
    client.force_login(UserFactory(role="board_staff", boards=["E08000025"]))
    board_save = client.post(edit_url(review), edit_data(review, title="Board's newer title"), headers=ORIGIN)
    assert board_save.status_code == 302
    data = change_form_data(page)
    data.update({"title": "Admin's title", "board": review.board_id, "children-0-pseudonym": "Child Z"})
    response = admin_client.post(admin_url(Review, "change", review.pk), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone changed this review after you opened this page" in content
    assert "Admin&#x27;s title" in content  # kept as typed
    review.refresh_from_db()
    assert (review.title, review.version) == ("Board's newer title", 2)
    assert list(review.children.values_list("pseudonym", flat=True)) == ["Child A"]  # the inlines not saved either


@pytest.mark.django_db
def test_a_board_form_opened_before_an_admin_save_is_refused_rather_than_reverting_it(admin_client, birmingham):
    from tests.review_pages import ORIGIN, edit_data, edit_url

    review = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None)
    ChildFactory(review=review)
    client = HTTPSClient()
    client.force_login(UserFactory(role="board_staff", boards=["E08000025"]))
    stale = edit_data(review, title="Board's title")
    page = admin_client.get(admin_url(Review, "change", review.pk))
    data = change_form_data(page)
    data.update({"title": "Admin's title", "board": review.board_id})
    assert admin_client.post(admin_url(Review, "change", review.pk), data).status_code == 302
    assert client.post(edit_url(review), stale, headers=ORIGIN).status_code == 409
    review.refresh_from_db()
    assert review.title == "Admin's title"


@pytest.mark.django_db
def test_a_childs_admin_page_cannot_overwrite_a_newer_board_save_and_its_own_save_refuses_older_board_forms(
    admin_client, birmingham
):
    from tests.review_pages import ORIGIN, edit_data, edit_url

    review = ReviewFactory(board=birmingham, status=Review.Status.DRAFT, submitted_date=None)
    child = ChildFactory(review=review, pseudonym="Child A")
    board_client = HTTPSClient()
    board_client.force_login(UserFactory(role="board_staff", boards=["E08000025"]))
    page = admin_client.get(admin_url(Child, "change", child.pk))
    data = {**change_form_data(page), "pseudonym": "Child from the admin"}
    stale = edit_data(review, title="Board's title")
    assert board_client.post(edit_url(review), edit_data(review), headers=ORIGIN).status_code == 302
    response = admin_client.post(admin_url(Child, "change", child.pk), data)
    assert response.status_code == 200
    assert "Someone changed this review after you opened this page" in response.content.decode()
    child.refresh_from_db()
    assert child.pseudonym == "Child A"

    data["loaded_version"] = Review.objects.get(pk=review.pk).version
    assert admin_client.post(admin_url(Child, "change", child.pk), data).status_code == 302
    assert board_client.post(edit_url(review), stale, headers=ORIGIN).status_code == 409
    child.refresh_from_db()
    assert child.pseudonym == "Child from the admin"


@pytest.mark.django_db
def test_an_admin_save_without_the_version_it_was_based_on_is_refused(admin_client, one_of_each):
    page = admin_client.get(admin_url(Review, "change", one_of_each.pk))
    data = change_form_data(page)
    data.pop("loaded_version")
    data.update({"title": "Admin's title", "board": one_of_each.board_id})
    response = admin_client.post(admin_url(Review, "change", one_of_each.pk), data)
    assert response.status_code == 200
    one_of_each.refresh_from_db()
    assert one_of_each.title != "Admin's title"


@pytest.mark.django_db
def test_the_review_changelist_stays_at_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    for i in range(50):
        ChildFactory(review__board=board(["E08000025", "E08000026", "E10000004"][i % 3]), review__status="evaluated")
    with django_assert_max_num_queries(14):
        response = admin_client.get(admin_url(Review, "changelist"), {"status": "evaluated"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 50


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Child, Finding, Evaluation, Contribution, ReadEvent])
def test_lists_of_rows_across_reviews_do_not_query_once_per_row(
    admin_client, admin_user, model, django_assert_max_num_queries
):
    for _ in range(30):
        review = ReviewFactory()
        ChildFactory(review=review)
        FindingFactory(review=review)
        EvaluationFactory(review=review, evaluated_by=admin_user)
        Contribution.objects.create(review=review, board=board("E08000026"))
        ReadEvent.objects.create(user=admin_user, review=review, kind="view")
    with django_assert_max_num_queries(10):
        response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 30


@pytest.mark.django_db
def test_the_board_list_shows_every_board_in_few_queries(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin_client.get(admin_url(Review.board.field.related_model, "changelist"), {"all": ""})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 170


@pytest.mark.django_db
def test_reviews_are_filtered_and_shown_by_the_official_wording_of_their_latest_judgement(admin_client):
    EvaluationFactory(review__reference="SCR-GOOD", judgement="good")
    EvaluationFactory(review__reference="SCR-INADEQUATE", judgement="inadequate")
    ReviewFactory(reference="SCR-NONE")
    response = admin_client.get(admin_url(Review, "changelist"), {"latest_judgement": "inadequate"})
    assert [r.reference for r in response.context["cl"].result_list] == ["SCR-INADEQUATE"]
    assert '<td class="field-judgement">Inadequate</td>' in response.content.decode()
    response = admin_client.get(admin_url(Review, "changelist"), {"latest_judgement": "none"})
    assert [r.reference for r in response.context["cl"].result_list] == ["SCR-NONE"]


@pytest.mark.django_db
def test_boards_are_found_by_autocomplete(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "Birm", "app_label": "reviews", "model_name": "review", "field_name": "board"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Birmingham (E08000025)"]


@pytest.mark.django_db
def test_the_audit_trail_of_a_review_is_readable_in_the_admin(admin_client, one_of_each):
    one_of_each.title = "Changed"
    one_of_each.save()
    response = admin_client.get(
        admin_url(pghistory.models.Events, "changelist"),
        {"method": "tracks", "obj": f"reviews.Review:{one_of_each.pk}"},
    )
    assert response.status_code == 200
    labels = [event.pgh_label for event in response.context["cl"].result_list]
    # Created, given its latest judgement by the evaluation trigger, then retitled.
    assert sorted(labels) == ["insert", "update", "update"]


@pytest.mark.django_db
def test_a_models_history_list_says_who_made_each_change_in_few_queries(
    admin_client, admin_user, django_assert_max_num_queries
):
    from django.apps import apps

    from tests.test_import import run

    run(GOOD, user=admin_user)
    with django_assert_max_num_queries(10):
        response = admin_client.get(admin_url(apps.get_model("reviews", "FindingEvent"), "changelist"))
    assert response.status_code == 200
    assert f"source: import, user: {admin_user.pk}" in response.content.decode()


@pytest.mark.django_db
def test_reference_data_and_read_events_cannot_be_deleted_or_edited(admin_client, one_of_each):
    assert admin_client.get(admin_url(Region, "delete", Region.objects.first().pk)).status_code == 403
    read = ReadEvent.objects.first()
    response = admin_client.post(admin_url(ReadEvent, "change", read.pk), {"kind": "export"})
    assert response.status_code == 403
    read.refresh_from_db()
    assert read.kind == "view"


# ------------------------------------------------------------------------------------------ the import page


def uploads(files):
    field = {"reviews.csv": "reviews", "children.csv": "children", "findings.csv": "findings"}
    field["evaluations.csv"] = "evaluations"
    return {field[name]: SimpleUploadedFile(name, text.encode(), "text/csv") for name, text in files.items()}


@pytest.mark.django_db
def test_the_review_list_links_to_the_import_for_admins(admin_client):
    response = admin_client.get(admin_url(Review, "changelist"))
    assert reverse("admin:reviews_review_import") in response.content.decode()
    assert "Import from CSV" in response.content.decode()


@pytest.mark.django_db
def test_an_admin_imports_a_good_bundle_and_sees_the_counts(admin_client, admin_user):
    response = admin_client.post(reverse("admin:reviews_review_import"), uploads(GOOD), follow=True)

    assert response.redirect_chain[-1][0] == admin_url(Review, "changelist")
    message = str(list(response.context["messages"])[0])
    assert "Reviews: 2 created, 0 updated, 0 unchanged." in message
    assert "Children: 3 written" in message
    assert Review.objects.count() == 2
    context = pghistory.models.Context.objects.get(metadata__source="import")
    assert context.metadata["user"] == admin_user.pk


@pytest.mark.django_db
def test_the_import_page_gives_the_import_a_longer_statement_timeout(admin_client, monkeypatch):
    from django.db import connection

    from reviews.imports import writing

    seen = []
    original = writing.write

    def write(plan, result):
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            seen.append(cursor.fetchone()[0])
        return original(plan, result)

    monkeypatch.setattr(writing, "write", write)
    admin_client.post(reverse("admin:reviews_review_import"), uploads(GOOD))
    assert seen == ["25s"]  # set_config(..., true): for the import's transaction only


@pytest.mark.django_db
def test_a_bad_upload_shows_every_error_and_writes_nothing(admin_client):
    files = {
        "reviews.csv": f"{REVIEWS_HEADER}\nSCR-1,E99999999,,<b>Bold</b>,,,,,,,\nSCR-2,E08000025,,Fine,2008-1-1,,,,,,\n",
        "findings.csv": "review,category\nSCR-2,weak_management\n",
    }
    events = pghistory.models.Events.objects.count()

    response = admin_client.post(reverse("admin:reviews_review_import"), uploads(files))

    assert response.status_code == 400
    content = response.content.decode()
    assert "2 errors: nothing was imported." in content
    assert "<code>reviews.csv:2: board: unknown board E99999999: use the board&#x27;s GSS code</code>" in content
    assert "<code>reviews.csv:3: incident_date: &quot;2008-1-1&quot; is not a date in the form YYYY-MM-DD</code>" in (
        content
    )
    assert Review.objects.count() == 0
    assert pghistory.models.Events.objects.count() == events


@pytest.mark.django_db
def test_the_import_needs_reviews_csv(admin_client):
    response = admin_client.post(reverse("admin:reviews_review_import"), uploads({"findings.csv": "review,category\n"}))
    assert response.status_code == 200
    assert response.context["form"].errors["reviews"] == ["This field is required."]


@pytest.mark.django_db
def test_an_upload_over_the_size_limit_is_refused_before_reading(admin_client, monkeypatch):
    monkeypatch.setattr(reviews_admin, "MAX_UPLOAD_BYTES", 100)
    files = {"reviews.csv": REVIEWS_HEADER + "\n" + "SCR-1,E08000025,,A,,,,,,,\n" * 10}
    response = admin_client.post(reverse("admin:reviews_review_import"), uploads(files))
    assert "files uploaded here may be at most" in response.context["form"].errors["reviews"][0]
    assert Review.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["board_staff", "inspector", "manager"])
def test_only_admins_may_import(client, role):
    user = UserFactory(role=role, is_staff=True)  # even staff status is not enough without the permission
    client.force_login(user)
    assert client.get(reverse("admin:reviews_review_import")).status_code == 403
    response = client.post(reverse("admin:reviews_review_import"), uploads(GOOD))
    assert response.status_code == 403
    assert Review.objects.count() == 0


@pytest.mark.django_db
def test_staff_with_the_import_permission_may_import(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="import_reviews"), Permission.objects.get(codename="view_review")
    )
    client.force_login(user)
    assert client.get(reverse("admin:reviews_review_import")).status_code == 200


@pytest.mark.django_db
def test_the_import_page_sends_anonymous_users_to_sign_in(client):
    response = client.get(reverse("admin:reviews_review_import"))
    assert response.status_code == 302
    assert Review.objects.count() == 0


@pytest.mark.django_db
def test_the_import_page_needs_a_csrf_token(admin_user):
    client = HTTPSClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:reviews_review_import"), uploads(GOOD), headers={"Origin": "https://testserver"}
    )
    assert response.status_code == 403
    assert Review.objects.count() == 0


@pytest.mark.django_db
def test_the_import_page_explains_the_upload_limit(admin_client):
    content = admin_client.get(reverse("admin:reviews_review_import")).content.decode()
    assert "Each file may be at most 10 MB" in content
    assert 'enctype="multipart/form-data"' in content
    assert "csrfmiddlewaretoken" in content


# Bad query strings, access and labels --------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/reviews/review/?review_type__exact=%00",
        "/admin/reviews/review/?q=Birmingham%00",
        "/admin/reviews/reviewevent/?pgh_label=%00",
        "/admin/pghistory/events/?label=%00",
        "/admin/pghistory/events/?event_model=%00",
        "/admin/reviews/review/?%00=1",
    ],
)
def test_a_nul_byte_in_an_admin_query_string_is_refused_with_a_bad_request_page(admin_client, url):
    admin_client.raise_request_exception = False
    response = admin_client.get(url)
    assert response.status_code == 400
    assert "There is a problem with your request" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/pghistory/events/", "/admin/reviews/reviewevent/"])
@pytest.mark.parametrize(
    "query",
    [
        {"obj": "reviews.review:abc"},
        {"obj": "reviews.review:999999", "method": "tracks"},
        {"obj": "reviews.review:999999"},
        {"obj": "reviews.nosuch:1", "method": "tracks"},
        {"obj": "reviews.review:", "method": "references"},
        {"event_model": "reviews.nosuch"},
    ],
)
def test_an_audit_trail_link_naming_no_object_is_refused_with_a_bad_request_page(admin_client, path, query):
    admin_client.raise_request_exception = False
    response = admin_client.get(path, query)
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["9999", "99999999999", "-5"])
def test_a_year_out_of_range_in_the_date_drill_down_is_a_bad_lookup_not_a_server_error(admin_client, year):
    admin_client.raise_request_exception = False
    response = admin_client.get(admin_url(Review, "changelist"), {"latest_evaluated_date__year": year})
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["board_staff", "inspector", "manager"])
@pytest.mark.parametrize("path", ["/admin/", "/admin/reviews/review/", "/admin/login/?next=/admin/"])
def test_signed_in_users_without_admin_access_get_the_403_page_not_a_redirect_loop(role, path):
    client = HTTPSClient()
    client.force_login(UserFactory(role=role, boards=["E08000025"] if role == "board_staff" else []))
    response = client.get(path, follow=True)
    assert response.status_code == 403
    assert "You do not have permission to do this" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_sign_in_page_sends_a_signed_in_admin_on_to_the_admin(admin_client):
    response = admin_client.get("/admin/login/?next=/admin/reviews/review/")
    assert response.status_code == 302
    assert response.url == "/admin/reviews/review/"


@pytest.mark.django_db
def test_the_admin_names_the_service_and_shows_plain_labels(admin_client):
    content = admin_client.get(reverse("admin:index")).content.decode()
    assert "<title>Administration | SCR Register administration</title>" in content
    assert "SCR Register administration" in content
    for raw in ("Django administration", "Django site admin", "Otp_", "OTP_", "Pghistory", "searchs", ">Axes<"):
        assert raw not in content
    for plain in ("Two-factor sign-in", "Audit trail", "Sign-in attempts", "Serious case reviews"):
        assert plain in content


@pytest.mark.django_db
def test_internal_models_are_hidden_and_authenticators_stay_manageable(admin_client):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert ReviewSearch not in admin.site._registry
    assert StaticDevice not in admin.site._registry
    assert admin_client.get(admin_url(TOTPDevice, "changelist")).status_code == 200


@pytest.mark.django_db
def test_the_admin_cannot_give_a_review_a_reference_holding_another_boards_code(admin_client, birmingham, coventry):
    # A reference with a board's code always names that board's own review (docs/SECURITY.md): the admin too.
    review = ReviewFactory(board=birmingham, reference="SCR-2008-E08000025-0001")
    data = change_form_data(admin_client.get(admin_url(Review, "change", review.pk)))
    data.update({"reference": "SCR-2008-E08000026-0001", "board": review.board_id})
    response = admin_client.post(admin_url(Review, "change", review.pk), data)
    assert response.status_code == 200
    assert "another board&#x27;s GSS code (E08000026)" in response.content.decode()
    review.refresh_from_db()
    assert review.reference == "SCR-2008-E08000025-0001"
    data["reference"] = "SCR-2008-E08000025-0002"
    assert admin_client.post(admin_url(Review, "change", review.pk), data).status_code == 302
    review.refresh_from_db()
    assert review.reference == "SCR-2008-E08000025-0002"
