// @dwa/sdk — write a region's DWA rules in JavaScript, against the contract dwa:policy@0.3.0
// (wit/policy.wit): the province baseline, the helpers and the standard allocator of the Rust
// SDK (dwa-sdk), and `exportPolicy`, the one line that makes a policy the plugin's interface:
//
//   import { definePolicy, exportPolicy, pluginInfo } from '@dwa/sdk';
//   export const policy = definePolicy({ info: () => pluginInfo('3273', 'Kota Bandung', '0.1.0') });
//   export const rules = exportPolicy(policy);
//
// Everything here also runs in the sandbox (no Node APIs); `@dwa/sdk/testing` and
// `@dwa/sdk/manifest` are for native tests under node.

export * from './src/allocator.js';
export * from './src/baseline.js';
export * from './src/boundary.js';
export * from './src/date.js';
export * from './src/errors.js';
export { debugNumber, formatNumber } from './src/format.js';
export * from './src/guest.js';
export * from './src/nip.js';
export * from './src/params.js';
export * from './src/policy.js';
export * from './src/reason.js';
export * from './src/talent.js';
export * from './src/types.js';
