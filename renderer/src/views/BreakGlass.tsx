/**
 * Emergency access ("break-glass", SPEC §3): find a patient by MRN, state why, confirm it is you, open
 * the chart. The reason is required (at least 10 characters); access is time-limited and every view is
 * audited. Before the reason is given the lookup says only that such a patient exists — no name, no
 * birth date. Confirming it is you (issue 20): your password, or a tap of your own badge and its PIN —
 * so nobody breaks glass in your name at a shared PC you left signed in.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, call, plainMessage, type Response } from '../api';
import { useBadgeWedge } from '../badgeWedge';
import { Banner, Button, ErrorNote, KeyValue, PageHeader, Section, TextArea, TextField } from '../components/ui';
import { age, calendarDate, time } from '../format';
import { href, useRouter } from '../store/router';
import { useSession } from '../store/session';
import { toast } from '../store/toasts';

const MIN_REASON = 10;
const MAX_REASON = 2000;
const PROOF_NEEDED = 'Confirm it is you: type your password, or tap your badge and enter its PIN.';

type Candidate = Response<'breakGlass.find'>;

const asApiError = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError({ kind: 'internal', message: plainMessage(e) });

export function BreakGlass() {
  const go = useRouter((s) => s.go);
  const now = new Date(useSession((s) => s.info?.now) ?? Date.now());
  const readOnly = useSession((s) => Boolean(s.info?.view_as));
  const [mrn, setMrn] = useState('');
  const [mrnProblem, setMrnProblem] = useState<string | null>(null);
  const [finding, setFinding] = useState(false);
  const [findError, setFindError] = useState<ApiError | null>(null);
  const [candidate, setCandidate] = useState<Candidate | null>(null);
  const [reason, setReason] = useState('');
  const [reasonProblem, setReasonProblem] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const [password, setPassword] = useState('');
  const [badge, setBadge] = useState<string | null>(null);
  const [pin, setPin] = useState('');
  const [proofProblem, setProofProblem] = useState<string | null>(null);
  const pinRef = useRef<HTMLInputElement>(null);

  // A badge tapped while the emergency form is open confirms who is breaking glass (then its PIN).
  useBadgeWedge(
    ({ badge: read, field, before }) => {
      if (field?.name === 'reason') setReason(before);
      if (field?.name === 'password') setPassword(before);
      setBadge(read);
      setPin('');
      setProofProblem(null);
    },
    Boolean(candidate?.can_break_glass) && !readOnly,
  );
  useEffect(() => {
    if (badge) pinRef.current?.focus();
  }, [badge]);

  const find = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setCandidate(null);
    setFindError(null);
    setReason('');
    setReasonProblem(null);
    setStartError(null);
    setPassword('');
    setBadge(null);
    setPin('');
    setProofProblem(null);
    if (!mrn.trim()) {
      setMrnProblem('Enter the medical record number.');
      return;
    }
    setMrnProblem(null);
    setFinding(true);
    try {
      setCandidate(await call('breakGlass.find', { mrn: mrn.trim() }));
    } catch (err) {
      setFindError(asApiError(err));
    } finally {
      setFinding(false);
    }
  };

  const length = reason.trim().length;
  const start = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!candidate) return;
    const proof = badge ? (pin ? null : 'Enter the PIN of your badge.') : password ? null : PROOF_NEEDED;
    if (length < MIN_REASON) {
      setReasonProblem(
        length === 0
          ? `A reason is required: explain the emergency in at least ${MIN_REASON} characters.`
          : `The reason is too short: explain the emergency in at least ${MIN_REASON} characters (${length} so far).`,
      );
    } else setReasonProblem(null);
    setProofProblem(proof);
    if (length < MIN_REASON || proof) return;
    setStarting(true);
    setStartError(null);
    try {
      const grant = await call('breakGlass.start', {
        patient_id: candidate.patient.id,
        reason: reason.trim(),
        confirm: badge ? { method: 'badge', badge, pin } : { method: 'password', password },
      });
      toast.info(`Emergency access is open until ${time(grant.expires_at)}.`);
      go(`/patients/${encodeURIComponent(candidate.patient.id)}`);
    } catch (err) {
      setStartError(asApiError(err));
      setPassword('');
      setPin('');
    } finally {
      setStarting(false);
    }
  };

  return (
    <div className="narrow">
      <PageHeader title="Emergency access" subtitle="Open the chart of a patient you are not assigned to, in an emergency." />
      <Banner tone="warning" title="Use only in an emergency.">
        Access is time-limited. Your reason, and every view of the chart under emergency access, is audited and reviewed.
      </Banner>
      <Section title="Find the patient" id="bg-find">
        <form className="row" onSubmit={(e) => void find(e)} noValidate aria-label="Find patient by MRN">
          <TextField
            label="Medical record number (MRN)"
            name="mrn"
            autoFocus
            autoComplete="off"
            placeholder="e.g. STM-100042"
            required
            value={mrn}
            error={mrnProblem}
            onChange={(e) => setMrn(e.target.value)}
          />
          <Button tone="primary" type="submit" busy={finding} className="row-button">
            Find
          </Button>
        </form>
        <ErrorNote error={findError} />
      </Section>

      {candidate ? (
        <Section title="Patient" id="bg-patient">
          {candidate.patient.name && candidate.patient.birth_date ? (
            <KeyValue
              items={[
                ['Name', candidate.patient.name],
                ['MRN', candidate.patient.mrn],
                ['Birth date', `${calendarDate(candidate.patient.birth_date)} (${age(candidate.patient.birth_date, now)} years)`],
              ]}
            />
          ) : (
            <p>
              A patient with MRN <strong className="num">{candidate.patient.mrn}</strong> exists. The chart, with the patient’s
              name, opens once you have stated the reason.
            </p>
          )}
          <div className="bg-outcome">
            {candidate.can_read ? (
              <Banner
                tone="info"
                title="You already have access to this chart."
                action={
                  <a className="btn btn-secondary" href={href(`/patients/${encodeURIComponent(candidate.patient.id)}`)}>
                    Open chart
                  </a>
                }
              >
                No emergency access is needed.
              </Banner>
            ) : null}
            {candidate.can_break_glass && !readOnly ? (
              <form onSubmit={(e) => void start(e)} noValidate aria-label="Emergency access">
                <TextArea
                  label="Reason for emergency access"
                  name="reason"
                  required
                  rows={3}
                  value={reason}
                  error={reasonProblem}
                  maxLength={MAX_REASON}
                  hint={`${length} character${length === 1 ? '' : 's'}${length < MIN_REASON ? ` — at least ${MIN_REASON} needed` : ` of at most ${MAX_REASON.toLocaleString('en-GB')}`}`}
                  onChange={(e) => {
                    setReason(e.target.value);
                    if (reasonProblem && e.target.value.trim().length >= MIN_REASON) setReasonProblem(null);
                  }}
                />
                {reasonProblem ? (
                  <div className="field-hint reason-count" aria-live="polite">
                    {length} of at least {MIN_REASON} characters
                  </div>
                ) : null}
                {badge ? (
                  <div className="row">
                    <TextField
                      ref={pinRef}
                      label="PIN of your badge"
                      name="pin"
                      type="password"
                      inputMode="numeric"
                      autoComplete="off"
                      data-wedge="off"
                      required
                      value={pin}
                      error={proofProblem}
                      hint={`Badge ${badge} read. Emergency access opens in your name.`}
                      onChange={(e) => setPin(e.target.value)}
                    />
                    <Button
                      tone="ghost"
                      className="row-button"
                      onClick={() => {
                        setBadge(null);
                        setPin('');
                        setProofProblem(null);
                      }}
                    >
                      Use password instead
                    </Button>
                  </div>
                ) : (
                  <TextField
                    label="Your password"
                    name="password"
                    type="password"
                    autoComplete="current-password"
                    required
                    value={password}
                    error={proofProblem}
                    hint="Confirms it is you: emergency access opens in your name. Or tap your badge and enter its PIN."
                    onChange={(e) => {
                      setPassword(e.target.value);
                      if (proofProblem && e.target.value) setProofProblem(null);
                    }}
                  />
                )}
                <ErrorNote error={startError} />
                <Button tone="danger" type="submit" busy={starting}>
                  Open chart in emergency
                </Button>
              </form>
            ) : null}
          </div>
        </Section>
      ) : null}
    </div>
  );
}
