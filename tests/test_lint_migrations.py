"""The migration linter catches locking hazards, and no migration after the baseline has one."""

import pytest

from ops import lint_migrations


def test_an_index_built_without_concurrently_is_a_locking_hazard():
    findings = lint_migrations.lint_sql('CREATE INDEX "review_title_idx" ON "reviews_review" ("title");')
    assert [f["rule_name"] for f in findings] == ["require-concurrent-index-creation"]


def test_a_foreign_key_added_in_place_is_a_locking_hazard():
    sql = (
        'ALTER TABLE "reviews_finding" ADD CONSTRAINT "f_fk" FOREIGN KEY ("review_id") '
        'REFERENCES "reviews_review" ("id");'
    )
    rules = {f["rule_name"] for f in lint_migrations.lint_sql(sql)}
    assert "adding-foreign-key-constraint" in rules


def test_a_concurrent_index_is_safe():
    assert lint_migrations.lint_sql('CREATE INDEX CONCURRENTLY "review_title_idx" ON "reviews_review" ("title");') == []


@pytest.mark.django_db
def test_no_migration_after_the_baseline_has_a_locking_hazard(capsys):
    assert lint_migrations.main() == 0, capsys.readouterr().out
