/**
 * Issue 19 with security round 3 (docs/security.md): the witness of a controlled dose signs the
 * confirmation with their OWN person key, and the server verifies it against the keys registered for
 * the witness on that workstation. A witnessed dose without that signature, or with one that is not the
 * witness's or not over this dose, is held on the workstation (not applied, not lost) with a sentence.
 * SQLite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { expect, it } from 'vitest';
import { readFixtureFile } from '../../src/store/fixture/load';
import { describeSync, type TestWorkstation } from '../helpers/sync';
import { smallHospitalWithSecrets } from '../helpers/workstation';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing.fixture.json');
const world = (): Record<string, unknown> => smallHospitalWithSecrets(readFixtureFile(FIXTURE) as Record<string, unknown>);
const at = (hhmm: string): string => `2026-11-23T${hhmm}:00.000Z`;

/** Alice's morphine as required (mo-2: controlled), given by Nina and witnessed by Nora. */
const prnDose = () => ({
  id: `mad-${randomUUID()}`,
  order_id: 'mo-2',
  status: 'given',
  at: at('10:40'),
  dose: 5,
  route: 'sc',
  wristband: { value: 'GH-0001' },
  product: { value: '05012345678917' },
  witness_id: 'u-nora',
});

describeSync("a witnessed dose carries the witness's own signature", world, (t) => {
  /** Nina's workstation where Nora signed in once (her key is registered there), offline at 11:00. */
  const ward = async (): Promise<TestWorkstation> => {
    const a = await t.workstationWith('ward-a', 'nora', 'nina');
    t.srv.clock.set(at('11:00'));
    a.base.set(at('11:00'));
    return a;
  };
  const sign = (a: TestWorkstation, signer: string, d: { id: string }, over: Record<string, string> = {}) =>
    a.keys.witnessProof(a.keys.heldKey(signer)!, {
      administration_id: d.id,
      order_id: 'mo-2',
      nurse_id: 'u-nina',
      witness_id: 'u-nora',
      ...over,
    });
  const held = async (a: TestWorkstation): Promise<string[]> => ((await a.sync.status()).held ?? []).map((h) => h.reason);

  it("is applied with Nora's signature over this dose, and the witness is on the server's record", async () => {
    const a = await ward();
    const d = prnDose();
    await a.run('u-nina', 'recordAdministration', { ...d, witness_proof: await sign(a, 'u-nora', d) });
    await a.sync.syncNow();
    expect((await a.sync.status()).pending).toBe(0);
    expect(await t.srv.db.get('SELECT administered_by, witness_id FROM medication_administrations WHERE id = ?', [d.id])).toEqual(
      {
        administered_by: 'u-nina',
        witness_id: 'u-nora',
      },
    );
  }, 120_000);

  it('is held, not applied and not lost, without a signature of the witness', async () => {
    const a = await ward();
    const d = prnDose();
    await a.run('u-nina', 'recordAdministration', d);
    await a.sync.syncNow();
    expect(await t.serverCount('medication_administrations', 'id = ?', [d.id])).toBe(0);
    expect(await a.ids('medication_administrations')).toContain(d.id);
    expect(await held(a)).toEqual([expect.stringMatching(/confirmation carries no signature of Nora Nurse/)]);
  }, 120_000);

  for (const [what, signer, over] of [
    ['the nurse signs as the witness', 'u-nina', {}],
    ["the signature is another dose's", 'u-nora', { administration_id: 'mad-another' }],
  ] as const) {
    it(`is held for good when ${what}`, async () => {
      const a = await ward();
      const d = prnDose();
      await a.run('u-nina', 'recordAdministration', { ...d, witness_proof: await sign(a, signer, d, over) });
      await a.sync.syncNow();
      expect(await t.serverCount('medication_administrations', 'id = ?', [d.id])).toBe(0);
      expect(await a.ids('medication_administrations')).toContain(d.id);
      expect(await held(a)).toEqual([
        expect.stringMatching(/^Not accepted: the witness's signature does not match this dose or Nora Nurse/),
      ]);
    }, 120_000);
  }

  it('is refused on the online route, where the witness proves nothing: a witnessed dose is recorded at the workstation', async () => {
    t.srv.clock.set(at('11:00'));
    const d = prnDose();
    const answer = await t.asUser('nina', 'recordAdministration', d);
    expect(answer.status).toBe(403);
    expect(String(answer.body?.error?.message ?? answer.body?.message)).toMatch(/witness confirms at the ward workstation/);
    expect(await t.serverCount('medication_administrations', 'id = ?', [d.id])).toBe(0);
  }, 120_000);
});
