import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

/**
 * Test support for the kill replay suite, loaded into the CLI with `node --import`: when
 * CARLENS_FREEZE_BEFORE_RENAME (a regular expression) matches the target of a rename, the process says so on stderr
 * and stops for good right there, so the suite can SIGKILL it at that exact point: the files written before are on
 * disk, that one is a temp file not yet renamed. Some phases write their outputs in a few milliseconds, too briefly
 * for a kill sent on a progress line to land inside them reliably. Nothing is replaced: the code under test runs
 * unchanged up to the frozen rename.
 */
const pattern = process.env.CARLENS_FREEZE_BEFORE_RENAME;
if (pattern) {
  const target = new RegExp(pattern);
  const rename = fs.promises.rename;
  fs.promises.rename = async (from, to) => {
    if (target.test(String(to))) {
      // A pipe's stderr is written synchronously on Linux: the line is out before the thread blocks.
      process.stderr.write(`frozen before renaming ${String(to)}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
    return rename(from, to);
  };
  // `import { rename } from 'node:fs/promises'` binds the ES module's export: make it the wrapper too.
  syncBuiltinESMExports();
}
