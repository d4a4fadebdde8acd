"""`manage.py seed_demo`: deterministic, realistic synthetic data and one demo login per role."""

import base64
import io
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count
from django.test import override_settings
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from reviews import demo
from reviews.bulk import COPY_FIELDS
from reviews.models import AgencyInvolvement, Board, Child, Contribution, Evaluation, Finding, Region, Review
from reviews.roles import role_of
from reviews.years import reporting_year

AUDITED = ["Review", "Contribution", "Child", "AgencyInvolvement", "Finding", "Evaluation"]


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def seeded(db):
    """300 demo reviews from seed 7; the command's output."""
    return seed("--reviews", "300", "--seed", "7")


def printed_logins(output):
    """{username: (password, role)} from the logins table the command prints."""
    table = output.split("Demo logins")[1].split("\n\n")[0].splitlines()[2:]
    return {line.split()[0]: (line.split()[1], line.split()[2]) for line in table if line.strip()}


def snapshot():
    """Every seeded row, keyed by review reference rather than by id (ids depend on the sequences)."""
    return {
        "reviews": list(
            Review.objects.order_by("reference").values_list(
                "reference",
                "board__gss_code",
                "title",
                "incident_date",
                "decision_date",
                "completed_date",
                "submitted_date",
                "independent_chair",
                "independent_author",
                "summary",
                "status",
                "latest_judgement",
                "latest_evaluated_date",
                "created_at",
                "updated_at",
            )
        ),
        "contributions": list(
            Contribution.objects.order_by("review__reference", "board__gss_code").values_list(
                "review__reference", "board__gss_code"
            )
        ),
        "children": list(
            Child.objects.order_by("review__reference", "id").values_list(
                "review__reference",
                "pseudonym",
                "sex",
                "age_band",
                "ethnicity",
                "outcome",
                "known_to_social_care",
                "child_protection_plan",
                "looked_after",
            )
        ),
        "agencies": list(
            AgencyInvolvement.objects.order_by("review__reference", "id").values_list(
                "review__reference", "agency", "imr_submitted", "notes"
            )
        ),
        "findings": list(
            Finding.objects.order_by("review__reference", "id").values_list(
                "review__reference", "category", "agency", "description"
            )
        ),
        "evaluations": list(
            Evaluation.objects.order_by("review__reference", "sequence").values_list(
                "review__reference",
                "sequence",
                "received_date",
                "completed_date",
                "judgement",
                "summary",
                "terms_of_reference",
                "overview_and_imrs",
                "timescales",
                "equality_and_diversity",
                "family_involvement",
            )
        ),
    }


# Determinism ----------------------------------------------------------------------------------------


def test_the_same_seed_gives_identical_rows(seeded):
    first = snapshot()

    seed("--reviews", "300", "--seed", "7", "--replace")

    assert snapshot() == first
    assert len(first["reviews"]) == 300


def test_another_seed_gives_other_rows(seeded):
    first = snapshot()

    seed("--reviews", "300", "--seed", "8", "--replace")

    assert snapshot()["reviews"] != first["reviews"]


# The shape of the data ------------------------------------------------------------------------------


def test_every_status_is_present_and_follows_the_import_rule(seeded):
    statuses = Counter(Review.objects.values_list("status", flat=True))
    assert set(statuses) == {"draft", "submitted", "evaluated"}
    assert statuses["evaluated"] > statuses["submitted"] and statuses["evaluated"] > statuses["draft"]

    evaluated = set(Evaluation.objects.values_list("review_id", flat=True))
    for review in Review.objects.all():
        expected = "evaluated" if review.pk in evaluated else ("submitted" if review.submitted_date else "draft")
        assert review.status == expected, review.reference


def test_dates_are_in_order_and_never_after_the_day_the_data_stands_on(seeded):
    for review in Review.objects.all():
        days = [review.incident_date, review.decision_date, review.completed_date, review.submitted_date]
        known = [day for day in days if day]
        assert known == sorted(known), review.reference
        assert review.decision_date is not None
        assert max(known) <= demo.AS_OF
        if review.submitted_date:
            assert review.completed_date
    evaluations = defaultdict(list)
    for evaluation in Evaluation.objects.select_related("review").order_by("sequence"):
        evaluations[evaluation.review].append(evaluation)
    for review, rows in evaluations.items():
        assert [e.sequence for e in rows] == list(range(1, len(rows) + 1))
        assert rows[0].received_date >= review.submitted_date
        for earlier, later in zip(rows, rows[1:], strict=False):
            assert later.received_date > earlier.completed_date
        for evaluation in rows:
            assert evaluation.received_date <= evaluation.completed_date <= demo.AS_OF


