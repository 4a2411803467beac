/**
 * Compiling a filter for a new user is a few synchronous partial evaluations by Oso, one per policy
 * rule (grant, cleared, withheld, override…): the event loop turns between them, so a burst of new
 * users (a shift change) does not hold a server's loop for a whole filter at a time.
 */
import { expect, it } from 'vitest';
import { loadActor } from '../../src/authz/actor';
import { countTurns } from '../helpers/loopTurns';
import { makeWorld } from '../helpers/world';

it('the loop turns between the rules of a filter being compiled, not only after the whole filter', async () => {
  const w = await makeWorld();
  const actor = (await loadActor(w.db, 'u-nina', w.engine.now()))!;
  const turns = countTurns();
  const compiled = w.engine.compiled;
  await w.engine.queryAs(actor, 'read', 'Observation');
  turns.stop();
  expect(w.engine.compiled).toBe(compiled + 1);
  // read is grant AND cleared AND NOT withheld, OR override: four rules, the loop turned before each.
  expect(turns.turn()).toBeGreaterThanOrEqual(4);
  await w.close();
});
