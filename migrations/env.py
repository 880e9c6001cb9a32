import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name)
logger = logging.getLogger('alembic.env')


def get_engine():
    try:
        # this works with Flask-SQLAlchemy<3 and Alchemical
        return current_app.extensions['migrate'].db.get_engine()
    except (TypeError, AttributeError):
        # this works with Flask-SQLAlchemy>=3
        return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table and drops the old one, which the rows of other tables
            # still reference: the check waits until every step is done (foreign_key_check).
            # The pragma only changes outside a transaction, so before the first query.
            _sqlite_foreign_keys(connection, on=False)
        try:
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                # SQLite has transactional DDL: all steps commit together, after the check.
                **({"transactional_ddl": True} if sqlite else {}),
                **conf_args
            )
            _back_up_before_changes(context.get_context(), connection)

            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                connection.rollback()
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection, on):
    """Switch SQLite's foreign key enforcement on the raw connection, outside any transaction."""
    raw = connection.connection.driver_connection
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    if raw.execute("PRAGMA foreign_keys").fetchone()[0] != int(on):
        raise RuntimeError("Could not switch SQLite's foreign keys: a transaction is open.")


def _check_foreign_keys(connection):
    """Refuse to commit migrations that leave a row pointing at nothing (the exit rolls back)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise SystemExit(
            f"Not migrated, nothing was changed: {len(broken)} row(s) would point at rows that "
            f"do not exist (table, row id, referenced table): "
            f"{[tuple(row[:3]) for row in broken[:5]]}")


def _names(revisions):
    return "+".join(revisions) or "base"


def _back_up_before_changes(migration_context, connection):
    """Before a step up or down on a database that holds data, back it up and name the file;
    before a step down, also say what the downgrade drops (each revision's DROPPED_BY_DOWNGRADE).
    The rollback path is restoring that backup, not a downgrade.
    """
    from alembic.runtime.migration import RevisionStep
    from flask_babel import force_locale

    from wallchart.services import backup

    # The function run_migrations() takes its steps from (it only reads): the same plan.
    plan = migration_context._migrations_fn
    steps = [] if plan is None else [
        step for step in plan(migration_context.get_current_heads(), migration_context)
        if isinstance(step, RevisionStep)]
    if not steps:
        connection.rollback()
        return
    direction = "upgrade" if steps[0].is_upgrade else "downgrade"
    start, end = _names(steps[0].from_revisions), _names(steps[-1].to_revisions)
    if not steps[0].is_upgrade:
        for step in steps:
            dropped = getattr(step.revision.module, "DROPPED_BY_DOWNGRADE", "not described")
            logger.warning("Downgrade from %s drops: %s", step.revision.revision, dropped)
    has_data = backup.holds_data(connection)
    # End the read: the backup and the migration's transaction start from here.
    connection.rollback()
    if has_data:
        try:
            # Said in the English of the migration's log and its refusal, whatever the console.
            with force_locale("en"):
                path = backup.automatic_backup(f"{direction}-{start}-to-{end}")
        except backup.BackupError as error:
            raise SystemExit(f"No {direction} without a backup, and the backup failed: "
                             f"{error}") from None
        logger.info("Backed up the database before the %s %s -> %s: %s",
                    direction, start, end, path)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
