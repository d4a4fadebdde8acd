"""Operational drills and checks, runnable as scripts and tested by tests/test_drills.py."""
