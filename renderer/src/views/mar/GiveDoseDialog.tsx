/**
 * Giving a dose (SPEC §7b, the five rights; issue 19 item 3). The wristband and the package are scanned
 * — a barcode reader is a keyboard wedge like the badge reader (renderer/src/badgeWedge.ts): a burst of
 * keys ended by Enter, read into the next scan this dialog waits for. Typed in by hand, a scan counts
 * as bypassed and is recorded so. Main decides every check (src/domain/fiveRights.ts); this dialog asks
 * for the reasons a check may need and shows the sentence of any check that refuses. A controlled
 * medicine's witness confirms here with their own badge + PIN or password, checked in main like a
 * sign-in, without the nurse signing out.
 */
import { useRef, useState } from 'react';
import { useBadgeWedge, type WedgeRead } from '../../badgeWedge';
import { Banner, Button, Dialog, ErrorNote, Select, TextArea, TextField } from '../../components/ui';
import { time } from '../../format';
import { useAction } from '../../hooks';
import type { MarOrder } from './Mar';

type Outcome = 'given' | 'held' | 'refused' | 'not_given';
type ScanKey = 'wristband' | 'product' | 'witness';

interface Scan {
  value: string;
  manual: boolean;
}

const ROUTES = ['oral', 'iv', 'im', 'sc', 'inhaled', 'topical', 'rectal', 'other'];

