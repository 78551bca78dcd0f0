// A CPU-time budget for one request: evaluation checks the process's CPU time every
// few hundred steps and stops with a clear error, so one expensive query cannot hold
// the event loop (and every other client) for long. CPU rather than wall time, so a
// busy machine does not fail queries that are cheap in themselves.
import { QueryError } from './errors.js';

export class QueryBudgetError extends QueryError {
  constructor(budgetMs: number) {
    super(
      `The request was stopped after ${budgetMs} ms of server time; split a large batch, or narrow a query with a where clause, a limit or fewer projected relations.`,
      { budgetMs },
    );
    this.name = 'QueryBudgetError';
  }
}

const CHECK_EVERY = 256;

/** User + system CPU time of this process, in milliseconds. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export class Budget {
  private steps = 0;

  /** `deadline` is a cpuMs() value; undefined means unlimited. */
  constructor(
    private readonly deadline: number | undefined,
    private readonly budgetMs = 0,
  ) {}

  static unlimited(): Budget {
    return new Budget(undefined);
  }

  static of(budgetMs: number): Budget {
    return new Budget(cpuMs() + budgetMs, budgetMs);
  }

  tick(): void {
    if (this.deadline === undefined) return;
    this.steps += 1;
    if (this.steps % CHECK_EVERY === 0 && cpuMs() > this.deadline) throw new QueryBudgetError(this.budgetMs);
  }
}
