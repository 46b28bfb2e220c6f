/** Public API of the classifier (pure; the only IO is in command.ts). */
export { normaliseText, stripQuoted } from './normalise.js';
export { detectLang } from './language.js';
export { stemWord, StemCache, sharedStemCache } from './stem.js';
export { tokenise } from './tokenise.js';
export { Analyser, type Analysis } from './analyse.js';
export { compileKeywords, scoreKeywords, type KeywordModel, type KeywordScore } from './keyword-model.js';
export { trainLearned, isLearnedModel, type LearnedModel, type TrainOptions } from './learned-model.js';
export { createClassifier, type Classifier, type Explanation } from './classifier.js';
export { checkKeywordExamples, type ExampleFailure } from './examples-check.js';
export { evaluate, reportJson, formatReport, type EvalReport } from './evaluate.js';
export { compareClassifiers, type ComparisonReport, type ReplayInput, type Flip } from './compare.js';
export { parseLabelledJsonl, type LabelledExample } from './labelled.js';
export { keywordExamples } from './keyword-examples.js';
export { modelVersion } from './model-version.js';
export { learningCurve, formatLearningCurve, reviewOrder, reviewPriority, DEFAULT_SIZES, type LearningCurvePoint, type LearningCurveOptions, type ReviewPriority, type ReviewReason } from './learning-curve.js';
export { decideTarget, compileTarget, type TargetModel } from './target-model.js';
