/**
 * Said above search results when the index is older than its inputs (workspace.json's phase states): the results
 * come from the crops the index was built on, not from the workspace's current ones.
 */
export function StaleIndexNotice({ reason }: { reason: string | null | undefined }) {
  if (!reason) return null;
  return (
    <p className="notice stale-index" role="status" data-testid="stale-index">
      The index is older than its inputs ({reason}): these results come from the crops it was built on. Run the stale phases again on the Pipeline screen.
    </p>
  );
}
