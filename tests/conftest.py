"""Shared fixtures: one user per role, and boards from the shipped reference data."""

import pytest

from tests.factories import UserFactory, board


@pytest.fixture
def birmingham(db):
    return board("E08000025")


@pytest.fixture
def coventry(db):
    return board("E08000026")


@pytest.fixture
def board_user(db):
    return UserFactory(username="board", role="board_staff", boards=["E08000025"])


@pytest.fixture
def inspector(db):
    return UserFactory(username="inspector", role="inspector")


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role="manager")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", role="admin")
