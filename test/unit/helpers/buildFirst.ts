/**
 * Loaded by .mocharc before the suite: brings dist/ up to date once, outside any test's timeout
 * (a build on a loaded machine can take longer than a hook may). Tests still call ensureBuilt
 * for single-file runs (`mocha --no-config`), where it is then a no-op or this same build.
 */
import { ensureBuilt } from './build';

ensureBuilt();
