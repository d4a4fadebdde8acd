"""Static files in the suite: a fresh clone (no `collectstatic` yet) runs without warnings about them."""

import warnings

from django.test import Client


def test_a_request_on_a_fresh_clone_warns_about_no_missing_static_folder(db):
    # WhiteNoise warns "No directory at: .../staticfiles/" for every new handler when STATIC_ROOT is missing.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = Client().get("/healthz", secure=True)

    assert response.status_code == 200
