/**
 * Packages this machine's VSIX from the built dist/ (scripts/package.mjs --no-build) and checks
 * what a user would install: only what runs, one esbuild binary (this platform's), ONNX Runtime
 * with this platform's binaries only (and it runs from the unpacked package), the icon and
 * every image the README and the walkthrough show. Needs `npm run build` first.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OnnxGraphBuilder } from '../../src/analysis/engines/onnxGraphBuilder';

const root = join(__dirname, '..', '..');
// vsce's own zip reader (its names are lower-cased); vsce is pinned in devDependencies.
const { readZip } = createRequire(join(root, 'package.json'))('@vscode/vsce/out/zip') as {
  readZip(file: string, filter: (name: string) => boolean): Promise<Map<string, Buffer>>;
};

const NODE_TARGETS: Record<string, string> = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'linux-arm': 'linux-armhf',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

interface Manifest {
  icon: string;
  contributes: { walkthroughs?: Array<{ steps: Array<{ media: Record<string, string> }> }> };
}

describe('the VSIX', function () {
  this.timeout(300_000);
  const target = NODE_TARGETS[`${process.platform}-${process.arch}`];
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
  let outFolder: string;
  let files: Map<string, Buffer>;

  before(async function () {
    assert.ok(existsSync(join(root, 'dist', 'extension.js')), 'run `npm run build` first');
    outFolder = mkdtempSync(join(tmpdir(), 'cnn-inspector-vsix-'));
    execFileSync(
      process.execPath,
      [join(root, 'scripts', 'package.mjs'), '--no-build', '--out', outFolder],
      { cwd: root, stdio: 'pipe' },
    );
    const version = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    files = await readZip(join(outFolder, `cnn-inspector-${target}-${version}.vsix`), () => true);
  });

  after(() => {
    if (outFolder) rmSync(outFolder, { recursive: true, force: true });
  });

  const names = () => [...files.keys()].filter((n) => !n.endsWith('/'));

  it('holds no sources, tests, source maps or node_modules', () => {
    const offending = names().filter(
      (n) =>
        /\.(ts|map|mjs|vsix)$/.test(n) ||
        /^extension\/(src|test|webview|scripts|examples|node_modules)\//.test(n) ||
        n.includes('/node_modules/'),
    );
    assert.deepEqual(offending, []);
    assert.ok(files.has('extension/dist/extension.js'));
    assert.ok(files.has('extension/dist/worker.js'));
    assert.ok(files.has('extension/dist/webview.js'));
    assert.ok(files.has('extension/dist/panel.css')); // the panel's stylesheet
  });

  it("carries exactly one esbuild binary, this platform's, and is marked for this target", () => {
    const binaries = names().filter((n) => /(^|\/)esbuild(\.exe)?$/.test(n));
    const expected = process.platform === 'win32' ? 'esbuild.exe' : 'esbuild';
    assert.deepEqual(binaries, [`extension/dist/bin/${expected}`]);
    const installed = join(root, 'node_modules', '@esbuild', `${process.platform}-${process.arch}`);
    const original = readFileSync(
      join(installed, process.platform === 'win32' ? expected : join('bin', expected)),
    );
    assert.ok(files.get(binaries[0])!.equals(original), 'the binary differs from esbuild`s own');
    const note = JSON.parse(files.get('extension/dist/bin/target.json')!.toString('utf8')) as {
      platform: string;
      arch: string;
    };
    assert.deepEqual(note, { platform: process.platform, arch: process.arch });
    const vsixManifest = files.get('extension.vsixmanifest')!.toString('utf8');
    assert.match(vsixManifest, new RegExp(`TargetPlatform="${target}"`));
  });

  it("carries ONNX Runtime with only this platform's binaries, and it runs once unpacked", () => {
    const folder = 'extension/dist/onnxruntime/';
    const shipped = names().filter((n) => n.startsWith(folder));
    const ours = `${folder}bin/napi-v6/${process.platform}/${process.arch}/`;
    assert.deepEqual(
      shipped.filter((n) => !n.startsWith(ours) && n !== `${folder}dist/index.js`),
      [],
    );
    assert.ok(shipped.includes(`${ours}onnxruntime_binding.node`));
    // Unpacked as VS Code installs it, the bundle loads its binding and runs a graph.
    const unpacked = mkdtempSync(join(tmpdir(), 'cnn-inspector-ort-'));
    try {
      for (const name of shipped) {
        const file = join(unpacked, name);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, files.get(name)!);
      }
      const builder = new OnnxGraphBuilder();
      builder.addInput('x', [1, 3]);
      builder.addOutput(builder.node('Relu', ['x'], 'y'), [1, 3]);
      const modelFile = join(unpacked, 'relu.onnx');
      writeFileSync(modelFile, builder.serialize('relu'));
      const script = `const ort = require(${JSON.stringify(join(unpacked, folder, 'dist', 'index.js'))});
        ort.InferenceSession.create(${JSON.stringify(modelFile)}).then(async (s) => {
          const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([-1, 0, 2]), [1, 3]) });
          console.log(JSON.stringify(Array.from(Object.values(out)[0].data)));
        });`;
      const printed = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      assert.deepEqual(JSON.parse(printed), [0, 0, 2]);
    } finally {
      rmSync(unpacked, { recursive: true, force: true });
    }
  });

  it('has no two files with the same content among its large files', () => {
    const seen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const name of names()) {
      const content = files.get(name)!;
      if (content.length < 64 * 1024) continue;
      const hash = createHash('sha256').update(content).digest('hex');
      if (seen.has(hash)) duplicates.push(`${seen.get(hash)} = ${name}`);
      else seen.set(hash, name);
    }
    assert.deepEqual(duplicates, []);
  });

  it('has its PNG icon', () => {
    const icon = files.get(`extension/${manifest.icon.toLowerCase()}`);
    assert.ok(icon, `icon ${manifest.icon} missing`);
    assert.ok(manifest.icon.endsWith('.png'));
    assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(icon.readUInt32BE(16) >= 128 && icon.readUInt32BE(20) >= 128, 'icon under 128 px');
  });

  it("has every image the README shows (the Extensions view's README is the packaged one)", () => {
    const readme = files.get('extension/readme.md')!.toString('utf8');
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)/g)].map((m) => m[1]);
    assert.ok(images.length >= 2, 'the README shows pictures');
    const missing = images.filter((image) => !files.has(`extension/${image.toLowerCase()}`));
    assert.deepEqual(missing, []);
  });

  it("has every walkthrough step's picture", () => {
    const steps = (manifest.contributes.walkthroughs ?? []).flatMap((w) => w.steps);
    const pictures = steps.map((s) => s.media.image).filter(Boolean);
    const missing = pictures.filter((p) => !files.has(`extension/${p.toLowerCase()}`));
    assert.deepEqual(missing, []);
  });
});
