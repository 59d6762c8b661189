#!/usr/bin/env node
// `dwa-plugin-build`: a JavaScript plugin project's `npm run build`. Bundles the plugin's entry
// (src/plugin.js) and what it imports — the SDK included — into one ES module with rolldown
// (componentize-js resolves no package names), then componentizes it with componentize-js
// against the contract's WIT (world `plugin`), without the HTTP features the sandbox does not
// offer, into the file the project's manifest names. `dwa plugin build` runs this script.

import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'smol-toml';

const here = fileURLToPath(new URL('.', import.meta.url));
// The contract: beside the SDK when vendored into a plugin; in the host's repository, its WIT.
const WIT = [join(here, 'wit'), join(here, '../sdk/wit/v0.3.0')].find((dir) => existsSync(join(dir, 'policy.wit')));

/** The project's manifest (one `<code>-<name>.toml`) and the component file it names. */
function manifestOf(dir) {
  const manifests = readdirSync(dir).filter((f) => /^[0-9].*\.toml$/.test(f)).sort();
  if (manifests.length !== 1) {
    throw new Error(`${dir} needs exactly one region manifest (a file named like 3273-kota-bandung.toml), found ${manifests.length}`);
  }
  const { plugin } = parse(readFileSync(join(dir, manifests[0]), 'utf8'));
  if (typeof plugin !== 'string' || !plugin.endsWith('.wasm') || plugin.includes('/')) {
    throw new Error(`${manifests[0]}: \`plugin\` must name a .wasm file beside the manifest`);
  }
  return { manifest: manifests[0], plugin };
}

/**
 * Build the component of the plugin project in `dir`; returns its path and size.
 * @param {string} dir
 * @param {string} [entry] the plugin's module, `src/plugin.js` by default
 */
export async function buildPlugin(dir, entry = 'src/plugin.js') {
  if (!WIT) throw new Error(`the contract's WIT is missing beside the SDK (${join(here, 'wit')})`);
  const { manifest, plugin } = manifestOf(dir);
  const source = resolve(dir, entry);
  if (!existsSync(source)) throw new Error(`${source} is missing: the plugin's module exports \`rules\``);
  const out = join(dir, 'build');
  mkdirSync(out, { recursive: true });
  const bundlePath = join(out, 'plugin.bundle.js');
  const { rolldown } = await import('rolldown');
  const bundle = await rolldown({ input: source, platform: 'neutral', logLevel: 'warn' });
  await bundle.write({ file: bundlePath, format: 'esm' });
  await bundle.close();
  const { componentize } = await import('@bytecodealliance/componentize-js');
  const { component } = await componentize({
    sourcePath: bundlePath,
    witPath: WIT,
    worldName: 'plugin',
    // The host links no wasi:http; stdio stays (the host captures what a plugin prints).
    disableFeatures: ['http', 'fetch-event'],
  });
  const target = join(dir, plugin);
  writeFileSync(target, component);
  return { manifest, component: target, bytes: statSync(target).size };
}

// Run as a command (npm links it as node_modules/.bin/dwa-plugin-build), not when imported.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.cwd();
  const started = Date.now();
  try {
    const { component, bytes } = await buildPlugin(dir, process.argv[2]);
    console.log(`built ${component} (${Math.ceil(bytes / 1024)} KiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    console.error(`the plugin did not build: ${e.message ?? e}`);
    process.exit(1);
  }
}
