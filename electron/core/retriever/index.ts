export { Retriever, type RetrievalOptions, type RetrievalResult } from './retriever';
export { recordFilter, hasFilters, type SearchFilters } from './filters';
export { inspectionAnswer, type InspectionAnswer, type Vote } from './answer';
export {
  interpretationSummary,
  proposals,
  readSearchQuery,
  softFilters,
  SOFT_FILTER_LIFT,
  withProposals,
  type Proposal,
  type QueryReading,
  type SoftFilters,
} from './soft-filters';
