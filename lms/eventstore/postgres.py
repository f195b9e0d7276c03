"""PostgreSQL recorder that chains every event's hash and refuses UPDATE, DELETE and TRUNCATE."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.sql import SQL, Composed, Identifier

from lms.eventstore.chain import APPEND_ONLY_MESSAGE, EVENTS_TABLE, GENESIS, links

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import StoredEvent
    from psycopg import Cursor
    from psycopg.rows import DictRow


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = EVENTS_TABLE):
        if datastore.enable_db_functions:
            msg = "POSTGRES_ENABLE_DB_FUNCTIONS inserts events without chaining them: unset it"
            raise ValueError(msg)
        # The factory names the table after the application; the log is one table, so that
        # `verify_log` finds it without knowing which application wrote to it.
        del events_table_name
        super().__init__(datastore, events_table_name=EVENTS_TABLE)
        self.sql_create_statements[self.create_table_statement_index] = self._create_table_sql()
        # The library's insert function writes no chain hash; leave no such path in the database.
        del self.sql_create_statements[self.create_insert_function_statement_index]
        self.sql_create_statements.extend(self._append_only_guard_sql())
        self.select_chain_head_statement = self._format(
            "SELECT chain_hash FROM {schema}.{table} ORDER BY notification_id DESC LIMIT 1"
        )
        self.insert_chained_events_statement = self._format(
            "INSERT INTO {schema}.{table} "
            "(originator_id, originator_version, topic, state, chain_hash) "
            "SELECT originator_id, originator_version, topic, state, chain_hash "
            "FROM unnest(%s::{id_type}[], %s::bigint[], %s::text[], %s::bytea[], %s::bytea[]) "
            "WITH ORDINALITY "
            "AS e(originator_id, originator_version, topic, state, chain_hash, position) "
            # Notification ids must ascend in the order the hashes were chained.
            "ORDER BY position "
            "RETURNING notification_id"
        )

    def _format(self, template: str, **identifiers: str) -> Composed:
        return SQL(template).format(
            schema=Identifier(self.datastore.schema),
            table=Identifier(self.events_table_name),
            id_type=Identifier(self.datastore.originator_id_type),
            **{name: Identifier(value) for name, value in identifiers.items()},
        )

    def _create_table_sql(self) -> Composed:
        return self._format(
            "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
            "originator_id {id_type} NOT NULL, "
            "originator_version bigint NOT NULL, "
            "topic text, "
            "state bytea, "
            "notification_id bigserial, "
            "chain_hash bytea NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version)) "
            # The library's autovacuum tuning for an insert-only table.
            "WITH (autovacuum_enabled = true, "
            "autovacuum_vacuum_threshold = 100000000, "
            "autovacuum_vacuum_scale_factor = 0.5, "
            "autovacuum_analyze_threshold = 1000, "
            "autovacuum_analyze_scale_factor = 0.01)"
        )

    def _append_only_guard_sql(self) -> list[Composed]:
        names = {
            "function": f"{self.events_table_name}_append_only",
            "row_trigger": f"{self.events_table_name}_no_update_or_delete",
            "truncate_trigger": f"{self.events_table_name}_no_truncate",
        }
        return [
            self._format(
                "CREATE OR REPLACE FUNCTION {schema}.{function}() RETURNS trigger "
                "LANGUAGE plpgsql AS $BODY$ BEGIN "
                f"RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'restrict_violation'; "
                "END $BODY$",
                **names,
            ),
            self._format(
                "CREATE OR REPLACE TRIGGER {row_trigger} "
                "BEFORE UPDATE OR DELETE ON {schema}.{table} "
                "FOR EACH ROW EXECUTE FUNCTION {schema}.{function}()",
                **names,
            ),
            self._format(
                "CREATE OR REPLACE TRIGGER {truncate_trigger} "
                "BEFORE TRUNCATE ON {schema}.{table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION {schema}.{function}()",
                **names,
            ),
        ]

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        # The table lock serialises writers, so the chain head cannot move until commit.
        self._lock_table(curs)
        self._notify_channel(curs)
        chain_hashes = links(self._chain_head(curs), stored_events)
        curs.execute(
            self.insert_chained_events_statement,
            (
                [event.originator_id for event in stored_events],
                [event.originator_version for event in stored_events],
                [event.topic for event in stored_events],
                [event.state for event in stored_events],
                chain_hashes,
            ),
        )

    def _chain_head(self, curs: Cursor[DictRow]) -> bytes:
        # Fetching inside the library's pipeline syncs it: the lock is held before we read.
        row = curs.execute(self.select_chain_head_statement).fetchone()
        return GENESIS if row is None else row["chain_hash"]
