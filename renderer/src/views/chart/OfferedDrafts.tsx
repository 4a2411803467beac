/**
 * Drafts found stale when a view opens (store/drafts.ts): offered with their age and what they hold, never
 * reopened as if current. Resume opens the form (vitals then ask again when they were measured); Discard
 * forgets them.
 */
import { Banner, Button } from '../../components/ui';
import { duration } from '../../format';

export interface OfferedDraft {
  key: string;
  /** "vitals", "notes for Chest pain exam", "amendment of the record of 22 Nov". */
  what: string;
  /** What was typed, in a line ("Heart rate 88 /min, Temperature 37.4 °C"). */
  summary: string;
  updatedAt: number;
}

export function OfferedDrafts({
  drafts,
  now,
  onResume,
  onDiscard,
}: {
  drafts: OfferedDraft[];
  now: number;
  onResume: (key: string) => void;
  onDiscard: (key: string) => void;
}) {
  return (
    <>
      {drafts.map((d) => (
        <Banner
          key={d.key}
          tone="warning"
          title={`Unsaved ${d.what}, typed ${duration(now - d.updatedAt)} ago`}
          action={
            <div className="inline-actions">
              <Button tone="primary" onClick={() => onResume(d.key)}>
                Resume
              </Button>
              <Button onClick={() => onDiscard(d.key)}>Discard</Button>
            </div>
          }
        >
          {d.summary ? `${d.summary}. ` : ''}Not saved yet.
        </Banner>
      ))}
    </>
  );
}
