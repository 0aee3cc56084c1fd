/**
 * Compiles a workspace model file and its relative imports into one CommonJS module with an inline
 * source map, so that stack traces point at the user's TypeScript lines.
 *
 * - Every TensorFlow.js package (`@tensorflow/tfjs`, `-node`, `-node-gpu`, `-core`, `-layers`, ...)
 *   resolves to the one runtime the extension uses: a file written for tfjs-node runs unchanged.
 * - `cnn-inspector` resolves to the extension's own API for model files (loadOnnxModel).
 * - Other packages stay external and are required from the workspace's node_modules (by absolute
 *   path, so the bundle can live in a temporary folder).
 * - esbuild strips types without checking them, like `ts-node --transpile-only`.
 */
import type * as esbuildType from 'esbuild';
import { createHash } from 'node:crypto';
import { builtinModules, createRequire } from 'node:module';
import { basename, isAbsolute, dirname, resolve } from 'node:path';
import { InspectorError } from '../errors';
import { sourceMapOutfile } from './bundleFolder';
import { loadEsbuild } from './loadEsbuild';

export const RUNTIME_GLOBAL = '__cnnInspectorTf';
/** `import { loadOnnxModel } from 'cnn-inspector'` (see onnxModels.ts). */
export const API_GLOBAL = '__cnnInspectorApi';
const TENSORFLOW_PACKAGE = /^@tensorflow\/tfjs(-[a-z-]+)?(\/.*)?$/;
const INSPECTOR_PACKAGE = /^cnn-inspector$/;
const builtins = new Set(builtinModules);

export interface ModelBundle {
  code: string;
  /** Changes when the file or anything it imports changes. */
  hash: string;
  /** Files the bundle was made from (for watching). */
  inputs: string[];
}

export async function bundleModelFile(modelFile: string): Promise<ModelBundle> {
  const esbuild = loadEsbuild();
  const file = resolve(modelFile);
  let result: esbuildType.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: dirname(file),
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      outfile: sourceMapOutfile(`${basename(file)}.cjs`),
      logLevel: 'silent',
      plugins: [runtimeAliasPlugin(), workspacePackagesPlugin()],
    });
  } catch (error) {
    throw toSyntaxError(error, file);
  }
  const code = result.outputFiles.find((f) => f.path.endsWith('.cjs'))?.text ?? '';
  const inputs = Object.keys(result.metafile.inputs)
    .filter((input) => !/^cnn-inspector-(tf|api):/.test(input))
    .map((input) => resolve(dirname(file), input));
  return { code, hash: createHash('sha256').update(code).digest('hex'), inputs };
}

function runtimeAliasPlugin(): esbuildType.Plugin {
  return {
    name: 'cnn-inspector-runtime',
    setup(build) {
      build.onResolve({ filter: TENSORFLOW_PACKAGE }, (args) => ({
        path: args.path,
        namespace: 'cnn-inspector-tf',
      }));
      build.onLoad({ filter: /.*/, namespace: 'cnn-inspector-tf' }, () => ({
        contents: `module.exports = globalThis.${RUNTIME_GLOBAL};`,
        loader: 'js',
      }));
      build.onResolve({ filter: INSPECTOR_PACKAGE }, (args) => ({
        path: args.path,
        namespace: 'cnn-inspector-api',
      }));
      build.onLoad({ filter: /.*/, namespace: 'cnn-inspector-api' }, () => ({
        contents: `module.exports = globalThis.${API_GLOBAL};`,
        loader: 'js',
      }));
    },
  };
}

function workspacePackagesPlugin(): esbuildType.Plugin {
  return {
    name: 'cnn-inspector-workspace-packages',
    setup(build) {
      build.onResolve({ filter: /^[^.]/ }, (args) => {
        if (isAbsolute(args.path)) return undefined;
        const bare = args.path.replace(/^node:/, '');
        if (builtins.has(bare) || builtins.has(bare.split('/')[0])) {
          return { path: args.path, external: true };
        }
        try {
          const resolved = createRequire(resolve(args.resolveDir, 'index.js')).resolve(args.path);
          return { path: resolved, external: true };
        } catch {
          return {
            errors: [
              {
                text: `Cannot find package '${args.path}'. Install it in the workspace (npm install ${args.path}).`,
              },
            ],
          };
        }
      });
    },
  };
}

function toSyntaxError(error: unknown, entryFile: string): InspectorError {
  const failure = error as { errors?: esbuildType.Message[] };
  const first = failure.errors?.[0];
  if (!first) {
    return new InspectorError('syntax', `${entryFile}: ${String(error)}`);
  }
  const loc = first.location;
  const file = loc ? resolve(dirname(entryFile), loc.file) : entryFile;
  const location = loc ? { file, line: loc.line, column: loc.column + 1 } : undefined;
  const where = location ? `${file}:${location.line}:${location.column}` : file;
  const more = (failure.errors?.length ?? 1) > 1 ? ` (and ${failure.errors!.length - 1} more)` : '';
  return new InspectorError('syntax', `${where}: ${first.text}${more}`, location, loc?.lineText);
}
