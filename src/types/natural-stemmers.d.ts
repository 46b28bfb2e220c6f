/**
 * Types for the two `natural` stemmer modules the classifier deep-imports. Importing the package root
 * loads dotenv and ~150 MB of models, so only these files are used.
 */
declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: {
    /** Lower-cases and stems one English token ("logging" → "log"). */
    stem(token: string): string;
  };
  export default PorterStemmer;
}

declare module 'natural/lib/natural/stemmers/porter_stemmer_ru.js' {
  const PorterStemmerRu: {
    /** Lower-cases and stems one Russian token; folds ё to е ("тормозит" → "тормоз"). */
    stem(token: string): string;
  };
  export default PorterStemmerRu;
}