def test_drafts_and_unevaluated_submissions_are_recent(seeded):
    recent = demo.AS_OF.replace(year=demo.AS_OF.year - 3)
    assert Review.objects.filter(status="draft", decision_date__lt=recent).count() == 0
    assert Review.objects.filter(status="submitted", submitted_date__gte=recent).exists()


def test_references_are_unique_and_name_the_year_and_lead_board(seeded):
    references = list(Review.objects.values_list("reference", "decision_date", "board__gss_code"))
    assert len({r for r, _, _ in references}) == 300
    for reference, decided, gss in references:
        assert re.fullmatch(r"SCR-\d{4}-E\d{8}-\d{4}", reference)
        assert reference.startswith(f"SCR-{decided.year}-{gss}-")


def test_lead_boards_were_in_force_when_the_review_was_decided(seeded):
    for review in Review.objects.select_related("board__authority"):
        authority = review.board.authority
        if authority.valid_to:
            assert review.decision_date <= authority.valid_to, review.reference
        if authority.valid_from.isoformat() > "2009-01-01":
            assert review.decision_date >= authority.valid_from, review.reference


def test_children_are_pseudonyms_with_plausible_characteristics(seeded):
    per_review = Counter(Child.objects.values_list("review_id", flat=True))
    assert set(per_review.values()) <= {1, 2, 3}
    assert len(per_review) == 300
    for review_id, pseudonyms in _group(Child.objects.values_list("review_id", "pseudonym")).items():
        assert len(set(pseudonyms)) == len(pseudonyms), review_id
        assert all(re.fullmatch(r"Child [A-Z]", name) for name in pseudonyms)
    children = Child.objects.count()
    assert 0.35 < Child.objects.filter(outcome="died").count() / children < 0.65
    assert 0.55 < Child.objects.filter(known_to_social_care=True).count() / children < 0.8
    assert Child.objects.filter(child_protection_plan=True).exists()
    assert Child.objects.filter(looked_after=True).exists()
    assert not Child.objects.filter(known_to_social_care=False, child_protection_plan=True).exists()
    valid = {value for value, _ in Child.Ethnicity.choices} | {""}
    assert set(Child.objects.values_list("ethnicity", flat=True)) <= valid


def test_findings_average_about_ten_a_review_in_weighted_categories(seeded):
    per_review = Counter(Finding.objects.values_list("review_id", flat=True))
    assert len(per_review) == 300
    assert 8 <= sum(per_review.values()) / 300 <= 12
    categories = Counter(Finding.objects.values_list("category", flat=True))
    assert categories["weak_management"] > categories["ethnic_cultural"] > categories["other"]
    # A finding names an agency that was involved, or none.
    involved = set(AgencyInvolvement.objects.values_list("review_id", "agency"))
    for review_id, agency in Finding.objects.exclude(agency="").values_list("review_id", "agency"):
        assert (review_id, agency) in involved


def test_every_review_lists_the_agencies_involved_with_health_always_among_them(seeded):
    with_health = AgencyInvolvement.objects.filter(agency="health").values("review").distinct().count()
    assert with_health == 300
    assert AgencyInvolvement.objects.filter(imr_submitted=True).exists()


def test_cross_area_reviews_name_other_boards_than_the_lead(seeded):
    for contribution in Contribution.objects.select_related("review"):
        assert contribution.board_id != contribution.review.board_id
    per_review = Counter(Contribution.objects.values_list("review_id", flat=True))
    assert set(per_review.values()) <= {1, 2}


def test_titles_and_summaries_name_children_only_by_pseudonym(seeded):
    for review in Review.objects.prefetch_related("children"):
        first = min(review.children.all(), key=lambda child: child.pk).pseudonym
        assert first in review.title
        assert review.summary.startswith(f"{first}, ")


# Evaluations ----------------------------------------------------------------------------------------


def test_latest_judgement_equals_the_highest_sequence_evaluation_for_every_review(seeded):
    latest = {}
    for review_id, judgement, completed in Evaluation.objects.order_by("review_id", "sequence").values_list(
        "review_id", "judgement", "completed_date"
    ):
        latest[review_id] = (judgement, completed)
    for review in Review.objects.all():
        assert (review.latest_judgement, review.latest_evaluated_date) == latest.get(review.pk, ("", None))


