/** The complete handler map (the compiler checks that every channel of the contract has one). */
import type { Workstation } from '../workstation';
import { adminHandlers } from './admin';
import { clinicalHandlers, mutationHandlers } from './clinical';
import { medicineHandlers } from './medicines';
import { createDispatch, type Dispatch, type HandlerMap } from './dispatch';
import { handoverHandlers } from './handover';
import { sessionHandlers } from './session';
import { workstationHandlers } from './workstations';

export const handlers: HandlerMap = {
  ...sessionHandlers,
  ...clinicalHandlers,
  ...handoverHandlers,
  ...mutationHandlers,
  ...medicineHandlers,
  ...adminHandlers,
  ...workstationHandlers,
};

export function workstationDispatch(ws: Workstation): Dispatch {
  return createDispatch(ws, handlers);
}

export { sessionInfo } from './session';
export type { Dispatch } from './dispatch';
