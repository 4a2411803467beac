/**
 * Does a medicine match one of the patient's active allergies? (SPEC §7b, issue 19 items 1 and 3.)
 * Prescribing and giving a dose both ask; a match is refused unless overridden with reasons.
 *
 * A medicine matches an allergy when
 *   1. its name contains the allergy's substance, or
 *   2. the site's class map lists the substance as a class (penicillin) and the name contains one of the
 *      class's members (amoxicillin, co-amoxiclav, …).
 * "Contains" compares words: both sides are folded (case, accents, and anything that is not a letter
 * or a digit becomes a space: "Co-Amoxiclav" is "co amoxiclav"), and
 *   - the substance's words appear in the name as whole words, in order ("codeine" in "Codeine
 *     phosphate"); or
 *   - one of the substance's significant words (5 letters or more, not a salt or a dosage form such as
 *     "sodium", "hydrochloride", "tablets") is a word of the name, or the start or the end of one: drug
 *     names are compounds ("benzylpenicillin", "dihydrocodeine", "pénicilline"), and an allergy
 *     recorded as "amoxicillin clavulanate" or "sodium valproate" must still catch "Amoxicillin" or
 *     "Valproate".
 * Short words match whole only, so an allergy to iron does not match spironolactone; salts never match
 * alone, so an allergy to sodium valproate does not match sodium chloride. The class map is looked up
 * by the whole substance and by each significant word ("penicillin antibiotics" is the penicillin
 * class). A missed allergy is worse than a question, so the rule leans to match.
 */
import { z } from 'zod';
import { type Checked, configProblem, refuse, valid } from './checked';

export type AllergySeverity = 'mild' | 'moderate' | 'severe' | 'life_threatening';
export type AllergyStatus = 'active' | 'inactive' | 'entered_in_error';

export interface AllergyLike {
  id?: string;
  substance: string;
  severity?: AllergySeverity | null;
  reaction?: string | null;
  status: AllergyStatus;
}

export interface AllergyMatch {
  allergy_id: string | null;
  substance: string;
  severity: AllergySeverity | null;
  /** `name`: the medicine's name contains the substance; `class`: it contains a member of the substance's class. */
  via: 'name' | 'class';
  /** The word of the medicine's name that matched (the member, for a class match). */
  matched: string;
  /** "Amoxicillin is listed under Penicillin (as amoxicillin): the patient has an active allergy to Penicillin (anaphylaxis, life-threatening)." */
  message: string;
}

/** Class → members, by folded name. */
export type AllergyClassMap = ReadonlyMap<string, readonly string[]>;

const PENICILLINS = [
  'amoxicillin',
  'ampicillin',
  'flucloxacillin',
  'benzylpenicillin',
  'phenoxymethylpenicillin',
  'piperacillin',
  'co-amoxiclav',
  'pivmecillinam',
  'temocillin',
  'ticarcillin',
  'augmentin',
  'tazocin',
];
const CEPHALOSPORINS = [
  'cefalexin',
  'cephalexin',
  'cefadroxil',
  'cefaclor',
  'cefuroxime',
  'cefoxitin',
  'cefixime',
  'cefotaxime',
  'ceftriaxone',
  'ceftazidime',
  'cefazolin',
  'cefepime',
  'ceftaroline',
  'cefiderocol',
  'ceftolozane',
];
const SULFONAMIDES = ['sulfamethoxazole', 'co-trimoxazole', 'sulfadiazine', 'sulfasalazine', 'septrin'];
const NSAIDS = [
  'ibuprofen',
  'naproxen',
  'diclofenac',
  'aspirin',
  'acetylsalicylic acid',
  'ketorolac',
  'indometacin',
  'indomethacin',
  'celecoxib',
  'etoricoxib',
  'mefenamic acid',
  'piroxicam',
  'meloxicam',
  'ketoprofen',
  'dexketoprofen',
  'parecoxib',
];

/** The default class map; a site's map extends it (or replaces it, if the site says so). */
export const DEFAULT_ALLERGY_CLASSES: Readonly<Record<string, readonly string[]>> = {
  penicillin: PENICILLINS,
  penicillins: PENICILLINS,
  'beta lactam': [...PENICILLINS, ...CEPHALOSPORINS, 'meropenem', 'imipenem', 'ertapenem'],
  cephalosporin: CEPHALOSPORINS,
  cephalosporins: CEPHALOSPORINS,
  sulfonamide: SULFONAMIDES,
  sulfonamides: SULFONAMIDES,
  sulphonamide: SULFONAMIDES,
  sulphonamides: SULFONAMIDES,
  sulfa: SULFONAMIDES,
  nsaid: NSAIDS,
  nsaids: NSAIDS,
  carbapenem: ['meropenem', 'imipenem', 'ertapenem'],
  carbapenems: ['meropenem', 'imipenem', 'ertapenem'],
  macrolide: ['erythromycin', 'clarithromycin', 'azithromycin'],
  macrolides: ['erythromycin', 'clarithromycin', 'azithromycin'],
};

/** Folds a name for comparison: lower case, accents dropped, every run of other characters one space. */
export function foldName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

