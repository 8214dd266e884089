import type { Embedder } from '../core/embedder/embedder';
import type { Proposal, SearchFilters as IndexFilters, SoftFilters } from '../core/retriever';
import type { SearchFilters, SearchResponse } from '../shared/ipc-contract';

type InterpretationDto = NonNullable<SearchResponse['interpretation']>;

/** The retriever's filters in the contract's names (the reverse of search-view's indexFilters). */
function contractFilters(filters: Proposal['filters']): SearchFilters {
  const out: SearchFilters = {};
  if (filters.vehicle_zone !== undefined) out.zones = [filters.vehicle_zone].flat() as SearchFilters['zones'];
  if (filters.damage_type !== undefined) out.damageTypes = [filters.damage_type].flat();
  if (filters.has_damage !== undefined) out.hasDamage = filters.has_damage;
  return out;
}

/**
 * A text query's reading for one search: the filters it proposes that the user's filters leave open (they lift
 * matching crops) and the interpretation the Search screen shows as chips. Read with the lexicon of the
 * workspace's text tower (the shipped one for other models); no file is read per query.
 */
export async function readQueryForSearch(
  text: string | undefined,
  embedder: Embedder,
  filters: IndexFilters,
): Promise<{ soft: SoftFilters | undefined; interpretation: InterpretationDto | null }> {
  if (!text?.trim()) return { soft: undefined, interpretation: null };
  const { readSearchQuery } = await import('../core/retriever');
  const { loadLexicon } = await import('../core/text/lexicon');
  const lexicon = embedder.textVocabulary?.lexicon ?? (await loadLexicon());
  const reading = readSearchQuery(text.trim(), lexicon, filters);
  const { part, negated, notes } = reading.interpretation;
  return {
    soft: reading.soft,
    interpretation: {
      summary: reading.summary,
      part,
      negated,
      notes,
      proposals: reading.proposals.map((p) => ({ kind: p.kind, label: p.label, filters: contractFilters(p.filters), confirmed: p.confirmed })),
    },
  };
}
