/** Counts the event loop's turns from now until `stop`: a test sees whether work let the loop run, with no clock. */
export function countTurns(): { turn: () => number; stop: () => void } {
  let turn = 0;
  let counting = true;
  const tick = (): void => {
    turn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  return { turn: () => turn, stop: () => (counting = false) };
}
