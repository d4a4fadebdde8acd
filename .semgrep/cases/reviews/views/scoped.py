# Cases for no-unscoped-review-read (the path matches reviews/views/), checked by tests/test_semgrep_rules.py.
# ruff: noqa
from django.shortcuts import get_object_or_404

from reviews.models import Review


def detail(request, pk):
    # ruleid: no-unscoped-review-read
    Review.objects.get(pk=pk)
    # ruleid: no-unscoped-review-read
    get_object_or_404(Review, pk=pk)
    # ok: no-unscoped-review-read
    get_object_or_404(Review.objects.for_user(request.user), pk=pk)
