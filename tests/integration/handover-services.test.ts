/**
 * The ward handover as use cases (issue 18, Deliver 5), through the real engine, policy and SQLite: an
 * SBAR note per patient per shift, written by carers only (a second in the same shift is refused with
 * a sentence naming the first); the ward view with the latest note, NEWS2, open alerts and what changed
 * since THIS reader last looked; nothing of a note for a user who may not read notes.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { handoverNotesToWrite, markHandoverSeen, wardHandover } from '../../src/services/queries/handover';
import { worldPerTest } from '../helpers/serviceWorld';
import { count } from '../helpers/world';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing.fixture.json');

const w = worldPerTest(FIXTURE);
const { run, failure } = w;
const sbar = (patient: string) => ({
  patient_id: patient,
  situation: 'Comfortable, pain 1/10.',
  background: 'NSTEMI day 2.',
  assessment: 'Stable observations.',
  recommendation: 'Echo at 14:00.',
});
const ward = (who: string) => wardHandover(w.ctx, { userId: who }, { wardId: 'ward-card' });

describe('writing a handover note', () => {
  it('is one per patient per shift: a second in the same shift is refused with who wrote the first, and when the next may be written', async () => {
    // ho-1 for Alice was written at 06:45, in the night shift; it is 10:00, the day shift.
    const note = await run('u-nina', 'writeHandoverNote', sbar('p-a'));
    expect(note).toMatchObject({ author_id: 'u-nina', written_at: '2026-11-23T10:00:00.000Z' });
    expect(await count(w.db, 'outbox', "name = 'writeHandoverNote'")).toBe(1);
    w.clock.advanceMinutes(30);
    const e = await failure(run('u-nora', 'writeHandoverNote', sbar('p-a')));
    expect(e).toEqual({
      kind: 'conflict',
      message:
        'Alice Patient already has a handover note for this day shift, written by Nina Nurse at 10:00. Read it in the ward handover; the next note can be written from 19:00.',
    });
    // In the night shift, the next note is welcome.
    w.clock.set('2026-11-23T19:05:00Z');
    await run('u-nora', 'writeHandoverNote', sbar('p-a'));
    expect(await count(w.db, 'handover_notes', "patient_id = 'p-a'")).toBe(3);
  });

  it("is refused to someone who is not the patient's carer", async () => {
    expect(await failure(run('u-nina', 'writeHandoverNote', sbar('p-b')))).toEqual({
      kind: 'forbidden',
      message: "Only the patient's carers may write a handover note for them.",
    });
    expect(await count(w.db, 'audit_events', "action = 'write_handover_note' AND decision = 'forbidden'")).toBe(1);
  });
});

describe('the ward handover', () => {
  it('lists the latest note, who may write this shift, and the open alerts', async () => {
    const before = (await ward('u-nina')).patients.find((p) => p.id === 'p-a')!;
    expect(before).toMatchObject({
      note: expect.objectContaining({ id: 'ho-1', author_name: expect.any(String) }),
      note_this_shift: false,
      can_write: true,
    });
    await run('u-nina', 'writeHandoverNote', sbar('p-a'));
    const after = (await ward('u-nina')).patients.find((p) => p.id === 'p-a')!;
    expect(after).toMatchObject({ note_this_shift: true, can_write: false });
    expect(after.note).toMatchObject({ author_id: 'u-nina', recommendation: 'Echo at 14:00.' });
    expect(after.allergy).toEqual({ substances: ['Penicillin'], worst: 'life_threatening' });
  });

  it('says what changed since this reader last looked, not since someone else did', async () => {
    expect((await ward('u-nina')).patients.find((p) => p.id === 'p-a')!.changes).toEqual({
      since: null,
      results: 0,
      notes: 0,
      orders: 0,
    });
    expect(await markHandoverSeen(w.ctx, { userId: 'u-nina' }, ['p-a', 'p-b'])).toEqual({ patients: 1 });
    w.clock.advanceMinutes(10);
    await run('u-nora', 'recordObservation', {
      patient_id: 'p-a',
      category: 'vitals',
      code: 'heart_rate',
      value: '88',
      unit: '/min',
    });
    await run('u-nora', 'writeHandoverNote', sbar('p-a'));
    const nina = (await ward('u-nina')).patients.find((p) => p.id === 'p-a')!.changes;
    expect(nina).toEqual({ since: '2026-11-23T10:00:00.000Z', results: 1, notes: 1, orders: 0 });
    // Nora never looked here: a first look for her.
    expect((await ward('u-nora')).patients.find((p) => p.id === 'p-a')!.changes.since).toBeNull();
  });

  it('shows a lab technician no note and no note count', async () => {
    await markHandoverSeen(w.ctx, { userId: 'u-taylor' }, ['p-a']);
    w.clock.advanceMinutes(10);
    await run('u-nora', 'writeHandoverNote', sbar('p-a'));
    const p = (await ward('u-taylor')).patients.find((x) => x.id === 'p-a')!;
    expect(p).toMatchObject({ note: null, note_this_shift: false, can_write: false });
    expect(p.changes.notes).toBe(0);
  });
});

describe("handover notes to write (the nurse's worklist)", () => {
  it('lists her patients without a note this shift, and drops one once it is written', async () => {
    const before = await handoverNotesToWrite(w.ctx, { userId: 'u-nina' });
    expect(before.shift).toEqual({ name: 'day', start: '2026-11-23T07:00:00.000Z', end: '2026-11-23T19:00:00.000Z' });
    // Alice's note (06:45) was last night's: it is still to write; nothing of Surgery's Bob.
    expect(before.patients.map((p) => p.id)).toContain('p-a');
    expect(before.patients.map((p) => p.id)).not.toContain('p-b');
    await run('u-nina', 'writeHandoverNote', sbar('p-a'));
    expect((await handoverNotesToWrite(w.ctx, { userId: 'u-nina' })).patients.map((p) => p.id)).not.toContain('p-a');
  });

  it('is empty for a lab technician, who writes no notes', async () => {
    expect((await handoverNotesToWrite(w.ctx, { userId: 'u-taylor' })).patients).toEqual([]);
  });
});
