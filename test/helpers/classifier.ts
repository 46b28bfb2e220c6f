import type { Classification } from '../../src/domain/classification.js';
import type { Lang } from '../../src/domain/message.js';
import type { ClassifierHolder } from '../../workers/context.js';

// TEMPORARY until the real classifier lands: a few words, enough for pipeline tests.
const WORDS: Record<string, string[]> = { login: ['login', 'password', 'войти', 'пароль'], slow: ['slow', 'тормозит'] };

export function testClassifierHolder(): ClassifierHolder {
  return {
    current: {
      classify(text: string, lang?: Lang | null): Classification {
        const lower = text.toLowerCase();
        const categories = Object.entries(WORDS)
          .map(([name, words]) => ({ name, score: 1, terms: words.filter((w) => lower.includes(w)) }))
          .filter((c) => c.terms.length > 0);
        return { complaint: categories.length > 0, score: categories.length > 0 ? 1 : 0, categories, lang: lang ?? (/[а-я]/i.test(text) ? 'ru' : 'en') };
      },
    },
    lastError: null,
    loadedAt: 0,
    categories: Object.keys(WORDS),
  };
}
