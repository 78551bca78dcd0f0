import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { EncodeError, stableHash, type BakeRequest, type ColourBaker, type ColourLut, type OcioConfigInfo } from '@ftrack-encode/core';

export interface OcioBakerOptions {
  /** Where baked LUTs are kept (default $XDG_CACHE_HOME/ftrack-encode/luts or ~/.cache/...). */
  cacheDir?: string;
  ociobakelut?: string;
  ociocheck?: string;
}

const INSTALL_HINT = 'Install OpenColorIO tools: apt-get install opencolorio-tools.';

/** Names of the two colourspaces added to a derived config so ociobakelut can bake a display/view. */
const SCENE_REFERENCE = '__ftrack_encode_scene_reference';
const DISPLAY_VIEW = '__ftrack_encode_display_view';

function unquote(text: string): string {
  const t = text.trim();
  return (t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")) ? t.slice(1, -1) : t;
}

/**
 * The parts of an OCIO YAML config we need (roles, displays and their views, active displays),
 * read line by line; colourspace names come from ociocheck, which also validates the whole file.
 */
export function parseOcioDisplays(
  text: string,
): Pick<OcioConfigInfo, 'roles' | 'displays' | 'defaultDisplay'> & { viewColourspaces: Record<string, Record<string, string>>; dataColourspaces: string[] } {
  const roles: Record<string, string> = {};
  const dataColourspaces: string[] = [];
  let colourspace: string | undefined;
  const displays: { name: string; views: string[] }[] = [];
  const viewColourspaces: Record<string, Record<string, string>> = {};
  let section = '';
  let active: string[] | undefined;
  let activeViews: string[] | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '');
    if (!line.trim()) continue;
    const top = /^([A-Za-z_]+):\s*(.*)$/.exec(line);
    if (top) {
      section = top[1]!;
      if (section === 'active_displays' && top[2])
        active = top[2]
          .replace(/^\[|\]$/g, '')
          .split(',')
          .map(unquote)
          .filter(Boolean);
      if (section === 'active_views' && top[2])
        activeViews = top[2]
          .replace(/^\[|\]$/g, '')
          .split(',')
          .map(unquote)
          .filter(Boolean);
      continue;
    }
    if (section === 'colorspaces') {
      const name = /^\s+(?:- !<ColorSpace>\s*)?name:\s*(.+)$/.exec(line);
      if (name) colourspace = unquote(name[1]!);
      else if (/^\s+- /.test(line)) colourspace = undefined;
      if (colourspace && /^\s+isdata:\s*true\s*$/.test(line)) dataColourspaces.push(colourspace);
    } else if (section === 'roles') {
      const role = /^\s+([A-Za-z0-9_]+):\s*(.+)$/.exec(line);
      if (role) roles[role[1]!] = unquote(role[2]!);
    } else if (section === 'displays') {
      const header = /^\s{1,4}([^\s-][^:]*):\s*$/.exec(line);
      if (header) displays.push({ name: unquote(header[1]!), views: [] });
      const view = /!<View>\s*\{.*?name:\s*("[^"]*"|'[^']*'|[^,}]+)/.exec(line);
      const display = displays[displays.length - 1];
      if (view && display) {
        const name = unquote(view[1]!);
        display.views.push(name);
        // A view that names a colourspace (OCIO v1 style, or v2 without a view transform) bakes directly.
        const colourspace = /[{,]\s*colorspace:\s*("[^"]*"|'[^']*'|[^,}]+)/.exec(line);
        if (colourspace) (viewColourspaces[display.name] ??= {})[name] = unquote(colourspace[1]!);
      }
    }
  }
  if (activeViews?.length) {
    for (const d of displays) d.views = [...activeViews.filter((v) => d.views.includes(v)), ...d.views.filter((v) => !activeViews!.includes(v))];
  }
  const ordered = active?.length
    ? [
        ...active.map((a) => displays.find((d) => d.name === a)).filter((d): d is { name: string; views: string[] } => !!d),
        ...displays.filter((d) => !active!.includes(d.name)),
      ]
    : displays;
  return { roles, displays: ordered, viewColourspaces, dataColourspaces, ...(ordered[0] ? { defaultDisplay: ordered[0].name } : {}) };
}

/** ociocheck's "** ColorSpaces **" list. */
export function parseOciocheckColourspaces(output: string): string[] {
  const lines = output.split(/\r?\n/);
  const start = lines.findIndex((l) => /^\*\* ColorSpaces \*\*/.test(l));
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^\*\*/.test(line) || !line.trim()) break;
    names.push(line.trim().replace(/\s+\((?:[^)]*)\)$/, ''));
  }
  return names;
}

