/**
 * Compiles an Oso data filter into one SQL boolean expression over the model table (alias `m`).
 *
 * A filter is an OR of AND-branches. Relations of all branches arrive merged (OSO-NOTES trap 1), so a
 * join at the top level could drop rows another branch allows; instead every branch that follows a
 * relation becomes its own subquery:
 *  - `m.fk IN (SELECT … )` when it only constrains the related rows (uncorrelated: SQLite evaluates it
 *    once and drives the outer query through an index, which is what keeps ward census fast);
 *  - `EXISTS (SELECT 1 … WHERE … = m.col …)` when a condition compares a related row with the model row.
 * The `row` shape, for deciding about one known row, uses the correlated EXISTS everywhere: it probes
 * the related rows of that one row through their indexes instead of materializing every related row.
 * Comparisons keep Polar's null semantics: `= nil` is `IS NULL`, and `!=` is null-safe.
 */
import { Relation, type Datum, type Filter, type FilterCondition } from 'oso';
import type { Dialect, SqlValue } from '../store/db';
import { FALSE, TRUE, type Sql } from '../store/sql';
import { authzType, typeByClass, type AuthzType } from './model';

/** A compiled filter: a boolean SQL expression over alias `m` (`sql`) for rows of `model`. */
export interface AuthzQuery extends Sql {
  model: AuthzType;
  /** The OR-branches `sql` joins, when there are several (engine.ts distributes conjuncts over them). */
  branches?: Sql[];
  /**
   * List shape: branches whose OR is exactly this filter, each a conjunction led by one relation or
   * column of the model row (engine.ts), so each can drive its own statement through an index. The
   * whole filter `(g1 OR g2) AND cleared AND NOT withheld` cannot: SQLite and PostgreSQL scan the
   * model table for an OR of subqueries under an AND (`selectIndexed` runs them one by one).
   */
  indexed?: Sql[];
}

const quote = (id: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/i.test(id)) throw new Error(`Unsafe SQL identifier: ${id}`);
  return `"${id}"`;
};

const aliasOf = (model: string, type: string): string => (type === model ? 'm' : `t_${type}`);

interface Link {
  from: string;
  rel: Relation;
}

/** `list`: many rows of the model (lists, scopes); `row`: a decision about one row. */
export type FilterShape = 'list' | 'row';

export function compileFilter(filter: Filter, dialect: Dialect, shape: FilterShape = 'list'): AuthzQuery {
  const model = authzType(filter.model);
  const parents = new Map<string, Link>();
  for (const r of filter.relations) {
    const rel = authzType(r.fromTypeName).fields[r.fromFieldName];
    if (!(rel instanceof Relation)) throw new Error(`${r.fromTypeName}.${r.fromFieldName} is not a relation`);
    if (parents.has(r.toTypeName)) {
      throw new Error(`${r.toTypeName} is the target of two relations in one filter; give one of them its own link type`);
    }
    parents.set(r.toTypeName, { from: r.fromTypeName, rel });
  }
  const ctx = new BranchCompiler(model, parents, dialect, shape);
  const branches = filter.conditions.map((and) => ctx.branch(and));
  const live = branches.filter((b) => b !== FALSE);
  if (live.length === 0) return { model, sql: FALSE.sql, params: [] };
  if (live.includes(TRUE)) return { model, sql: TRUE.sql, params: [] };
  return {
    model,
    sql: live.map((b) => `(${b.sql})`).join(' OR '),
    params: live.flatMap((b) => b.params),
    ...(live.length > 1 ? { branches: live } : {}),
  };
}

class BranchCompiler {
  constructor(
    private readonly model: AuthzType,
    private readonly parents: Map<string, Link>,
    private readonly dialect: Dialect,
    private readonly shape: FilterShape,
  ) {}

  branch(conds: FilterCondition[]): Sql {
    const outer: Sql[] = [];
    const inner: Array<{ cond: FilterCondition; sql: Sql }> = [];
    for (const c of conds) {
      const constant = constantValue(c);
      if (constant === false) return FALSE;
      if (constant === true) continue;
      const types = referencedTypes(c);
      const sql = this.condition(c);
      if ([...types].every((t) => t === this.model.name)) outer.push(sql);
      else inner.push({ cond: c, sql });
    }
    if (inner.length === 0) return joinAnd(outer);
    return joinAnd([...outer, this.subquery(inner)]);
  }

