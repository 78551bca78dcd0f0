/** The ftrack server a scope talks to: configured, or the CLI's embedded ftrack-local. */
export interface FtrackEndpoint {
  serverUrl: string;
  apiUser: string;
  apiKey: string;
}
