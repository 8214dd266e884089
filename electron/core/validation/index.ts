export {
  runValidation,
  validationReportPaths,
  DEFAULT_EXAMPLES,
  DEFAULT_FILTER_QUERIES,
  DEFAULT_MAX_QUERIES,
  type RunValidationOptions,
  type ValidationProgress,
} from './run';
export { REPORT_VERSION, type ValidationReport, type FilterChecks, type FilterCheck, type FilterViolation, type Coverage, type Precision, type LeakageFree, type FusionRow, type FusionComparison, type QueryFigures, type Example } from './report';
export { leakageFreePrecision, coverage, COVERAGE_THRESHOLD, type QueryNeighbours } from './metrics';
export { runFilterChecks, filterCases } from './filter-checks';
