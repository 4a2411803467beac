/** The ward handover's reads (issue 18, Deliver 5); writing a note is a mutation channel like every write. */
import type { Principal } from '../../src/authz/engine';
import { AppError } from '../../src/domain/errors';
import { handoverNotesToWrite, markHandoverSeen, wardHandover } from '../../src/services/queries/handover';
import type { HandlerMap } from './dispatch';

const need = (p: Principal | null): Principal => {
  if (!p) throw new AppError('unauthenticated', 'Please sign in.');
  return p;
};

export const handoverHandlers: Pick<HandlerMap, 'handover.ward' | 'handover.markSeen' | 'handover.toWrite'> = {
  'handover.ward': async (r, ws, p) => wardHandover(ws.ctx, need(p), { wardId: r.wardId }),
  'handover.toWrite': async (_r, ws, p) => handoverNotesToWrite(ws.ctx, need(p)),
  'handover.markSeen': async (r, ws, p) => markHandoverSeen(ws.ctx, need(p), r.patientIds),
};
