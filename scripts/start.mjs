#!/usr/bin/env node
// `npm start`: the extension in a real VS Code in the browser, on the example workspace.
// Installs what is missing (npm packages, a build, code-server under test/code-server/), starts
// code-server bound to 127.0.0.1 with the extension loaded from this checkout and examples/ open,
// and prints the URL to open. Ctrl-C stops code-server and its extension hosts and removes its
// temporary profile. Options: --folder DIR (another workspace), --no-build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const folderIndex = args.indexOf('--folder');
const folder = folderIndex >= 0 ? resolve(args[folderIndex + 1]) : join(root, 'examples');

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.status !== 0) {
    console.error(`npm start: \`${command} ${commandArgs.join(' ')}\` failed`);
    process.exit(1);
  }
}

if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  console.log('npm start: installing the npm packages (npm ci)…');
  run('npm', ['ci']);
}
if (!args.includes('--no-build')) run(process.execPath, [join(root, 'scripts', 'build.mjs')]);

// Imported after `npm ci`: the harness is plain Node, but keep the order obvious.
const { startCodeServer } = await import('../test/harness/code-server.mjs');
const verbose = Boolean(process.env.CNN_START_VERBOSE);
const server = await startCodeServer({
  folder,
  // code-server's own chatter only with CNN_START_VERBOSE=1; its errors always.
  log: (text) => {
    if (verbose || /error|fail/i.test(text)) process.stdout.write(text);
  },
});

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\nnpm start: ${signal}, stopping code-server…`);
  await server.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop('Ctrl-C'));
process.on('SIGTERM', () => void stop('SIGTERM'));

const url = server.workbenchUrl({ extensionDevelopmentPath: root });
console.log(`
CNN Inspector is running in VS Code (code-server, on 127.0.0.1 only) with ${folder} open.
Open this URL in a browser on this machine:

  ${url}

Then open lenet.ts and click "Visualize model" above \`export default\`, or run
"CNN Inspector: Visualize layer" from the command palette (Ctrl+Shift+P).
Help > Get Started > "Look inside a CNN with CNN Inspector" walks through the panel.
Press Ctrl-C here to stop.`);
