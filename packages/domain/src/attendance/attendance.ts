/** The attendance rules of issue 4 point 4, re-exported as one entry of the package index. */
export * from './attendance-rules';
export * from './import-problems';
export * from './online-study';
