-- A reset pull (a new enrollment, a cursor the server no longer knows) keeps what the workstation
-- holds until the whole reset has arrived, instead of emptying it with the first page: the rows held
-- before the reset are listed here, each crossed off when the server sends it again, and those never
-- sent again are removed with the last page (src/sync/apply.ts). Empty between resets.
CREATE TABLE sync_reset_rows (
  table_name TEXT NOT NULL,
  row_key    TEXT NOT NULL,
  PRIMARY KEY (table_name, row_key)
) WITHOUT ROWID;
