import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { check, isEncodeError, type Config, type EncoderDescriptor, type FtrackEndpoint, type HealthCheck, type Logger } from '@ftrack-encode/core';
import { ENCODERS } from './adapters.js';
import { settingsOf, sharedSettings } from './adapter-config.js';
import { chooseBackend } from './choose-backend.js';
import { createScope } from './create-scope.js';

const exec = promisify(execFile);

export interface DiagnoseOptions {
  logger: Logger;
  /** The ftrack server publishes would use (configured, or the embedded ftrack-local). */
  ftrack: FtrackEndpoint & { label?: string };
  /** The configuration as written (before defaults): which adapter blocks a site set. */
  written: Config;
  env?: Record<string, string | undefined>;
}

/** Whether a site uses an encoder: chosen as backend, or its config block / environment is set. */
function inUse(descriptor: EncoderDescriptor<never>, config: Config, written: Config, env: Record<string, string | undefined>): boolean {
  if (config.backend === descriptor.id) return true;
  const block = descriptor.config;
  return Boolean(block && (written[block.key] !== undefined || Object.keys(block.env ?? {}).some((name) => env[name])));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * `ftrack-encode doctor`: every check a site's set-up depends on, run for real — each encoder
 * plug-in's own checks, the backend `auto` would pick, OCIO, and against ftrack the session,
 * schema cache, a storage round trip in the configured location and the event hub.
 */
export async function diagnose(config: Config, options: DiagnoseOptions): Promise<HealthCheck[]> {
  const env = options.env ?? process.env;
  const shared = sharedSettings(config);
  const checks: HealthCheck[] = [];
  for (const descriptor of ENCODERS) {
    if (!descriptor.diagnose) continue;
    checks.push(
      ...(await descriptor.diagnose({
        shared,
        settings: settingsOf(descriptor.config, config) as never,
        inUse: inUse(descriptor, config, options.written, env),
      })),
    );
  }
  checks.push(
    await chooseBackend(config.backend, config).then(
      (chosen) => check.ok('backend', `${chosen.backend}: ${chosen.reason}`),
      (error: unknown) => check.fail('backend', message(error), isEncodeError(error) ? error.hint : undefined),
    ),
  );
  checks.push(await diagnoseOcio(config.colour.ocioConfig ?? env['OCIO']));
  checks.push(...(await diagnoseFtrack(config, options)));
  return checks;
}

async function diagnoseOcio(path: string | undefined): Promise<HealthCheck> {
  if (!path) return check.ok('colour: OCIO', 'no $OCIO config: built-in display transforms');
  try {
    await readFile(path);
  } catch (error) {
    return check.fail(
      'colour: OCIO',
      `$OCIO=${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? message(error)}`,
      'Point $OCIO at a readable config.ocio.',
    );
  }
  try {
    const { stdout } = await exec('ociocheck', ['--iconfig', path], { timeout: 30_000 });
    return check.ok(
      'colour: OCIO',
      `${path} parses (${
        stdout
          .split('\n')
          .find((l) => /displays|Default Display/i.test(l))
          ?.trim() ?? 'ociocheck passed'
      })`,
    );
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') return check.warn('colour: OCIO', `${path} set, but ociocheck is not installed to verify it`, 'apt-get install opencolorio-tools');
    return check.fail(
      'colour: OCIO',
      `${path} does not parse: ${(e.stderr || e.stdout || message(error)).trim().split('\n').slice(-1)[0]}`,
      'Fix the config (ociocheck --iconfig shows every error).',
    );
  }
}

async function diagnoseFtrack(config: Config, options: DiagnoseOptions): Promise<HealthCheck[]> {
  const { ftrack } = options;
  const label = ftrack.label ?? ftrack.serverUrl;
  const { createFtrackSession } = await import('@ftrack-encode/ftrack');
  let session;
  try {
    ({ session } = await createFtrackSession({ serverUrl: ftrack.serverUrl, apiUser: ftrack.apiUser, apiKey: ftrack.apiKey }));
  } catch (error) {
    return [check.fail('ftrack: server', message(error), isEncodeError(error) ? error.hint : undefined)];
  }
  const checks: HealthCheck[] = [
    check.ok('ftrack: server', `${label} (server ${session.serverInformation?.version ?? 'unknown'}), signed in as ${ftrack.apiUser}`),
  ];
  checks.push(await schemaCacheCheck(config.ftrack.schemaCacheDir ?? join(tmpdir(), 'ftrack-encode-schema-cache')));
  checks.push(await storageRoundTrip(config, options));
  checks.push(await eventHubCheck(session.eventHub));
  session.eventHub.disconnect();
  return checks;
}

async function schemaCacheCheck(dir: string): Promise<HealthCheck> {
  try {
    await mkdir(dir, { recursive: true });
    const probe = join(dir, `.doctor-${randomUUID()}`);
    await writeFile(probe, 'ok');
    await rm(probe);
    return check.ok('ftrack: schema cache', `${dir} is writable`);
  } catch (error) {
    return check.warn(
      'ftrack: schema cache',
      `${dir} is not writable: ${message(error)}`,
      'Every session then asks the server for its schemas; set ftrack.schemaCacheDir.',
    );
  }
}

/** Put, read back and remove a small file in the configured location, like a publish would. */
async function storageRoundTrip(config: Config, options: DiagnoseOptions): Promise<HealthCheck> {
  const name = `ftrack: storage ${config.location}`;
  const work = await mkdtemp(join(tmpdir(), 'ftrack-encode-doctor-'));
  let scope;
  try {
    scope = await createScope(config, { logger: options.logger, ftrack: options.ftrack });
    const storage = scope.storage!;
    const file = join(work, 'probe.txt');
    const bytes = `ftrack-encode doctor ${new Date().toISOString()}\n`;
    await writeFile(file, bytes);
    const stored = await storage.put(file, {
      componentId: randomUUID(),
      componentName: 'ftrack-encode-doctor',
      extension: 'txt',
      project: 'doctor',
      asset: 'doctor',
      version: 1,
    });
    try {
      const copy = join(work, 'copy.txt');
      await storage.get(stored.resourceIdentifier, copy);
      if ((await readFile(copy, 'utf8')) !== bytes)
        return check.fail(name, 'the file read back differs from the one stored', 'Check the location (prefix, permissions, proxy).');
    } finally {
      await storage.remove(stored.resourceIdentifier);
    }
    return check.ok(name, `put, get and remove of a small file (${stored.resourceIdentifier})`);
  } catch (error) {
    return check.fail(name, message(error), isEncodeError(error) ? error.hint : undefined);
  } finally {
    await scope?.close();
    await rm(work, { recursive: true, force: true });
  }
}

async function eventHubCheck(hub: { connect(): void; isConnected(): boolean }): Promise<HealthCheck> {
  hub.connect();
  for (let waited = 0; waited < 5000; waited += 100) {
    if (hub.isConnected()) return check.ok('ftrack: event hub', 'connected');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check.warn(
    'ftrack: event hub',
    'no connection within 5 s',
    'Publishing still works; component-added events and auto-encode need the hub (WebSocket through proxies).',
  );
}
