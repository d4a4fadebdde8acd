# Cases for the rules in ../scr_register.yml, checked by tests/test_semgrep_rules.py.
# ruff: noqa
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe

from reviews.models import Review


def spread(request):
    # ruleid: no-request-data-spread-into-orm
    Review.objects.filter(**request.GET.dict())
    # ruleid: no-request-data-spread-into-orm
    Review.objects.exclude(**request.POST)
    # ok: no-request-data-spread-into-orm
    Review.objects.filter(status=request.GET.get("status"))


def sort(request, form):
    key = request.GET.get("o", "reference")
    # ruleid: no-user-chosen-order-by
    Review.objects.order_by(key)
    # ok: no-user-chosen-order-by
    Review.objects.order_by(form.cleaned_data["o"])


def safe(review):
    # ruleid: no-mark-safe-on-data
    mark_safe(f"<p>{review.summary}</p>")
    # ok: no-mark-safe-on-data
    mark_safe("<br>")


def bulk_write(cursor):
    import pgtrigger

    # ruleid: no-trigger-switched-off
    pgtrigger.disable("reviews.Review:insert_insert")
    # ruleid: no-trigger-switched-off
    with pgtrigger.ignore("reviews.Finding:insert_insert"):
        pass
    # The statement the rule exists to refuse, spelled out as its test input (this file is never run).
    # ruleid: no-trigger-switched-off
    cursor.execute("ALTER TABLE reviews_finding DISABLE TRIGGER USER")
    # ruleid: no-trigger-switched-off
    cursor.execute("SET session_replication_role = replica")
    # ok: no-trigger-switched-off
    cursor.execute("ALTER TABLE reviews_finding ENABLE TRIGGER USER")
