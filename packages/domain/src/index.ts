export * from './vocabulary/vocabulary';
export * from './rules/rule-schemas';
