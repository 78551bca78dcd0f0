// A time budget for one request: evaluation checks the clock every few hundred
// steps and stops with a clear error, so one expensive query cannot hold the
// event loop (and every other client) for long.
import { QueryError } from './errors.js';

export class QueryBudgetError extends QueryError {
  constructor(budgetMs: number) {
    super(
      `The query was stopped after ${budgetMs} ms of server time; narrow it with a where clause, a limit or fewer projected relations.`,
      { budgetMs },
    );
    this.name = 'QueryBudgetError';
  }
}

const CHECK_EVERY = 256;

export class Budget {
  private steps = 0;

  /** `deadline` is a performance.now() value; undefined means unlimited. */
  constructor(
    private readonly deadline: number | undefined,
    private readonly budgetMs = 0,
  ) {}

  static unlimited(): Budget {
    return new Budget(undefined);
  }

  static of(budgetMs: number): Budget {
    return new Budget(performance.now() + budgetMs, budgetMs);
  }

  tick(): void {
    if (this.deadline === undefined) return;
    this.steps += 1;
    if (this.steps % CHECK_EVERY === 0 && performance.now() > this.deadline) throw new QueryBudgetError(this.budgetMs);
  }
}
