import { PHASES, type PhaseName, type PhaseState, type PipelineStatus } from '../shared/ipc-contract';
import { withWorkspaceLock } from '../core/workspace/lock';
import { diskPhaseStates } from './disk-status';
import { NotAvailableError, type PhaseContext, type PhaseImpl } from './phases';

type Listener = (status: PipelineStatus) => void;

/**
 * Runs pipeline phases one after another in the background, keeps each phase's state and tells listeners on
 * every change. One run at a time; a cancel aborts the running phase through its AbortSignal.
 */
export class PipelineRunner {
  private readonly states = new Map<PhaseName, PhaseState>();
  private readonly listeners = new Set<Listener>();
  private controller: AbortController | null = null;
  private lastEmit = 0;
  /** The running sequence, so tests and shutdown can wait for it. */
  current: Promise<void> | null = null;

  constructor(
    private readonly impls: Record<PhaseName, PhaseImpl | null>,
    /** Each phase as the workspace's files show it (see diskPhaseStates), read again after every run. */
    private readonly readDisk: (workspace: string) => Promise<Partial<Record<PhaseName, PhaseState>>> = diskPhaseStates,
  ) {
    for (const phase of PHASES) this.states.set(phase, this.initial(phase));
  }

  private initial(phase: PhaseName): PhaseState {
    const available = this.impls[phase] !== null;
    return {
      phase,
      status: available ? 'idle' : 'unavailable',
      done: 0,
      total: 0,
      current: null,
      message: available ? null : `phase '${phase}' is not available yet in this build`,
      problems: [],
    };
  }

  /**
   * Forgets this session's runs (another dataset or workspace was opened) and starts from what the workspace's
   * files show (see diskPhaseStates); a phase this build lacks stays unavailable. Refused while a run is going.
   */
  reset(disk: Partial<Record<PhaseName, PhaseState>>): void {
    if (this.controller) throw new Error('a pipeline run is in progress; cancel it first');
    for (const phase of PHASES) {
      const fromDisk = disk[phase];
      this.states.set(phase, this.impls[phase] !== null && fromDisk ? { ...fromDisk } : this.initial(phase));
    }
    this.emit(true);
  }

  status(): PipelineStatus {
    return { running: this.controller !== null, phases: PHASES.map((p) => ({ ...this.states.get(p)! })) };
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts `phases` and returns at once; throws when a run is already going or a single phase is missing. */
  start(phases: readonly PhaseName[], context: Omit<PhaseContext, 'signal' | 'progress'>): PipelineStatus {
    if (this.controller) throw new Error('a pipeline run is already in progress; cancel it first');
    if (phases.length === 1 && this.impls[phases[0]!] === null) {
      throw new NotAvailableError(`phase '${phases[0]}' is not available yet in this build`);
    }
    const controller = new AbortController();
    this.controller = controller;
    for (const phase of phases) if (this.impls[phase]) this.set(phase, { ...this.initial(phase), status: 'queued' });
    // One workspace lock for the whole sequence (each phase's core call re-enters it): no other writer, in this
    // app or another process, can change the workspace between two phases of the run.
    const what = `CarLens app: ${phases.join(', ')}`;
    this.current = withWorkspaceLock(context.workspace, what, async () => {
      await this.runAll(phases, context, controller);
      await this.refreshFromDisk(context.workspace, phases);
    })
      .catch((error: Error) => this.refused(phases, error))
      .finally(() => {
        this.controller = null;
        this.current = null;
        this.emit(true);
      });
    this.emit(true);
    return this.status();
  }

  cancel(): boolean {
    if (!this.controller) return false;
    this.controller.abort(new Error('cancelled by the user'));
    return true;
  }

  private async runAll(phases: readonly PhaseName[], context: Omit<PhaseContext, 'signal' | 'progress'>, controller: AbortController): Promise<void> {
    for (const [i, phase] of phases.entries()) {
      const impl = this.impls[phase];
      if (!impl) continue;
      if (controller.signal.aborted) {
        this.set(phase, { status: 'cancelled', message: 'cancelled before it started; finished work is kept for the next run' });
        continue;
      }
      this.set(phase, { status: 'running', done: 0, total: 0, current: null, message: null, problems: [] });
      this.emit(true);
      try {
        const outcome = await impl({
          ...context,
          signal: controller.signal,
          progress: (done, total, current) => {
            this.set(phase, { done, total, current });
            this.emit(done === total);
          },
        });
        this.set(phase, { status: 'done', current: null, message: outcome.message, problems: outcome.problems });
      } catch (error) {
        const cancelled = controller.signal.aborted;
        this.set(phase, {
          status: cancelled ? 'cancelled' : 'failed',
          current: null,
          message: cancelled ? 'cancelled; finished work is kept for the next run' : (error as Error).message,
        });
        for (const later of phases.slice(i + 1)) {
          if (this.impls[later]) this.set(later, { status: cancelled ? 'cancelled' : 'idle', message: `not run: '${phase}' ${cancelled ? 'was cancelled' : 'failed'}` });
        }
        this.emit(true);
        return;
      }
      this.emit(true);
    }
  }

  /**
   * After a run, every phase the workspace's files now say is stale shows so (re-cut crops make the later phases
   * stale; phase 4 alone over stale embeddings is stale at once), and a stale one that caught up shows done. This
   * session's outcomes (messages, problems, failures, cancellations) stay otherwise.
   */
  private async refreshFromDisk(workspace: string, ran: readonly PhaseName[]): Promise<void> {
    const disk = await this.readDisk(workspace);
    for (const phase of PHASES) {
      const now = this.states.get(phase)!;
      const fromDisk = disk[phase];
      if (!fromDisk || this.impls[phase] === null || now.status === 'failed' || now.status === 'cancelled') continue;
      if (fromDisk.status === 'stale') this.set(phase, { status: 'stale', staleReason: fromDisk.staleReason });
      // Up to date again, or first written by this run's phases: the files' account; a phase this run did is its own.
      else if (now.status === 'stale' || (now.status === 'idle' && !ran.includes(phase))) this.states.set(phase, { ...fromDisk });
      else this.set(phase, { staleReason: null });
    }
  }

  /**
   * The lock was refused (another writer holds the workspace): the first phase says who, the others were not run.
   * Lost while running (see withWorkspaceLock): the last phase that ran carries the message.
   */
  private refused(phases: readonly PhaseName[], error: Error): void {
    const queued = phases.filter((p) => this.impls[p] && this.states.get(p)!.status === 'queued');
    const ran = phases.filter((p) => this.impls[p] && !queued.includes(p));
    const blamed = queued[0] ?? ran.at(-1);
    if (blamed) this.set(blamed, { status: 'failed', current: null, message: error.message });
    for (const later of queued.slice(1)) this.set(later, { status: 'idle', message: `not run: '${blamed}' failed` });
  }

  private set(phase: PhaseName, patch: Partial<PhaseState>): void {
    this.states.set(phase, { ...this.states.get(phase)!, ...patch });
  }

  /** Progress comes per file; listeners get at most ~20 updates a second, and every status change. */
  private emit(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastEmit < 50) return;
    this.lastEmit = now;
    const status = this.status();
    for (const listener of this.listeners) listener(status);
  }
}
