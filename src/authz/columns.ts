/** Columns of the tables behind authorization types (for deciding on a not-yet-stored object). */
import { isTableName, TABLES } from '../store/tables';

export function tableColumns(table: string): readonly string[] {
  if (!isTableName(table)) throw new Error(`Cannot decide on an unsaved ${table} row`);
  return TABLES[table].columns;
}