  /** Builds the subquery that follows the relations an AND-branch needs. */
  private subquery(inner: Array<{ cond: FilterCondition; sql: Sql }>): Sql {
    const needed = new Set<string>();
    let correlated = false;
    for (const { cond } of inner) {
      for (const t of referencedTypes(cond)) {
        if (t === this.model.name) {
          correlated = true;
          continue;
        }
        for (let cur: string | undefined = t; cur && cur !== this.model.name; cur = this.parents.get(cur)?.from) {
          if (!this.parents.has(cur)) throw new Error(`Filter references ${cur} without a relation to it`);
          needed.add(cur);
        }
      }
    }
    // Parents before children, so every join condition refers to a table already in FROM.
    const order = [...needed].sort((a, b) => this.depth(a) - this.depth(b));
    const roots = order.filter((t) => this.parents.get(t)!.from === this.model.name);
    const from = order.map((t) => `${quote(authzType(t).table)} ${aliasOf(this.model.name, t)}`).join(', ');
    const links = order.filter((t) => !roots.includes(t)).map((t) => this.linkSql(t));
    const conds = inner.map((i) => i.sql);
    if (!correlated && roots.length === 1 && this.shape === 'list') {
      const root = roots[0]!;
      const { rel } = this.parents.get(root)!;
      const body = joinAnd([...links.map((s) => ({ sql: s, params: [] })), ...conds]);
      return {
        sql: `m.${quote(rel.myField)} IN (SELECT ${aliasOf(this.model.name, root)}.${quote(rel.otherField)} FROM ${from} WHERE ${body.sql})`,
        params: body.params,
      };
    }
    const body = joinAnd([...order.map((t) => ({ sql: this.linkSql(t), params: [] })), ...conds]);
    const exists: Sql = { sql: `EXISTS (SELECT 1 FROM ${from} WHERE ${body.sql})`, params: body.params };
    if (!correlated || roots.length !== 1 || this.shape !== 'list') return exists;
    // A list cannot drive a correlated EXISTS through an index: SQLite scans the whole model table
    // and probes per row (every record of the hospital, for a care team's specialty rule). The same
    // subquery without the conditions that mention the model row is implied by the EXISTS, and is
    // uncorrelated, so `m.fk IN (…)` in front of it lets the planner start from the few related rows.
    const root = roots[0]!;
    const { rel } = this.parents.get(root)!;
    const uncorrelated = inner.filter((i) => !referencedTypes(i.cond).has(this.model.name)).map((i) => i.sql);
    const guardBody = joinAnd([...links.map((s) => ({ sql: s, params: [] })), ...uncorrelated]);
    return {
      sql: `m.${quote(rel.myField)} IN (SELECT ${aliasOf(this.model.name, root)}.${quote(rel.otherField)} FROM ${from} WHERE ${guardBody.sql}) AND ${exists.sql}`,
      params: [...guardBody.params, ...exists.params],
    };
  }

  private depth(t: string): number {
    let d = 0;
    for (let cur = this.parents.get(t); cur; cur = this.parents.get(cur.from)) d++;
    return d;
  }

  private linkSql(t: string): string {
    const { from, rel } = this.parents.get(t)!;
    return `${aliasOf(this.model.name, t)}.${quote(rel.otherField)} = ${aliasOf(this.model.name, from)}.${quote(rel.myField)}`;
  }

  private column(typeName: string, fieldName: string | undefined): string {
    const type = authzType(typeName);
    const field = fieldName ?? type.pk;
    if (!field) throw new Error(`${typeName} has no primary key to compare`);
    const declared = type.fields[field];
    if (declared === undefined && field !== type.pk) {
      throw new Error(`${typeName}.${field} is used by the policy but not declared in src/authz/model.ts`);
    }
    if (declared instanceof Relation) {
      throw new Error(`${typeName}.${field} is a relation; compare one of its fields instead`);
    }
    return `${aliasOf(this.model.name, typeName)}.${quote(field)}`;
  }

  private condition(c: FilterCondition): Sql {
    const { cmp } = c;
    const op = cmp as string;
    if (op === 'In' || op === 'Nin') return this.membership(c.lhs, c.rhs, op === 'Nin');
    const l = this.datum(c.lhs);
    const r = this.datum(c.rhs);
    const nullSafe = this.dialect === 'sqlite' ? ['IS', 'IS NOT'] : ['IS NOT DISTINCT FROM', 'IS DISTINCT FROM'];
    switch (op) {
      case 'Eq':
        if (l.isNull) return { sql: `${r.sql} IS NULL`, params: r.params };
        if (r.isNull) return { sql: `${l.sql} IS NULL`, params: l.params };
        if (l.projection && r.projection) return bin(l, nullSafe[0]!, r);
        return bin(l, '=', r);
      case 'Neq':
        if (l.isNull) return { sql: `${r.sql} IS NOT NULL`, params: r.params };
        if (r.isNull) return { sql: `${l.sql} IS NOT NULL`, params: l.params };
        return bin(l, nullSafe[1]!, r);
      case 'Lt':
        return bin(l, '<', r);
      case 'Leq':
        return bin(l, '<=', r);
      case 'Gt':
        return bin(l, '>', r);
      case 'Geq':
        return bin(l, '>=', r);
      default:
        throw new Error(`Unsupported comparison in data filter: ${op}`);
    }
  }