function yamlQuote(text: string): string {
  return JSON.stringify(text);
}

/**
 * The studio config plus two colourspaces: an empty one (the scene reference) and one whose
 * from_scene_reference is the display/view (DisplayViewTransform). ociobakelut 2.1 bakes only
 * colourspace pairs, so input -> DISPLAY_VIEW bakes exactly the display/view the user named.
 * Relative search paths are made absolute so the copy finds the config's LUT files.
 */
export function derivedConfig(text: string, configDir: string, display: string, view: string): string {
  const added = [
    `  - !<ColorSpace>`,
    `    name: ${SCENE_REFERENCE}`,
    `    isdata: false`,
    `  - !<ColorSpace>`,
    `    name: ${DISPLAY_VIEW}`,
    `    from_scene_reference: !<DisplayViewTransform> {src: ${SCENE_REFERENCE}, display: ${yamlQuote(display)}, view: ${yamlQuote(view)}}`,
    '',
  ].join('\n');
  let out = text.replace(/^colorspaces:[ \t]*\r?\n/m, (m) => `${m}${added}`);
  const search = /^search_path:[ \t]*(.*)$/m.exec(out);
  if (search && search[1]!.trim()) {
    const paths = unquote(search[1]!)
      .split(':')
      .map((p) => (isAbsolute(p) ? p : resolve(configDir, p)));
    out = out.replace(search[0], `search_path: ${yamlQuote(paths.join(':'))}`);
  } else if (search) {
    out = out.replace(/^search_path:[ \t]*\r?\n((?:[ \t]+-[^\n]*\n)+)/m, (_m, items: string) => {
      const paths = items
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => unquote(l.trim().replace(/^-\s*/, '')));
      return `search_path: ${yamlQuote(paths.map((p) => (isAbsolute(p) ? p : resolve(configDir, p))).join(':'))}\n`;
    });
  } else out = `search_path: ${yamlQuote(configDir)}\n${out}`;
  return out;
}

export function defaultLutCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'ftrack-encode', 'luts');
}

/**
 * ColourBaker on Debian's OpenColorIO tools: `ociocheck` validates a config and lists its spaces,
 * `ociobakelut` bakes input -> display/view into a cinespace LUT (1D shaper + cube) that ffmpeg's
 * lut3d applies. LUTs are cached by a hash of (config content, input, display, view, shaper, size).
 */
export class OcioBaker implements ColourBaker {
  private readonly cacheDir: string;
  private readonly inspected = new Map<string, Promise<OcioConfigInfo>>();

  constructor(private readonly options: OcioBakerOptions = {}) {
    this.cacheDir = options.cacheDir ?? defaultLutCacheDir();
  }

  inspect(configPath: string, options: { signal?: AbortSignal } = {}): Promise<OcioConfigInfo> {
    const path = resolve(configPath);
    let pending = this.inspected.get(path);
    if (!pending) {
      pending = this.read(path, options.signal);
      this.inspected.set(path, pending);
      pending.catch(() => this.inspected.delete(path));
    }
    return pending;
  }

