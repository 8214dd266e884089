export { Retriever, type RetrievalOptions, type RetrievalResult } from './retriever';
export { passingRows, recordFilter, hasFilters, type SearchFilters } from './filters';
export { inspectionAnswer, type InspectionAnswer, type Vote } from './answer';