  private membership(lhs: Datum, rhs: Datum, negate: boolean): Sql {
    if (!('value' in rhs) || !Array.isArray(rhs.value)) {
      throw new Error('Data filter "in" needs a list of values on its right');
    }
    const l = this.datum(lhs);
    const values = rhs.value.map(toSqlValue);
    if (values.length === 0) return negate ? TRUE : FALSE;
    const list = values.map(() => '?').join(', ');
    return { sql: `${l.sql} ${negate ? 'NOT IN' : 'IN'} (${list})`, params: [...l.params, ...values] };
  }

  private datum(d: Datum): Sql & { isNull: boolean; projection: boolean } {
    if ('typeName' in d) return { sql: this.column(d.typeName, d.fieldName), params: [], isNull: false, projection: true };
    const v = toSqlValue(d.value);
    if (v === null) return { sql: 'NULL', params: [], isNull: true, projection: false };
    return { sql: '?', params: [v], isNull: false, projection: false };
  }
}

function bin(l: Sql, op: string, r: Sql): Sql {
  return { sql: `${l.sql} ${op} ${r.sql}`, params: [...l.params, ...r.params] };
}

function joinAnd(parts: Sql[]): Sql {
  if (parts.length === 0) return TRUE;
  return { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
}

function referencedTypes(c: FilterCondition): Set<string> {
  const s = new Set<string>();
  for (const d of [c.lhs, c.rhs]) if ('typeName' in d) s.add(d.typeName);
  return s;
}

/** Conditions between two immediates (Oso sends `true = false` for "nothing allowed"). */
function constantValue(c: FilterCondition): boolean | undefined {
  if (!('value' in c.lhs) || !('value' in c.rhs)) return undefined;
  const a = toSqlValue(c.lhs.value);
  const b = toSqlValue(c.rhs.value);
  switch (c.cmp as string) {
    case 'Eq':
      return a === b;
    case 'Neq':
      return a !== b;
    case 'Lt':
      return a !== null && b !== null && a < b;
    case 'Leq':
      return a !== null && b !== null && a <= b;
    case 'Gt':
      return a !== null && b !== null && a > b;
    case 'Geq':
      return a !== null && b !== null && a >= b;
    default:
      throw new Error(`Unsupported constant comparison in data filter: ${String(c.cmp)}`);
  }
}

/** Immediate values: host instances compare by primary key; booleans are stored as integers. */
export function toSqlValue(v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'object') {
    const type = typeByClass.get((v as object).constructor);
    if (type?.pk) return toSqlValue((v as Record<string, unknown>)[type.pk]);
  }
  throw new Error(`Cannot use ${Object.prototype.toString.call(v)} as a value in a data filter`);
}

export interface SelectOptions {
  /** Extra condition over alias `m` (ANDed with the policy's). */
  where?: string;
  params?: SqlValue[];
  orderBy?: string;
  limit?: number;
  columns?: string;
  /** Extra joins after `FROM table m` (for display columns such as room names). */
  joins?: string;
  /** Parameters of `joins`' placeholders; they precede the policy's in the statement. */
  joinParams?: SqlValue[];
  /** Replaces the model table (a derived table holding one not-yet-stored object). */
  from?: string;
}

/**
 * The rows of `selectSql` with the filter's indexed branches (`AuthzQuery.indexed`) as separate
 * SELECTs joined by UNION (which also removes duplicates): each arm is planned on its own and starts
 * from its branch's index. Columns must identify the rows the caller wants (a key or a patient id).
 */
export function selectIndexed(q: AuthzQuery, opts: SelectOptions & { columns: string }): Sql {
  const branches = q.indexed ?? [q];
  if (branches.length <= 1 || opts.orderBy || opts.limit !== undefined) return selectSql(q, opts);
  const arms = branches.map((b) => selectSql({ model: q.model, ...b }, opts));
  return { sql: arms.map((a) => a.sql).join(' UNION '), params: arms.flatMap((a) => a.params) };
}

export function selectSql(q: AuthzQuery, opts: SelectOptions = {}): Sql {
  let sql = `SELECT ${opts.columns ?? 'm.*'} FROM ${opts.from ?? quote(q.model.table)} m ${opts.joins ?? ''} WHERE (${q.sql})`;
  const params = [...(opts.joinParams ?? []), ...q.params];
  if (opts.where) {
    sql += ` AND (${opts.where})`;
    params.push(...(opts.params ?? []));
  }
  if (opts.orderBy) sql += ` ORDER BY ${opts.orderBy}`;
  if (opts.limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(opts.limit);
  }
  return { sql, params };
}