  private async read(path: string, signal: AbortSignal | undefined): Promise<OcioConfigInfo> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new EncodeError('E_CONFIG_INVALID', `Cannot read the OCIO config ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, {
        hint: 'Point --ocio-config, colour.ocioConfig or $OCIO at a readable config.ocio.',
        details: { ocioConfig: path },
        cause: error,
      });
    }
    const { execa } = await import('execa'); // on use: execa costs ~0.1 s of every CLI start
    const result = await execa(this.options.ociocheck ?? 'ociocheck', ['--iconfig', path], {
      reject: false,
      stdin: 'ignore',
      ...(signal ? { cancelSignal: signal } : {}),
    });
    if (result.failed && result.exitCode === undefined) {
      throw new EncodeError('E_ENCODER_MISSING', `Cannot run ociocheck: ${result.shortMessage}`, { hint: INSTALL_HINT });
    }
    const output = `${result.stdout}\n${result.stderr}`;
    const colourspaces = parseOciocheckColourspaces(output);
    if (result.failed || !/\*\* Validation \*\*\s*\n\s*passed/.test(output) || colourspaces.length === 0) {
      const reason =
        output
          .split('\n')
          .filter((l) => /error|exception|fail/i.test(l))
          .slice(-3)
          .join(' | ') || `ociocheck exited with ${result.exitCode}`;
      throw new EncodeError('E_CONFIG_INVALID', `The OCIO config ${path} does not validate: ${reason}`, {
        hint: 'Run `ociocheck --iconfig <config>` to see every problem.',
        details: { ocioConfig: path },
      });
    }
    const { roles, displays, defaultDisplay } = parseOcioDisplays(text);
    if (displays.length === 0) {
      throw new EncodeError('E_CONFIG_INVALID', `The OCIO config ${path} defines no displays.`, { details: { ocioConfig: path } });
    }
    const hash = createHash('sha256').update(text).digest('hex');
    return { path, hash, colourspaces, roles, displays, ...(defaultDisplay ? { defaultDisplay } : {}) };
  }

  async bake(requested: BakeRequest, options: { signal?: AbortSignal } = {}): Promise<ColourLut> {
    const { config } = requested;
    const text = await readFile(config.path, 'utf8');
    const parsed = parseOcioDisplays(text);
    // A view that is a colourspace bakes straight from the studio config (works for OCIO v1 configs);
    // a v2 view transform needs the derived config with a DisplayViewTransform colourspace.
    const direct = parsed.viewColourspaces[requested.display]?.[requested.view];
    // OCIO passes pixels into a data space untouched, so a shaper would stay applied: bake without it.
    const { shaperSpace, ...withoutShaper } = requested;
    const request: BakeRequest = shaperSpace && direct && parsed.dataColourspaces.includes(direct) ? withoutShaper : requested;
    const hash = stableHash({
      v: 1,
      config: config.hash,
      input: request.inputSpace,
      display: request.display,
      view: request.view,
      shaper: request.shaperSpace ?? null,
      size: request.cubeSize,
    });
    const lutPath = join(this.cacheDir, `${hash}.csp`);
    if (
      await stat(lutPath).then(
        (s) => s.size > 0,
        () => false,
      )
    )
      return { path: lutPath, hash };
    await mkdir(this.cacheDir, { recursive: true });
    const derived = join(this.cacheDir, `.${hash}-${process.pid}.ocio`);
    if (!direct) await writeFile(derived, derivedConfig(text, dirname(config.path), request.display, request.view), 'utf8');
    const partial = join(this.cacheDir, `.${hash}-${process.pid}.partial.csp`);
    const args = ['--iconfig', direct ? config.path : derived, '--inputspace', request.inputSpace, '--outputspace', direct ?? DISPLAY_VIEW];
    if (request.shaperSpace) args.push('--shaperspace', request.shaperSpace);
    args.push('--format', 'cinespace', '--cubesize', String(request.cubeSize), partial);
    const { execa } = await import('execa');
    const result = await execa(this.options.ociobakelut ?? 'ociobakelut', args, {
      reject: false,
      stdin: 'ignore',
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
    await rm(derived, { force: true });
    if (result.failed) {
      await rm(partial, { force: true });
      if (result.exitCode === undefined && !result.isCanceled)
        throw new EncodeError('E_ENCODER_MISSING', `Cannot run ociobakelut: ${result.shortMessage}`, { hint: INSTALL_HINT });
      if (result.isCanceled) throw new EncodeError('E_CANCELLED', 'Cancelled while baking the display LUT.');
      throw new EncodeError(
        'E_CONFIG_INVALID',
        `ociobakelut could not bake ${request.inputSpace} -> ${request.display} / ${request.view}: ${`${result.stderr}`.trim().split('\n').slice(-2).join(' | ')}`,
        {
          details: { ocioConfig: config.path, inputSpace: request.inputSpace, display: request.display, view: request.view },
        },
      );
    }
    await rename(partial, lutPath);
    return { path: lutPath, hash };
  }
}
