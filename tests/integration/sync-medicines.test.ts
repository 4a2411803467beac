/**
 * SPEC §6 over sync, issue 19 item 4: a dose given is a fact. Two ward workstations go offline, each
 * records the same dose (a scheduled dose; a prn dose inside its minimum interval), and they reconnect
 * in either order: the server keeps both, marks the later as a possible double dose, raises ONE
 * `critical` alert whose id derives from it, and both workstations end up holding both doses, the mark
 * and the alert. Nothing either nurse recorded is lost. SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { at, scheduledDose, setClocks, wardNursingWorld } from '../helpers/offlineDoses';
import { describeSync, type TestWorkstation } from '../helpers/sync';

/** Alice's morphine as required (mo-2: controlled, at least 4 hours apart), witnessed. */
const prnDose = (time: string, witness: string): Record<string, unknown> & { id: string } => ({
  id: `mad-${randomUUID()}`,
  order_id: 'mo-2',
  status: 'given',
  at: at(time),
  dose: 5,
  route: 'sc',
  wristband: { value: 'GH-0001' },
  product: { value: '05012345678917' },
  witness_id: witness,
});

type Row = { id: string; possible_double_dose: number | string };

/** The dose with its witness's signature, by the witness's key held on this workstation (docs/security.md). */
async function witnessed<D extends Record<string, unknown> & { id: string }>(ws: TestWorkstation, nurse: string, d: D) {
  const witness = String(d.witness_id);
  const proof = await ws.keys.witnessProof(ws.keys.heldKey(witness)!, {
    administration_id: d.id,
    order_id: String(d.order_id),
    nurse_id: nurse,
    witness_id: witness,
  });
  return { ...d, witness_proof: proof };
}

describeSync('a dose given twice on two offline workstations', wardNursingWorld, (t) => {
  const doses = async (ws: TestWorkstation, order: string): Promise<Row[]> =>
    ws.db.all<Row>('SELECT id, possible_double_dose FROM medication_administrations WHERE order_id = ? ORDER BY id', [order]);
  const serverDoses = async (order: string): Promise<Row[]> =>
    (
      await t.srv.db.all<Row>('SELECT id, possible_double_dose FROM medication_administrations WHERE order_id = ? ORDER BY id', [
        order,
      ])
    ).map((r) => ({ id: r.id, possible_double_dose: Number(r.possible_double_dose) }));

  for (const first of ['a', 'b'] as const) {
    it(`a scheduled dose: both kept, the later marked, one critical alert everywhere (${first} reconnects first)`, async () => {
      const a = await t.workstationWith('ward-a', 'nina');
      const b = await t.workstationWith('ward-b', 'nora');
      setClocks(t, at('20:10'), a, b);
      a.online = false;
      b.online = false;
      const da = scheduledDose('20:02');
      const db = scheduledDose('20:05');
      await a.run('u-nina', 'recordAdministration', da);
      await b.run('u-nora', 'recordAdministration', db);

      const [x, y] = first === 'a' ? [a, b] : [b, a];
      x.online = true;
      await x.sync.syncNow();
      y.online = true;
      await y.sync.syncNow();
      await x.sync.syncNow();

      // Both facts kept; the later (20:05, on b) is the one marked, whichever arrived first.
      const expected = [da.id, db.id].sort().map((id) => ({ id, possible_double_dose: id === db.id ? 1 : 0 }));
      const mo1 = (rows: Row[]): Row[] =>
        rows.filter((r) => r.id !== 'ma-1').map((r) => ({ id: r.id, possible_double_dose: Number(r.possible_double_dose) }));
      expect(mo1(await serverDoses('mo-1'))).toEqual(expected);
      for (const ws of [a, b]) {
        expect(mo1(await doses(ws, 'mo-1'))).toEqual(expected);
        expect(
          await ws.db.get('SELECT severity, status, kind, message FROM alerts WHERE id = ?', [`double-dose:${db.id}`]),
        ).toEqual({
          severity: 'critical',
          status: 'open',
          kind: 'double_dose',
          message: expect.stringMatching(/^Possible double dose: Clarithromycin 500 mg/),
        });
        expect(await ws.db.all("SELECT id FROM alerts WHERE kind = 'double_dose'")).toHaveLength(1);
        // Nothing waits to be sent and nothing was refused: no record of either nurse was lost.
        expect((await ws.sync.status()).pending).toBe(0);
      }
      expect(await t.serverCount('alerts', "kind = 'double_dose'")).toBe(1);
      expect(await t.serverCount('mutations', "status <> 'applied'")).toBe(0);
    }, 120_000);
  }

  for (const first of ['a', 'b'] as const) {
    it(`a controlled prn dose inside its interval, each witnessed: both kept with their witnesses (${first} reconnects first)`, async () => {
      // Each witness has signed in once on the other's workstation: their key there signs the confirmation.
      const a = await t.workstationWith('ward-a', 'nora', 'nina');
      const b = await t.workstationWith('ward-b', 'nina', 'nora');
      setClocks(t, at('11:00'), a, b);
      a.online = false;
      b.online = false;
      const da = await witnessed(a, 'u-nina', prnDose('10:40', 'u-nora'));
      const db = await witnessed(b, 'u-nora', prnDose('10:30', 'u-nina'));
      await a.run('u-nina', 'recordAdministration', da);
      await b.run('u-nora', 'recordAdministration', db);

      const [x, y] = first === 'a' ? [a, b] : [b, a];
      x.online = true;
      await x.sync.syncNow();
      y.online = true;
      await y.sync.syncNow();
      await x.sync.syncNow();

      // a's dose is the later (10:40): marked, even when it reached the server first.
      for (const ws of [a, b]) {
        const rows = await ws.db.all<{ id: string; witness_id: string; possible_double_dose: number }>(
          "SELECT id, witness_id, possible_double_dose FROM medication_administrations WHERE order_id = 'mo-2' AND id <> 'ma-2' ORDER BY at",
        );
        expect(rows).toEqual([
          { id: db.id, witness_id: 'u-nina', possible_double_dose: 0 },
          { id: da.id, witness_id: 'u-nora', possible_double_dose: 1 },
        ]);
        expect(await ws.ids('alerts')).toContain(`double-dose:${da.id}`);
        expect((await ws.sync.status()).pending).toBe(0);
      }
      expect(await t.serverCount('alerts', 'id = ?', [`double-dose:${da.id}`])).toBe(1);
      expect(await t.serverCount('alerts', 'id = ?', [`double-dose:${db.id}`])).toBe(0);
    }, 120_000);
  }

  it('the server still decides who may give it: a witness who does not care for the patient is refused, and said so', async () => {
    const a = await t.workstationWith('ward-a', 'nina');
    a.online = false;
    // Gwen works on the surgery ward: she may not administer Alice's medicines, so she may not witness them.
    await expect(a.run('u-nina', 'recordAdministration', prnDose('09:50', 'u-gwen'))).rejects.toMatchObject({
      kind: 'forbidden',
      message: expect.stringMatching(/may not witness this dose/),
    });
  }, 120_000);
});
