/**
 * Who must witness a dose (SPEC §7b, issue 19 item 3): a controlled medicine needs a second member of
 * staff, someone else than the person giving it. Whether that person may `administer` the order is the
 * policy's to decide (src/services/mutations/medicationAdministrations.ts); this is the part that needs
 * no data, shared by the service and the scenario runner.
 */

/** The sentence that stops the dose, or null when the witness rule holds. */
export function witnessProblem(
  order: { medication: string; controlled?: boolean | number | null },
  nurseId: string,
  witnessId: string | null | undefined,
): string | null {
  if (!order.controlled) return null;
  if (!witnessId)
    return `${order.medication} is a controlled medicine: a second member of staff must witness it with their badge and PIN or password.`;
  if (witnessId === nurseId) return 'The witness must be someone else than the person giving the dose.';
  return null;
}
