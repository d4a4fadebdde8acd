"""The review's action plan page's address, for the reminder tests, until branch i15-plans (which builds the page)
is merged: the same path and name (``reviews:plan``), so the links in the emails are checked as they will be.
Once that page is in reviews/urls.py, delete this module and the ``urls`` mark in tests/test_action_reminders.py."""

from django.http import HttpResponse
from django.urls import include, path


def plan_page(request, pk):
    return HttpResponse()


urlpatterns = [path("reviews/", include(([path("<int:pk>/actions/", plan_page, name="plan")], "reviews")))]
