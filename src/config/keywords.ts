/**
 * The keyword config (`config/keywords.yaml`): a complaint gate and categories, each with terms and
 * phrases per language, optional weights, exclusions and examples. Parsed strictly here; the
 * classifier compiles it into a runtime model (`compileKeywords` in `src/classify/`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_KEYWORDS_FILE } from './keywords-file.js';
import { loadConfigFile, parseConfigText } from './load.js';
import { labelledExample, parseLabelledJsonl, type LabelledExample } from '../classify/labelled.js';
import { RadarError } from '../platform/errors.js';

/** The default keyword file shipped with the project. */
export { DEFAULT_KEYWORDS_FILE };

const CYRILLIC = /[\u0400-\u04ff]/;

const term = z.string().trim().min(1, 'must not be empty').describe('A word or a phrase, written as a user would write it; matched on stems.');

const termList = (what: string) => z.array(term).default([]).describe(what);

const perLanguage = (what: string) =>
  z
    .object({
      en: termList(`${what} in English (stemmed with the Porter stemmer).`),
      ru: termList(`${what} in Russian (stemmed with the Russian Porter stemmer).`),
    })
    .strict()
    .default({})
    .describe(`${what}, per language.`);

const weights = z
  .record(z.string(), z.number().min(-10, 'must be ≥ −10').max(10, 'must be ≤ 10').refine((w) => w !== 0, 'must not be 0').describe('Weight of the term; a negative weight lowers the score ("how do I").'))
  .default({})
  .describe('Optional weights by term as written above (default: 1 for terms, settings.topicWeight for topics).');

const examples = z
  .object({
    match: z.array(z.string().min(1)).default([]).describe('Messages that must match (checked by `radar config check`).'),
    noMatch: z.array(z.string().min(1)).default([]).describe('Messages that must not match.'),
  })
  .strict()
  .default({})
  .describe('Examples checked against the keyword model alone.');

const gateSchema = z
  .object({
    description: z.string().default('').describe('What counts as a complaint.'),
    terms: perLanguage('Generic problem cues ("does not work", "не работает"); each adds its weight to the complaint score'),
    markers: perLanguage('Expectation-breach markers of time and repetition ("again", "for days", "до сих пор"); like terms, but never negated ("Not again.")'),
    weights,
    exclusions: perLanguage('Phrases that cancel the whole message ("works again", "снова работает")'),
    examples: examples.describe('match: must be a complaint; noMatch: must not be.'),
  })
  .strict()
  .describe('The complaint gate: is this message a complaint at all?');

const categorySchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case').describe('Category id, used in series keys (`complaints.<name>`).'),
    description: z.string().default('').describe('What the category covers, for people.'),
    terms: perLanguage('Problem cues of this category ("can not log in", "не могу войти"); each counts as a complaint signal'),
    topics: perLanguage('Subject words of this category ("password", "пароль"); they pick the category but alone do not make a complaint'),
    weights,
    exclusions: perLanguage('Phrases that cancel this category ("not slow anymore", "уже не тормозит")'),
    examples: examples.describe('match: must be a complaint in this category; noMatch: must not be in this category.'),
  })
  .strict()
  .describe('One complaint category.');

const settingsSchema = z
  .object({
    complaintThreshold: z.number().gt(0).lt(1).default(0.5).describe('A message is a complaint when its score (1 − e^−sum of weights) reaches this.'),
    categoryMinWeight: z.number().positive().default(0.3).describe('Least summed weight for a category to be assigned (to a complaint).'),
    topicWeight: z.number().positive().max(10).default(0.35).describe('Default weight of a topic word.'),
    negationWindow: z.number().int().min(0).max(10).default(3).describe('How many words after a negator are negated (a clause boundary ends it sooner).'),
    phraseGap: z.number().int().min(0).max(3).default(1).describe('How many extra words may sit between the words of a phrase.'),
    typoMinLength: z.number().int().min(3).default(7).describe('Stems at least this long match config stems one edit away (typo tolerance).'),
    realWords: z
      .object({
        en: termList('English words.').default([]),
        ru: termList('Russian words.').default([]),
      })
      .strict()
      .default({})
      .describe('Real words one edit away from a config word, which typo tolerance leaves as written ("переслала" is not "перестала", "content" is not "context").'),
    negators: z
      .object({
        en: termList('English negators.').default(['not', 'no', 'never', 'without', 'nor']),
        ru: termList('Russian negators.').default(['не', 'нет', 'без']),
      })
      .strict()
      .default({})
      .describe('Words that negate the next few words ("no problems logging in" is not a complaint).'),
    contrast: z
      .object({
        en: termList('English contrast words.').default(['but', 'however', 'though', 'although']),
        ru: termList('Russian contrast words.').default(['но', 'а', 'однако', 'зато']),
      })
      .strict()
      .default({})
      .describe('Words that end a negation scope ("not fast but it works").'),
  })
  .strict()
  .default({})
  .describe('Matching settings.');

