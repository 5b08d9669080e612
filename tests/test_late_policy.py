"""The per-template late policy (issue 10; 富宁/太仓/兴平): under `close` input closes some days
after the due time, in chat, on the pages and through the API, with a polite answer saying when
and what to do; a returned task stays open; an inspector's 补报 unlock (with a reason, audited,
the assignee told) opens it again. Under `allow` late work is accepted as before."""


def test_the_migration_adds_the_columns_the_models_declare(app):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from models import Base

    with app.extensions["db_engine"].connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata)
                       if any(name in str(d) for name in (
                           "late_policy", "close_after_days", "unlocked_at", "unlocked_by_id"))]
    assert differences == []
