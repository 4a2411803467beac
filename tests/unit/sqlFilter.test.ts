/** The data-filter compiler on hand-made filters: shapes, null semantics and refusals. */
import type { Filter } from 'oso';
import { describe, expect, it } from 'vitest';
import { PatientResource } from '../../src/authz/model';
import { compileFilter, selectSql, toSqlValue } from '../../src/authz/sqlFilter';

const filter = (f: Partial<Filter> & Pick<Filter, 'model' | 'conditions'>): Filter =>
  ({ relations: [], types: new Map(), ...f }) as Filter;

describe('compileFilter', () => {
  it('turns "nothing allowed" (true = false) into a false condition', () => {
    const q = compileFilter(
      filter({ model: 'Patient', conditions: [[{ lhs: { value: true }, cmp: 'Eq', rhs: { value: false } }]] }),
      'sqlite',
    );
    expect(q.sql).toBe('1=0');
    expect(compileFilter(filter({ model: 'Patient', conditions: [] }), 'sqlite').sql).toBe('1=0');
  });

  it('turns an empty branch into "everything"', () => {
    expect(compileFilter(filter({ model: 'Patient', conditions: [[]] }), 'sqlite').sql).toBe('1=1');
  });

  it('keeps Polar null semantics: = nil is IS NULL, != is null-safe', () => {
    const q = compileFilter(
      filter({
        model: 'Patient',
        conditions: [
          [{ lhs: { typeName: 'Patient', fieldName: 'room_id' }, cmp: 'Eq', rhs: { value: null } }],
          [{ lhs: { typeName: 'Patient', fieldName: 'status' }, cmp: 'Neq', rhs: { value: 'discharged' } }],
        ],
      }),
      'sqlite',
    );
    expect(q.sql).toBe('(m."room_id" IS NULL) OR (m."status" IS NOT ?)');
    expect(q.params).toEqual(['discharged']);
    const pg = compileFilter(
      filter({
        model: 'Patient',
        conditions: [[{ lhs: { typeName: 'Patient', fieldName: 'status' }, cmp: 'Neq', rhs: { value: 'x' } }]],
      }),
      'postgres',
    );
    expect(pg.sql).toBe('(m."status" IS DISTINCT FROM ?)');
  });

  it('follows a relation with an uncorrelated IN subquery, so the outer query can use an index', () => {
    const q = compileFilter(
      filter({
        model: 'Patient',
        relations: [{ fromTypeName: 'Patient', fromFieldName: 'room', toTypeName: 'Room' }],
        conditions: [[{ lhs: { value: 'w1' }, cmp: 'Eq', rhs: { typeName: 'Room', fieldName: 'ward_id' } }]],
      }),
      'sqlite',
    );
    expect(q.sql).toBe('(m."room_id" IN (SELECT t_Room."id" FROM "room_scope" t_Room WHERE ? = t_Room."ward_id"))');
  });

  it('in the row shape (one known row) probes the relation with a correlated EXISTS instead', () => {
    const q = compileFilter(
      filter({
        model: 'Patient',
        relations: [{ fromTypeName: 'Patient', fromFieldName: 'room', toTypeName: 'Room' }],
        conditions: [[{ lhs: { value: 'w1' }, cmp: 'Eq', rhs: { typeName: 'Room', fieldName: 'ward_id' } }]],
      }),
      'sqlite',
      'row',
    );
    expect(q.sql).toBe('(EXISTS (SELECT 1 FROM "room_scope" t_Room WHERE t_Room."id" = m."room_id" AND ? = t_Room."ward_id"))');
    expect(q.params).toEqual(['w1']);
  });

  it('uses a correlated EXISTS when a related row is compared with the model row', () => {
    const q = compileFilter(
      filter({
        model: 'Record',
        relations: [
          { fromTypeName: 'Record', fromFieldName: 'patient', toTypeName: 'Patient' },
          { fromTypeName: 'Patient', fromFieldName: 'team_specialties', toTypeName: 'TeamSpecialty' },
        ],
        conditions: [
          [
            {
              lhs: { typeName: 'Record', fieldName: 'category' },
              cmp: 'Eq',
              rhs: { typeName: 'TeamSpecialty', fieldName: 'specialty' },
            },
          ],
        ],
      }),
      'sqlite',
    );
    expect(q.sql).toContain('EXISTS (SELECT 1 FROM "patients" t_Patient, "patient_team_specialties" t_TeamSpecialty WHERE');
    expect(q.sql).toContain('t_Patient."id" = m."patient_id"');
    expect(q.sql).toContain('m."category" IS t_TeamSpecialty."specialty"');
  });

  it("does not let one branch's relation drop rows another branch allows (OSO-NOTES trap 1)", () => {
    const q = compileFilter(
      filter({
        model: 'Patient',
        relations: [{ fromTypeName: 'Patient', fromFieldName: 'room', toTypeName: 'Room' }],
        conditions: [
          [{ lhs: { value: 'w1' }, cmp: 'Eq', rhs: { typeName: 'Room', fieldName: 'ward_id' } }],
          [{ lhs: { value: 'p-out' }, cmp: 'Eq', rhs: { typeName: 'Patient', fieldName: 'id' } }],
        ],
      }),
      'sqlite',
    );
    // The second branch stands alone: a roomless patient is not lost to a join on rooms.
    expect(q.sql.split(' OR ')[1]).toBe('(? = m."id")');
  });

  it('compares host instances by primary key and lists with IN', () => {
    expect(toSqlValue(new PatientResource({ id: 'p-1' }))).toBe('p-1');
    const q = compileFilter(
      filter({
        model: 'Observation',
        conditions: [
          [{ lhs: { typeName: 'Observation', fieldName: 'category' }, cmp: 'In' as never, rhs: { value: ['lab', 'imaging'] } }],
        ],
      }),
      'sqlite',
    );
    expect(q.sql).toBe('(m."category" IN (?, ?))');
    expect(q.params).toEqual(['lab', 'imaging']);
  });

  it('refuses fields the model does not declare and a type reached twice', () => {
    expect(() =>
      compileFilter(
        filter({
          model: 'Patient',
          conditions: [[{ lhs: { typeName: 'Patient', fieldName: 'password' }, cmp: 'Eq', rhs: { value: 1 } }]],
        }),
        'sqlite',
      ),
    ).toThrow(/Patient\.password is used by the policy but not declared/);
    expect(() =>
      compileFilter(
        filter({
          model: 'Record',
          conditions: [[]],
          relations: [
            { fromTypeName: 'Record', fromFieldName: 'patient', toTypeName: 'Patient' },
            { fromTypeName: 'Record', fromFieldName: 'appointment', toTypeName: 'Patient' },
          ],
        }),
        'sqlite',
      ),
    ).toThrow(/target of two relations/);
  });

  it('builds the final statement with extra conditions, order and limit', () => {
    const q = compileFilter(
      filter({
        model: 'Patient',
        conditions: [[{ lhs: { typeName: 'Patient', fieldName: 'org_id' }, cmp: 'Eq', rhs: { value: 'o' } }]],
      }),
      'sqlite',
    );
    expect(selectSql(q, { where: 'm.status = ?', params: ['admitted'], orderBy: 'm.name', limit: 5 })).toEqual({
      sql: 'SELECT m.* FROM "patients" m  WHERE ((m."org_id" = ?)) AND (m.status = ?) ORDER BY m.name LIMIT ?',
      params: ['o', 'admitted', 5],
    });
  });
});
