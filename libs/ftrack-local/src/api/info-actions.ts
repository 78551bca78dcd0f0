// query_server_information and query_schemas (protocol §3.1, §3.2).
import type { ActionHandler } from './action.js';

export const queryServerInformation: ActionHandler = {
  run(op, ctx) {
    const values = Array.isArray(op['values']) ? op['values'].filter((v): v is string => typeof v === 'string') : undefined;
    return ctx.serverInformation(ctx.user, values);
  },
};

export const querySchemas: ActionHandler = {
  run(_op, ctx) {
    return ctx.schemas();
  },
};