def test_the_register_flags_agree_with_the_children_and_contributions_of_every_review(seeded):
    # The seed writes these flags itself; the triggers that keep them run too, and must agree.
    known = set(Child.objects.filter(known_to_social_care=True).values_list("review_id", flat=True))
    cross = set(Contribution.objects.values_list("review_id", flat=True))
    flags = list(Review.objects.values_list("pk", "any_child_known", "cross_area"))
    assert {pk for pk, k, _ in flags if k} == known and known
    assert {pk for pk, _, c in flags if c} == cross and cross


def test_the_dashboards_kept_counts_equal_a_recount_of_the_seeded_rows(seeded):
    # The seed writes with every trigger on: the recount triggers keep the dashboard's rows as it loads.
    from tests.test_dashboard_properties import kept, recount

    assert kept() == recount() and kept()


def test_seeding_leaves_the_planner_statistics_of_every_table_the_register_reads(seeded):
    # Without them (until autovacuum comes by) a search for a rare word walks every review in order.
    tables = [*(model._meta.db_table for model in COPY_FIELDS), "reviews_reviewsearch"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tablename FROM pg_stats WHERE tablename = ANY(%s)", [tables])
        assert {row[0] for row in cursor.fetchall()} == set(tables)


def test_re_evaluations_exist_and_only_follow_an_inadequate_judgement(seeded):
    by_review = _group(Evaluation.objects.order_by("sequence").values_list("review_id", "judgement"))
    again = [judgements for judgements in by_review.values() if len(judgements) > 1]
    assert again
    for judgements in again:
        assert all(judgement == "inadequate" for judgement in judgements[:-1])


def test_judgement_shares_are_near_ofsteds_and_re_evaluations_cross_years(db):
    seed("--reviews", "2000", "--seed", "3")

    shares = Counter(Evaluation.objects.values_list("judgement", flat=True))
    total = sum(shares.values())
    assert abs(shares["good"] / total - 0.23) < 0.04
    assert abs(shares["adequate"] / total - 0.43) < 0.04
    assert abs(shares["inadequate"] / total - 0.34) < 0.04
    assert shares["outstanding"] / total < 0.01
    assert Evaluation.objects.filter(sequence=3).exists()
    firsts = dict(Evaluation.objects.filter(sequence=1).values_list("review_id", "completed_date"))
    seconds = dict(Evaluation.objects.filter(sequence=2).values_list("review_id", "completed_date"))
    assert any(reporting_year(day) != reporting_year(firsts[review]) for review, day in seconds.items())
    assert any(reporting_year(day) == reporting_year(firsts[review]) for review, day in seconds.items())
    # Twenty reporting years of evaluations, every board leading a review, every region.
    years = {reporting_year(day) for day in Evaluation.objects.values_list("completed_date", flat=True)}
    assert min(years) == "2007-08" and max(years) == "2026-27" and len(years) == 20
    assert Board.objects.annotate(n=Count("reviews")).filter(n=0).count() == 0
    assert Region.objects.filter(boards__reviews__isnull=False).distinct().count() == 9
    assert 0.02 < Contribution.objects.values("review").distinct().count() / 2000 < 0.09


# Audit triggers -------------------------------------------------------------------------------------


def test_every_demo_row_is_in_the_audit_trail_as_the_seeds_and_later_changes_are_audited_too(seeded):
    events = {name: apps.get_model("reviews", f"{name}Event") for name in AUDITED}
    for name, event in events.items():
        model = apps.get_model("reviews", name)
        inserted = event.objects.filter(pgh_label="insert")
        assert inserted.count() == model.objects.count() > 0, name
        assert set(inserted.values_list("pgh_obj_id", flat=True)) == set(model.objects.values_list("pk", flat=True))
        assert set(inserted.values_list("pgh_context__metadata__source", flat=True)) == {"seed_demo"}, name
        assert not event.objects.exclude(pgh_label="insert").exists(), name
    seeded_events = {name: event.objects.count() for name, event in events.items()}

    review = Review.objects.filter(status="draft").first()
    review.title = "Serious case review: Child Q (renamed)"
    review.save()
    Finding.objects.create(review=review, category="other", description="Added after the seed.")
    Evaluation.objects.create(
        review=Review.objects.filter(status="submitted").first(),
        sequence=1,
        received_date=demo.AS_OF,
        completed_date=demo.AS_OF,
        judgement="good",
    )

    assert events["Review"].objects.filter(pgh_obj=review, pgh_label="update").exists()
    assert events["Finding"].objects.filter(pgh_label="insert").count() == seeded_events["Finding"] + 1
    assert events["Evaluation"].objects.filter(pgh_label="insert").count() == seeded_events["Evaluation"] + 1


def schema():
    """Every index, constraint and trigger (with whether it is enabled) of the review tables."""
    from django.db import connection

    tables = demo.tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) "
            "ORDER BY 1",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger "
            "WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal ORDER BY 1",
            [tables],
        )
        triggers = cursor.fetchall()
    return indexes, constraints, triggers