const SIGNIFICANT_MIN = 5;
/** Salts, hydrates, dosage forms and words around a substance that name no substance by themselves. */
const NOT_A_SUBSTANCE = new Set(
  `sodium potassium calcium magnesium hydrochloride hydrobromide sulfate sulphate phosphate acetate
  citrate gluconate maleate mesilate mesylate tartrate succinate fumarate besilate besylate bromide chloride carbonate
  bicarbonate hydroxide nitrate trihydrate monohydrate dihydrate anhydrous tablet tablets capsule capsules injection
  infusion solution suspension cream ointment liquid syrup modified release prolonged inhaler patch patches drops
  allergy allergic intolerance reaction sensitivity medicines medicine products derivatives`.split(/\s+/),
);

/** The words of a folded substance that may match alone. */
const significantWords = (term: string): string[] =>
  term.split(' ').filter((w) => w.length >= SIGNIFICANT_MIN && !NOT_A_SUBSTANCE.has(w) && !/^\d/.test(w));

/** Whether the folded `name` contains the folded `term` in the sense of the file comment; the matching word(s) or null. */
function containsTerm(nameWords: readonly string[], term: string): string | null {
  const t = term.split(' ').filter(Boolean);
  if (t.length === 0) return null;
  for (let i = 0; i + t.length <= nameWords.length; i++) {
    if (t.every((w, j) => nameWords[i + j] === w)) return nameWords.slice(i, i + t.length).join(' ');
  }
  for (const word of significantWords(term)) {
    const hit = nameWords.find((w) => w.startsWith(word) || w.endsWith(word));
    if (hit) return hit;
  }
  return null;
}

const Member = z.string().trim().min(1, 'must not be empty').max(200, 'is too long');
export const AllergyClassConfig = z
  .object({
    /** Class → members the site adds (a class already in the default map gains the members). */
    classes: z.record(Member, z.array(Member).min(1, 'must list at least one medicine')),
    /** true: the site's map is the whole map, the default is not used. */
    replace_defaults: z.boolean().optional(),
  })
  .strict();
export type AllergyClassConfig = z.infer<typeof AllergyClassConfig>;

function buildMap(entries: Iterable<readonly [string, readonly string[]]>): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [cls, members] of entries) {
    const key = foldName(cls);
    const list = map.get(key) ?? [];
    for (const m of members) {
      const f = foldName(m);
      if (f && !list.includes(f)) list.push(f);
    }
    map.set(key, list);
  }
  return map;
}

export const DEFAULT_CLASS_MAP: AllergyClassMap = buildMap(Object.entries(DEFAULT_ALLERGY_CLASSES));

/**
 * The class map a site's configuration (`allergy_classes` in the system configuration) gives; without
 * one, the default. Bad configuration is a sentence naming the setting, never a silently smaller map.
 */
export function allergyClassMap(config?: unknown): Checked<AllergyClassMap> {
  if (config === undefined || config === null) return valid(DEFAULT_CLASS_MAP);
  const parsed = AllergyClassConfig.safeParse(config);
  if (!parsed.success) return refuse(configProblem('allergy_classes', parsed.error.issues));
  const site = Object.entries(parsed.data.classes);
  if (site.some(([cls]) => !foldName(cls))) return refuse('allergy_classes: a class name needs a letter or a digit.');
  return valid(buildMap(parsed.data.replace_defaults ? site : [...Object.entries(DEFAULT_ALLERGY_CLASSES), ...site]));
}

const SEVERITY_WORDS: Record<AllergySeverity, string> = {
  mild: 'mild',
  moderate: 'moderate',
  severe: 'severe',
  life_threatening: 'life-threatening',
};

function sentence(medication: string, a: AllergyLike, via: 'name' | 'class', member: string): string {
  const detail = [a.reaction?.trim() ? a.reaction.trim().toLowerCase() : null, a.severity ? SEVERITY_WORDS[a.severity] : null]
    .filter(Boolean)
    .join(', ');
  const allergy = `the patient has an active allergy to ${a.substance.trim()}${detail ? ` (${detail})` : ''}`;
  return via === 'name'
    ? `${medication.trim()} contains ${a.substance.trim()}: ${allergy}.`
    : `${medication.trim()} is listed under ${a.substance.trim()} (as ${member}): ${allergy}.`;
}

/**
 * The patient's active allergies that `medication` matches, in the order given. Inactive allergies and
 * allergies entered in error never match.
 */
export function allergyMatches(
  medication: string,
  allergies: readonly AllergyLike[],
  classes: AllergyClassMap = DEFAULT_CLASS_MAP,
): AllergyMatch[] {
  const words = foldName(medication).split(' ').filter(Boolean);
  const out: AllergyMatch[] = [];
  for (const a of allergies) {
    if (a.status !== 'active') continue;
    const substance = foldName(a.substance);
    if (!substance) continue;
    const base = { allergy_id: a.id ?? null, substance: a.substance, severity: a.severity ?? null };
    const direct = containsTerm(words, substance);
    if (direct) {
      out.push({ ...base, via: 'name', matched: direct, message: sentence(medication, a, 'name', direct) });
      continue;
    }
    const members = [substance, ...significantWords(substance)].flatMap((k) => classes.get(k) ?? []);
    for (const member of members) {
      const hit = containsTerm(words, member);
      if (hit) {
        out.push({ ...base, via: 'class', matched: hit, message: sentence(medication, a, 'class', hit) });
        break;
      }
    }
  }
  return out;
}
