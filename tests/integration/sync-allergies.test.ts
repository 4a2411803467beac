/**
 * Allergies recorded offline reach the other workstations (issue 18, Deliver 4): a nurse records an
 * allergy and marks another entered in error while her workstation is offline; once it is back, the
 * server replays both as her (re-authorized there), and a second ward workstation receives the
 * allergy, the status move with its reason, and the patient's cleared "No known allergies". The same
 * on both server backends. A handover note written offline travels the same way, with the time it was
 * written on the workstation.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { readFixtureFile } from '../../src/store/fixture/load';
import { describeSync } from '../helpers/sync';
import { smallHospitalWithSecrets } from '../helpers/workstation';

const FIXTURE = path.resolve(__dirname, '../scenarios/ward-nursing.fixture.json');

describeSync(
  'allergies recorded offline,',
  () => smallHospitalWithSecrets(readFixtureFile(FIXTURE) as Record<string, unknown>),
  (t) => {
    const workstation = t.workstationWith;

    it('reaches another ward workstation with its status move and reason', async () => {
      const a = await workstation('ward-a', 'nina');
      const b = await workstation('ward-b', 'nora');
      a.online = false;
      const latex = await a.run('u-nina', 'recordAllergy', {
        patient_id: 'p-a',
        substance: 'Latex',
        reaction: 'Wheals',
        severity: 'severe',
      });
      await a.run('u-nina', 'changeAllergyStatus', {
        id: 'alg-1',
        from: 'active',
        status: 'entered_in_error',
        reason: 'Belongs to the patient in bed 102',
      });
      expect((await a.sync.syncNow()).mode).toBe('offline');
      expect((await a.sync.status()).pending).toBe(2);

      a.online = true;
      await a.sync.syncNow();
      expect((await a.sync.status()).pending).toBe(0);
      await b.sync.syncNow();

      expect(await b.db.get('SELECT substance, severity, status, recorded_by FROM allergies WHERE id = ?', [latex.id])).toEqual({
        substance: 'Latex',
        severity: 'severe',
        status: 'active',
        recorded_by: 'u-nina',
      });
      expect(await b.db.get("SELECT status, status_changed_by, status_reason FROM allergies WHERE id = 'alg-1'")).toEqual({
        status: 'entered_in_error',
        status_changed_by: 'u-nina',
        status_reason: 'Belongs to the patient in bed 102',
      });
      expect(
        await b.db.all(
          "SELECT previous_status, status, changed_by, reason FROM allergy_status_changes WHERE allergy_id = 'alg-1'",
        ),
      ).toEqual([
        {
          previous_status: 'active',
          status: 'entered_in_error',
          changed_by: 'u-nina',
          reason: 'Belongs to the patient in bed 102',
        },
      ]);
    }, 120_000);

    it('refuses at the server a "No known allergies" recorded offline while another nurse recorded an allergy, and undoes it here', async () => {
      const a = await workstation('ward-a', 'nina');
      const b = await workstation('ward-b', 'nora');
      // Alice Patient (p-a) has one active allergy (alg-1, penicillin). Nina marks it inactive and records
      // "No known allergies" offline; meanwhile Nora records a new allergy online.
      a.online = false;
      await a.run('u-nina', 'changeAllergyStatus', {
        id: 'alg-1',
        from: 'active',
        status: 'inactive',
        reason: 'Tolerated amoxicillin',
      });
      await a.run('u-nina', 'setNoKnownAllergies', { patient_id: 'p-a', no_known_allergies: true });
      expect(await a.db.get("SELECT no_known_allergies FROM patients WHERE id = 'p-a'")).toEqual({ no_known_allergies: 1 });
      await b.run('u-nora', 'recordAllergy', { patient_id: 'p-a', substance: 'Chlorhexidine', severity: 'moderate' });
      await b.sync.syncNow();

      a.online = true;
      await a.sync.syncNow();
      await a.sync.syncNow();
      // The status move stands; "No known allergies" beside an active allergy does not (refused, rolled back).
      expect(await a.db.get("SELECT status FROM allergies WHERE id = 'alg-1'")).toEqual({ status: 'inactive' });
      expect(
        (await a.db.get<{ no_known_allergies: number | null }>("SELECT no_known_allergies FROM patients WHERE id = 'p-a'"))!
          .no_known_allergies,
      ).not.toBe(1);
      expect(await a.db.get("SELECT substance FROM allergies WHERE patient_id = 'p-a' AND status = 'active'")).toEqual({
        substance: 'Chlorhexidine',
      });
    }, 120_000);

    it('a handover note written offline reaches the other ward workstation, with the time it was written', async () => {
      const a = await workstation('ward-a', 'nina');
      const b = await workstation('ward-b', 'nora');
      a.online = false;
      const note = await a.run('u-nina', 'writeHandoverNote', {
        patient_id: 'p-a',
        situation: 'Pain free.',
        background: 'NSTEMI.',
        assessment: 'Stable.',
        recommendation: 'Troponin at 12:00.',
      });
      expect((await a.sync.syncNow()).mode).toBe('offline');
      a.online = true;
      await a.sync.syncNow();
      await b.sync.syncNow();
      expect(await b.db.get('SELECT author_id, written_at, recommendation FROM handover_notes WHERE id = ?', [note.id])).toEqual({
        author_id: 'u-nina',
        written_at: note.written_at,
        recommendation: 'Troponin at 12:00.',
      });
    }, 120_000);
  },
);