def test_seeding_leaves_every_index_constraint_and_trigger_as_the_migrations_made_them(db):
    before = schema()
    assert len(before[0]) > 20
    assert {enabled for _, enabled in before[2]} == {"O"}

    seed("--reviews", "50")

    assert schema() == before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("reference_data_kept")
def test_seeding_outside_a_transaction_vacuums_so_counts_can_read_indexes_alone():
    # As `make run` and the benchmarks seed: the visibility map is set, so index-only scans are possible.
    seed("--reviews", "50")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND relallvisible = 0",
            [["reviews_review", "reviews_finding", "reviews_evaluation"]],
        )
        assert cursor.fetchall() == []


# Demo users and --if-empty --------------------------------------------------------------------------


@pytest.fixture
def seeded_debug(db):
    """300 demo reviews from seed 7 on a debug install (`make run`), which makes the demo users."""
    with override_settings(DEBUG=True):
        return seed("--reviews", "300", "--seed", "7")


def printed_codes(output):
    """{username: [backup codes]} from the two-factor table the command prints."""
    return {
        line.split()[0]: line.split()[1:]
        for line in output.split("Two-factor sign-in")[1].splitlines()[1:]
        if line.strip()
    }


def printed_key(output):
    return re.search(r"add the key ([A-Z2-7]+) to an authenticator app", output).group(1)


def test_demo_users_have_their_roles_and_sign_in_with_the_printed_passwords(seeded_debug, client):
    logins = printed_logins(seeded_debug)
    assert {name: role for name, (_, role) in logins.items()} == {
        "demo-board": "board_staff",
        "demo-inspector": "inspector",
        "demo-manager": "manager",
        "demo-admin": "admin",
    }
    for username, (password, role) in logins.items():
        user = User.objects.get(username=username)
        assert role_of(user) == role
        assert len(password) >= 12
        response = client.post("/accounts/login/", {"username": username, "password": password})
        assert response.status_code == 302, username
        assert int(client.session["_auth_user_id"]) == user.pk
        client.logout()


def test_demo_users_who_need_a_second_factor_can_use_a_printed_backup_code(seeded_debug):
    from tests.conftest import HTTPSClient

    codes = printed_codes(seeded_debug)
    assert set(codes) == {"demo-inspector", "demo-manager", "demo-admin"}
    password, _ = printed_logins(seeded_debug)["demo-inspector"]
    client = HTTPSClient()
    client.post("/accounts/login/", {"username": "demo-inspector", "password": password})
    assert client.get("/reviews/").status_code == 302
    assert client.post("/accounts/two-factor/", {"code": codes["demo-inspector"][0]}).status_code == 302
    assert client.get("/reviews/").status_code == 200


def test_demo_users_can_sign_in_with_a_code_from_the_printed_authenticator_key(seeded_debug):
    from django_otp.oath import totp

    from tests.conftest import HTTPSClient

    key = base64.b32decode(printed_key(seeded_debug) + "=" * (-len(printed_key(seeded_debug)) % 8))
    password, _ = printed_logins(seeded_debug)["demo-inspector"]
    client = HTTPSClient()
    client.post("/accounts/login/", {"username": "demo-inspector", "password": password})
    assert client.post("/accounts/two-factor/", {"code": f"{totp(key):06d}"}).status_code == 302
    assert client.get("/reviews/").status_code == 200


def test_each_install_gets_its_own_demo_passwords_authenticator_key_and_backup_codes(seeded_debug):
    User.objects.filter(username__startswith="demo-").delete()

    with override_settings(DEBUG=True):
        again = seed("--reviews", "300", "--seed", "7", "--replace")

    first, second = printed_logins(seeded_debug), printed_logins(again)
    assert set(first) == set(second)
    assert all(first[name][0] != second[name][0] for name in first)
    assert printed_key(seeded_debug) != printed_key(again)
    assert printed_codes(seeded_debug)["demo-admin"] != printed_codes(again)["demo-admin"]


