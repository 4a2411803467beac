/** Clinical reads and writes: census, chart, clinician day, search, break-glass, every write use case. */
import type { Principal } from '../../src/authz/engine';
import { AppError } from '../../src/domain/errors';
import { channels, type Channel } from '../../src/ipc/contract';
import { MUTATIONS } from '../../src/services/mutations';
import { openChart } from '../../src/services/queries/chart';
import { chartAccess } from '../../src/services/queries/chartAccess';
import { visibleWards, wardCensus } from '../../src/services/queries/census';
import { nurseWorklist } from '../../src/services/queries/worklist';
import { findForBreakGlass } from '../../src/services/queries/people';
import { clinicianDay } from '../../src/services/queries/today';
import { runMutation } from '../../src/services/run';
import type { HandlerFn, HandlerMap } from './dispatch';
import { madeOnline, onServer } from './online';
import type { Workstation } from '../workstation';

const need = (p: Principal | null): Principal => {
  if (!p) throw new AppError('unauthenticated', 'Please sign in.');
  return p;
};

type MutationChannel = { [C in Channel]: (typeof channels)[C] extends { mutation: string } ? C : never }[Channel];

const MUTATION_CHANNELS = (Object.keys(channels) as Channel[]).filter((c): c is MutationChannel => 'mutation' in channels[c]);

/** Every write channel runs its use case; afterwards the sync engine is told there is work. */
function mutationHandler(channel: MutationChannel): HandlerFn<MutationChannel> {
  const name = (channels[channel] as { mutation: keyof typeof MUTATIONS }).mutation;
  return async (request, ws: Workstation, p) => {
    // Administrative changes and root's are made on the server (docs/security.md, P2).
    if (await madeOnline(ws, need(p), name)) return (await onServer(ws, need(p), name, request)) as never;
    const result = await runMutation(ws.ctx, need(p), MUTATIONS[name] as never, request);
    void ws.sync.syncNow().catch(() => undefined);
    return result as never;
  };
}

export const mutationHandlers = Object.fromEntries(MUTATION_CHANNELS.map((c) => [c, mutationHandler(c)])) as Pick<
  HandlerMap,
  MutationChannel
>;

export const clinicalHandlers: Pick<
  HandlerMap,
  | 'census.wards'
  | 'census.list'
  | 'patients.search'
  | 'chart.open'
  | 'chart.access'
  | 'clinician.day'
  | 'breakGlass.find'
  | 'breakGlass.start'
  | 'worklist.mine'
> = {
  'worklist.mine': async (_r, ws, p) => nurseWorklist(ws.ctx, need(p)),
  'census.wards': async (_r, ws, p) => visibleWards(ws.ctx, need(p)),
  'census.list': async (r, ws, p) => wardCensus(ws.ctx, need(p), { wardId: r.wardId }),
  'chart.open': async (r, ws, p) => openChart(ws.ctx, need(p), r.patientId),
  'chart.access': async (r, ws, p) => chartAccess(ws.ctx, need(p), r.patientId, r.since ?? null),
  // The user proves it is still them before anything is decided (a shared PC left signed in).
  'breakGlass.start': async ({ confirm, ...args }, ws, p) => {
    const principal = need(p);
    await ws.session.confirmIdentity(confirm.method === 'password' ? { password: confirm.password } : confirm);
    const grant = await runMutation(ws.ctx, principal, MUTATIONS.breakGlass, args);
    void ws.sync.syncNow().catch(() => undefined);
    return grant;
  },
  'clinician.day': async (r, ws, p) => clinicianDay(ws.ctx, need(p), r),
  'breakGlass.find': async (r, ws, p) => findForBreakGlass(ws.ctx, need(p), r.mrn),
  'patients.search': async (r, ws, p) => {
    const { actor } = await ws.engine.resolve(need(p));
    const q = r.query.trim();
    const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    return ws.engine.listAs(actor, 'read', 'Patient', {
      columns: 'm.*, r.name AS room_name, w.id AS ward_id, w.name AS ward_name, f.name AS facility_name',
      // A room's facility wins; an outpatient without a room shows where they are registered.
      joins:
        'LEFT JOIN rooms r ON r.id = m.room_id LEFT JOIN wards w ON w.id = r.ward_id LEFT JOIN facilities f ON f.id = COALESCE(w.facility_id, m.facility_id)',
      where: q ? "(m.name LIKE ? ESCAPE '\\' OR m.mrn LIKE ? ESCAPE '\\')" : '1=1',
      params: q ? [like, like] : [],
      orderBy: 'm.name',
      limit: 50,
    });
  },
};
