import type { ParsedRequest, Response } from '../shared/ipc-contract';
import { LiveRetrieval } from './live-retrieval';
import { readQueryForSearch } from './query-interpretation';
import { IndexStalenessCache } from './index-staleness';
import { assertSearchable } from './readiness';
import { indexFilters, searchResultDto, withSourceSizes } from './search-view';

/**
 * Photo / text / photo + text search over a workspace's live index. The index and the query embedder stay open
 * between searches (see LiveRetrieval): a search reads no index file, it only stats the pointers to see whether a
 * phase 4 run or a review edit switched generations.
 */
export class SearchService {
  /** `retrieval`: shared with the inspection service in the app, so the index is held once. */
  constructor(
    private readonly retrieval = new LiveRetrieval(),
    private readonly staleness = new IndexStalenessCache(),
  ) {}

  /** `imagePath`: the query photo, already stored or checked by the caller. */
  async search(workspace: string, request: ParsedRequest<'search'>, imagePath: string | undefined): Promise<Response<'search'>> {
    const { text, filters, k } = request;
    assertSearchable(workspace);
    const { inspectionAnswer } = await import('../core/retriever');
    const lease = await this.retrieval.lease(workspace);
    // Whether the index is older than its inputs, reused between searches (see IndexStalenessCache); when it has
    // to be worked out again, started now, it overlaps the query's embedding and search instead of following them.
    const staleIndex = this.staleness.notice(workspace);
    staleIndex.catch(() => undefined); // awaited below; a search that fails first must not leave it unhandled
    try {
      const { embedder, multiPatch } = lease.query;
      const vector = await embedder.embedQuery({ imagePath, text: text?.trim() || undefined, multiPatch });
      // The text's zone / part / type / condition, proposed as filters that lift matching crops (issue #12).
      const { soft, interpretation } = await readQueryForSearch(text, embedder, indexFilters(filters));
      const results = lease.retriever.search(vector, { k: k ?? 12, filters: indexFilters(filters), soft });
      const answer = inspectionAnswer(results);
      return {
        interpretation,
        results: await withSourceSizes(results.map((r) => searchResultDto(r, workspace))),
        answer: { hasDamage: answer.has_damage, damageTypes: answer.damage_types, zone: answer.zone, evidence: answer.evidence },
        staleIndex: await staleIndex,
      };
    } finally {
      lease.release();
    }
  }
}