const rawList = (what: string) => z.array(z.string().trim().toLowerCase().min(1, 'must not be empty')).default([]).describe(what);

const targetSchema = z
  .object({
    names: perLanguage('Names of the service and its products as users write them: forms, transliterations, frequent typos ("skymail", "скаймейл"); a word that starts with a name of 6+ letters counts ("#skymaildown"), and one typo is tolerated on names of 6+ letters'),
    accounts: rawList('Social accounts of the service, matched in the raw text, case folded ("@skymail_help").'),
    domains: rawList('Domains of the service, matched in the raw text, case folded ("skymail.com").'),
    products: perLanguage('Things of our kind of service that users name without naming the service ("inbox", "письмо"); evidence that a message is about us'),
    competitors: perLanguage('Other services of the same kind ("gmail", "яндекс почта"); evidence that a message is about someone else'),
    others: perLanguage('Other services and things people complain about ("bank", "post office", "госуслуги"); evidence that a message is about someone else'),
    devices: perLanguage('The writer\'s own devices ("laptop", "ноутбук"): another thing when the complaint is about them ("my laptop keeps crashing"), but only where the writer reads us when named after a preposition ("on my laptop", "from the office computer", "с рабочего компа"): then no evidence either way'),
    ownChannels: z
      .array(z.string())
      .default(['email', 'beta_form', 'helpdesk', 'appstore', 'telegram'])
      .describe('Channels that reach us directly (our support mailbox, our report form, our help desk, reviews of our app, our Telegram support and discussion groups): a message there is about us unless it names something else and nothing of ours.'),
  })
  .strict()
  .describe('"Is it about us?": a complaint about another service or thing is not our complaint. Leave out to count every complaint as ours.');

const cueGroupSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'must be lower_snake_case').describe('Group id (failure, errors, waiting, repetition, frustration, sarcasm...), shown in explanations.'),
    description: z.string().default('').describe('What the group covers.'),
    supportOnly: z
      .boolean()
      .default(false)
      .describe('The group\'s cues add their weight but never make a complaint on their own: another problem cue must match (sarcasm: "love how", "ну спасибо" are praise as often as not).'),
    terms: perLanguage('Cues that count unless negated ("stopped working", "не работает")'),
    markers: perLanguage('Cues that count even after a negator ("again", "до сих пор")'),
    negated: perLanguage('Abilities that count only inside a negation scope: "работать" matches "не работает", "никак не хочет работать", "уже неделю не работают"; "load" matches "will not load" (the stemmer folds the word forms)'),
    weights,
  })
  .strict()
  .superRefine((group, ctx) => {
    const known = new Set([...group.terms.en, ...group.terms.ru, ...group.markers.en, ...group.markers.ru, ...group.negated.en, ...group.negated.ru]);
    for (const key of Object.keys(group.weights)) {
      if (!known.has(key)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['weights', key], message: `"${key}" is not one of the terms, markers or negated abilities` });
    }
  })
  .describe('One group of generic complaint cues.');

/** The generic complaint cues (`config/keywords-cues.yaml`): domain-independent, shared by every deployment. */
export const cuesSchema = z
  .object({
    version: z.literal(1).describe('Format version; must be 1.'),
    groups: z.array(cueGroupSchema).min(1, 'must list at least one group').describe('Cue groups.'),
  })
  .strict()
  .describe('Generic complaint cues that carry across domains (failure verbs, negated abilities, error talk, waiting, repeated attempts, frustration, sarcasm), kept apart from the product vocabulary.');

export type CuesConfig = z.infer<typeof cuesSchema>;