def test_no_demo_password_or_authenticator_key_is_written_in_the_source(seeded_debug):
    source = (Path(__file__).resolve().parent.parent / "reviews/management/commands/seed_demo.py").read_text()
    hex_key = base64.b32decode(printed_key(seeded_debug) + "=" * (-len(printed_key(seeded_debug)) % 8)).hex()
    for password, _ in printed_logins(seeded_debug).values():
        assert password not in source
    assert hex_key not in source and printed_key(seeded_debug) not in source
    for old in ("amber-lantern-harbour-42", "silver-heron-quarry-93", "5343522d52656769737465722d64656d6f2d6b65"):
        assert old not in source


@pytest.mark.parametrize("debug", [False, True])
def test_if_empty_on_a_populated_register_makes_and_changes_no_user(seeded_debug, client, debug):
    admin = User.objects.get(username="demo-admin")
    admin.set_password("someone-changed-it-99")
    admin.save()
    for _ in range(6):
        client.post("/accounts/login/", {"username": "demo-manager", "password": "a-wrong-guess-123"})
    users = list(User.objects.order_by("pk").values_list("username", "password", "is_superuser", "is_active"))
    devices = list(TOTPDevice.objects.order_by("pk").values_list("user__username", "key"))
    codes = list(StaticToken.objects.order_by("pk").values_list("token", flat=True))

    with override_settings(DEBUG=debug):
        output = seed("--reviews", "300", "--seed", "7", "--if-empty")

    assert Review.objects.count() == 300
    assert "already holds 300 reviews" in output and "Demo logins" not in output
    assert "make clean-db" in output and "adduser" in output
    assert list(User.objects.order_by("pk").values_list("username", "password", "is_superuser", "is_active")) == users
    assert list(TOTPDevice.objects.order_by("pk").values_list("user__username", "key")) == devices
    assert list(StaticToken.objects.order_by("pk").values_list("token", flat=True)) == codes
    admin.refresh_from_db()
    assert admin.check_password("someone-changed-it-99")
    password, _ = printed_logins(seeded_debug)["demo-manager"]
    locked = client.post("/accounts/login/", {"username": "demo-manager", "password": password})
    assert locked.status_code != 302  # the lockout stays: seeding again unlocks nobody


def test_seeding_with_debug_off_adds_reviews_but_no_user(db):
    output = seed("--reviews", "50", "--if-empty")

    assert Review.objects.count() == 50
    # The demo documents' uploader is the one user made, and nobody can sign in as it.
    assert list(User.objects.values_list("username", "is_active")) == [("seeded-documents", False)]
    assert not User.objects.get().has_usable_password()
    assert not TOTPDevice.objects.exists()
    assert "Demo logins" not in output
    assert "No demo users made: DEBUG is off" in output


def test_demo_seeding_leaves_an_existing_user_with_a_demo_username_as_it_is(db):
    someone = User.objects.create_user("demo-admin", password="their-own-password-77")
    with override_settings(DEBUG=True):
        output = seed("--reviews", "50")

    someone.refresh_from_db()
    assert someone.check_password("their-own-password-77")
    assert not someone.is_superuser
    assert not TOTPDevice.objects.filter(user=someone).exists()
    assert "demo-admin" not in printed_logins(output)
    assert "Already users, left as they are: demo-admin." in output
    assert set(printed_logins(output)) == {"demo-board", "demo-inspector", "demo-manager"}


def test_demo_board_staff_have_drafts_and_reviews_in_both_their_boards(seeded_debug):
    user = User.objects.get(username="demo-board")
    assert sorted(user.boards.values_list("gss_code", flat=True)) == ["E08000025", "E08000026"]
    mine = Review.objects.for_user(user)
    for gss in ["E08000025", "E08000026"]:
        assert mine.filter(board__gss_code=gss, status="draft").count() >= 2
        assert mine.filter(board__gss_code=gss, status="submitted").exists()


def test_demo_users_have_an_address_for_the_action_plan_reminders(seeded_debug):
    assert User.objects.get(username="demo-board").email == "demo-board@example.org"


def test_if_empty_seeds_an_empty_register(db):
    with override_settings(DEBUG=True):
        output = seed("--reviews", "50", "--if-empty")

    assert Review.objects.count() == 50
    assert "Added 50 reviews" in output
    assert "demo-admin" in printed_logins(output)


def test_seeding_a_register_that_has_reviews_without_a_flag_is_an_error(seeded):
    with pytest.raises(CommandError, match="already holds 300 reviews. Add --replace"):
        seed("--reviews", "10")
    assert Review.objects.count() == 300


def _group(pairs):
    grouped = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return grouped