export function GiveDoseDialog({
  order,
  scheduledFor,
  patientName,
  windowMinutes,
  onClose,
  onDone,
}: {
  order: MarOrder;
  scheduledFor: string | null;
  patientName: string;
  windowMinutes: number;
  onClose: () => void;
  onDone: () => void;
}) {
  const [outcome, setOutcome] = useState<Outcome>('given');
  const [wristband, setWristband] = useState<Scan>({ value: '', manual: false });
  const [product, setProduct] = useState<Scan>({ value: '', manual: false });
  const [dose, setDose] = useState(String(order.dose));
  const [route, setRoute] = useState<string>(order.route);
  const [reason, setReason] = useState('');
  const [reasons, setReasons] = useState<{ patient: string; medicine: string; time: string; allergy: string }>({
    patient: '',
    medicine: '',
    time: '',
    allergy: '',
  });
  const [witnessBadge, setWitnessBadge] = useState('');
  const [witnessPin, setWitnessPin] = useState('');
  const [witnessBy, setWitnessBy] = useState<'badge' | 'password'>('badge');
  const [witnessUser, setWitnessUser] = useState('');
  const [witnessed, setWitnessed] = useState<{ token: string; name: string } | null>(null);
  const pinRef = useRef<HTMLInputElement>(null);
  const save = useAction();
  const witness = useAction();

  const given = outcome === 'given';
  const needsWitness = given && order.controlled;
  const off = scheduledFor ? Math.abs(Date.now() - Date.parse(scheduledFor)) / 60_000 : 0;
  const late = scheduledFor !== null && off > windowMinutes;

  const next = (): ScanKey | null =>
    !wristband.value ? 'wristband' : !product.value ? 'product' : needsWitness && !witnessed ? 'witness' : null;
  const onScan = (read: WedgeRead): void => {
    const target = (read.field?.dataset.scan as ScanKey | undefined) ?? next();
    if (!target) return;
    if (target === 'wristband') setWristband({ value: read.badge, manual: false });
    else if (target === 'product') setProduct({ value: read.badge, manual: false });
    else {
      setWitnessBy('badge');
      setWitnessBadge(read.badge);
      pinRef.current?.focus();
    }
  };
  useBadgeWedge(onScan);

  const confirmWitness = async (): Promise<void> => {
    const r = await witness.run(
      'medicines.witness',
      witnessBy === 'badge'
        ? { order_id: order.id, method: 'badge', badge: witnessBadge, pin: witnessPin }
        : { order_id: order.id, method: 'password', username: witnessUser, password: witnessPin },
    );
    setWitnessPin('');
    if (r) setWitnessed({ token: r.token, name: r.witness.name });
  };

  const submit = async (): Promise<void> => {
    const scan = (s: Scan) => ({ value: s.value.trim() || null, manual: s.manual });
    const filled = Object.fromEntries(Object.entries(reasons).filter(([, v]) => v.trim()));
    const r = await save.run(
      'medicines.record',
      given
        ? {
            order_id: order.id,
            status: 'given',
            scheduled_for: scheduledFor,
            dose: Number(dose.replace(',', '.')),
            unit: order.unit,
            route,
            wristband: scan(wristband),
            product: scan(product),
            reasons: filled,
            witness_token: witnessed?.token ?? null,
          }
        : { order_id: order.id, status: outcome, scheduled_for: scheduledFor, reason: reason.trim() || null },
      given ? `${order.medication} given.` : `${order.medication} recorded as ${outcome.replace('_', ' ')}.`,
    );
    if (r) onDone();
  };

  return (
    <Dialog
      title={`${order.medication} ${order.dose} ${order.unit} — ${patientName}`}
      onClose={onClose}
      wide
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button tone="primary" busy={save.busy} onClick={() => void submit()}>
            {given ? 'Record dose given' : 'Record'}
          </Button>
        </>
      }
    >
      <p>
        {scheduledFor ? `The ${time(scheduledFor)} dose` : 'A dose as required'} · ordered {order.dose} {order.unit} {order.route}
        {late ? ` · more than ${windowMinutes} minutes from its time` : ''}
      </p>
      {order.allergy_override_reason ? (
        <Banner tone="warning" title="Allergy overridden by the prescriber">
          {order.allergy_override_reason}
        </Banner>
      ) : null}
      <Select
        label="Outcome"
        value={outcome}
        onChange={(e) => setOutcome(e.target.value as Outcome)}
        options={[
          { value: 'given', label: 'Given' },
          { value: 'held', label: 'Held' },
          { value: 'refused', label: 'Refused by the patient' },
          { value: 'not_given', label: 'Not given' },
        ]}
      />
      {given ? (
        <>
          <TextField
            label="Wristband"
            data-scan="wristband"
            value={wristband.value}
            hint={
              wristband.value ? (wristband.manual ? 'Typed in: recorded as not scanned.' : 'Scanned.') : 'Scan the wristband.'
            }
            onChange={(e) => setWristband({ value: e.target.value, manual: true })}
          />
          {!wristband.value ? (
            <TextField
              label="Why the wristband cannot be scanned"
              value={reasons.patient}
              onChange={(e) => setReasons({ ...reasons, patient: e.target.value })}
            />
          ) : null}
          <TextField
            label="Package barcode"
            data-scan="product"
            value={product.value}
            hint={product.value ? (product.manual ? 'Typed in: recorded as not scanned.' : 'Scanned.') : 'Scan the package.'}
            onChange={(e) => setProduct({ value: e.target.value, manual: true })}
          />
          {!product.value ? (
            <TextField
              label="Why the package cannot be scanned"
              value={reasons.medicine}
              onChange={(e) => setReasons({ ...reasons, medicine: e.target.value })}
            />
          ) : null}
          <TextField label={`Dose (${order.unit})`} inputMode="decimal" value={dose} onChange={(e) => setDose(e.target.value)} />
          <Select
            label="Route"
            value={route}
            onChange={(e) => setRoute(e.target.value)}
            options={ROUTES.map((r) => ({ value: r, label: r }))}
          />
          {late ? (
            <TextField
              label="Reason for giving it at this time"
              value={reasons.time}
              onChange={(e) => setReasons({ ...reasons, time: e.target.value })}
            />
          ) : null}
          {order.allergy_override_reason ? (
            <TextField
              label="Your reason to give it despite the allergy"
              value={reasons.allergy}
              onChange={(e) => setReasons({ ...reasons, allergy: e.target.value })}
            />
          ) : null}
          {needsWitness ? (
            <fieldset className="witness">
              <legend>Witness (controlled medicine)</legend>
              {witnessed ? (
                <Banner tone="success">Witnessed by {witnessed.name}.</Banner>
              ) : (
                <>
                  <Select
                    label="The witness confirms with"
                    value={witnessBy}
                    onChange={(e) => {
                      setWitnessBy(e.target.value as 'badge' | 'password');
                      setWitnessPin('');
                    }}
                    options={[
                      { value: 'badge', label: 'Badge and PIN' },
                      { value: 'password', label: 'Username and password' },
                    ]}
                  />
                  {witnessBy === 'badge' ? (
                    <TextField
                      label="Witness badge"
                      data-scan="witness"
                      value={witnessBadge}
                      onChange={(e) => setWitnessBadge(e.target.value)}
                    />
                  ) : (
                    <TextField
                      label="Witness username"
                      autoComplete="off"
                      value={witnessUser}
                      onChange={(e) => setWitnessUser(e.target.value)}
                    />
                  )}
                  <TextField
                    ref={pinRef}
                    label={witnessBy === 'badge' ? 'Witness PIN' : 'Witness password'}
                    type="password"
                    data-wedge="off"
                    autoComplete="off"
                    value={witnessPin}
                    onChange={(e) => setWitnessPin(e.target.value)}
                  />
                  <ErrorNote error={witness.error} />
                  <Button
                    busy={witness.busy}
                    onClick={() => void confirmWitness()}
                    disabled={!(witnessBy === 'badge' ? witnessBadge : witnessUser) || !witnessPin}
                  >
                    Confirm witness
                  </Button>
                </>
              )}
            </fieldset>
          ) : null}
        </>
      ) : (
        <TextArea label="Reason" required value={reason} onChange={(e) => setReason(e.target.value)} />
      )}
      <ErrorNote error={save.error} />
    </Dialog>
  );
}
