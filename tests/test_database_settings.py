"""The app's database connections: the planner's settings they start with (scr_register/settings.py)."""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_connections_plan_for_ssd_storage():
    # A search for a reference prefix reads the GIN index instead of scanning every search document.
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone() == ("1.1",)


def test_the_reporting_alias_has_the_same_planner_cost_and_no_jit():
    options = settings.DATABASES["reporting"]["OPTIONS"]["options"].split()
    assert "random_page_cost=1.1" in options
    assert "jit=off" in options