export const keywordsSchema = z
  .object({
    version: z.literal(1).describe('Format version; must be 1.'),
    settings: settingsSchema,
    gate: gateSchema,
    cuesFile: z.string().min(1).optional().describe('File of generic complaint cues (relative to this file; a relative name not found there is read from the shipped config folder), e.g. keywords-cues.yaml; they add to the complaint score beside the gate. A cue equal to a gate term is left to the gate.'),
    trainingFile: z.string().min(1).optional().describe('Labelled JSONL (`{"text", "lang", "complaint", "category"}` per line; relative to this file, a relative name not found there is read from the shipped config folder), e.g. training/webmail-hard-negatives.jsonl: more training examples for the learned layer beside the examples of this file, such as messages about the service that are not complaints. Not checked by `radar config check`.'),
    target: targetSchema.optional(),
    categories: z.array(categorySchema).min(1, 'must list at least one category').describe('Complaint categories.'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.categories.forEach((category, i) => {
      if (seen.has(category.name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['categories', i, 'name'], message: `duplicate category name "${category.name}"` });
      }
      seen.add(category.name);
    });
    const checkBlock = (
      path: (string | number)[],
      block: { terms: { en: string[]; ru: string[] }; topics?: { en: string[]; ru: string[] }; markers?: { en: string[]; ru: string[] }; weights: Record<string, number>; exclusions: { en: string[]; ru: string[] } },
    ) => {
      for (const list of ['terms', 'markers', 'topics', 'exclusions'] as const) {
        const lists = block[list];
        if (!lists) continue;
        lists.en.forEach((t, j) => {
          if (CYRILLIC.test(t)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...path, list, 'en', j], message: `"${t}" has Cyrillic letters; list it under ru` });
        });
      }
      const known = new Set([...block.terms.en, ...block.terms.ru, ...(block.markers?.en ?? []), ...(block.markers?.ru ?? []), ...(block.topics?.en ?? []), ...(block.topics?.ru ?? [])]);
      for (const key of Object.keys(block.weights)) {
        if (!known.has(key)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [...path, 'weights', key], message: `"${key}" is not one of the terms or topics` });
      }
    };
    checkBlock(['gate'], config.gate);
    config.categories.forEach((category, i) => checkBlock(['categories', i], category));
  })
  .describe('Keyword config: complaint gate and categories.');

/** A validated keyword config, with its cue file (`cues`) and training file (`training`) loaded when it names them. */
export type KeywordsConfig = z.infer<typeof keywordsSchema> & { readonly cues?: CuesConfig; readonly training?: readonly LabelledExample[] };
export type KeywordCategoryConfig = KeywordsConfig['categories'][number];

/**
 * Where a file the keyword file names (`cuesFile`, `trainingFile`) is: next to the keyword file; a
 * relative name that is not there is read from the shipped config folder (the cues are shared by
 * every deployment, so a copied keyword file keeps them, and its training file).
 */
function companionPath(keywordsFile: string, name: string): string {
  const near = resolve(dirname(keywordsFile), name);
  if (existsSync(near) || isAbsolute(name)) return near;
  const shipped = resolve(dirname(DEFAULT_KEYWORDS_FILE), name);
  return existsSync(shipped) ? shipped : near;
}

/** Reads and validates a keyword file; throws ConfigError (file:line: key: what) when it is wrong. */
export function loadKeywords(file: string = DEFAULT_KEYWORDS_FILE, env: NodeJS.ProcessEnv = process.env): KeywordsConfig {
  const config: KeywordsConfig = loadConfigFile(file, keywordsSchema, env);
  const cues = config.cuesFile === undefined ? undefined : loadConfigFile(companionPath(file, config.cuesFile), cuesSchema, env);
  const training = config.trainingFile === undefined ? undefined : loadTraining(companionPath(file, config.trainingFile));
  return { ...config, ...(cues ? { cues } : {}), ...(training ? { training } : {}) };
}

/** The labelled examples of `trainingFile` (ERR_CONFIG_NOT_FOUND when it is missing, ERR_CONFIG file:line when a line is wrong). */
function loadTraining(file: string): LabelledExample[] {
  if (!existsSync(file)) throw new RadarError('ERR_CONFIG_NOT_FOUND', `${file}: file not found`, { context: { file } });
  return parseLabelledJsonl(readFileSync(file, 'utf8'), file);
}

/** Validates keyword YAML text (for tests and for the API that receives a candidate config); `cuesFile` is not read. */
export function parseKeywords(text: string, file = 'keywords.yaml', env: NodeJS.ProcessEnv = process.env): KeywordsConfig {
  return parseConfigText(text, file, keywordsSchema, env);
}

/**
 * A keyword config as a model version stores it (the parsed config, its cues beside it) back into a
 * validated `KeywordsConfig`; throws a ZodError when the stored JSON is not one.
 */
export function keywordsFromJson(value: unknown): KeywordsConfig {
  if (typeof value !== 'object' || value === null) throw new TypeError('a stored keyword config must be an object');
  const { cues, training, ...rest } = value as Record<string, unknown>;
  const config: KeywordsConfig = keywordsSchema.parse(rest);
  if (training !== undefined && !Array.isArray(training)) throw new TypeError('a stored keyword config\'s training must be an array');
  return {
    ...config,
    ...(cues === undefined ? {} : { cues: cuesSchema.parse(cues) }),
    ...(training === undefined ? {} : { training: training.map((e: unknown, i) => labelledExample(e, 'stored training', i + 1)) }),
  };
}
