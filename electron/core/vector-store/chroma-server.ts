import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** The per-platform package that embeds Chroma's server, named as chromadb's own loader names it. */
function bindingPackage(): string {
  const { platform, arch } = process;
  if (platform === 'linux') return `chromadb-js-bindings-linux-${arch}-gnu`;
  if (platform === 'darwin') return `chromadb-js-bindings-darwin-${arch}`;
  return `chromadb-js-bindings-${platform}-${arch}-msvc`;
}

/** chromadb's `chroma` command (its package exports no path to it, so it is found beside the client). */
function chromaCli(): string {
  return join(dirname(require.resolve('chromadb')), '..', 'cli.mjs');
}

/** Whether this platform's server binary is installed (npm leaves it out on a platform it was not built for). */
export function chromaServerInstalled(): boolean {
  try {
    createRequire(chromaCli()).resolve(bindingPackage());
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface ChromaServer {
  url: string;
  /** The server process, e.g. to read its memory. */
  pid: number;
  stop(): Promise<void>;
}

/** Starts `chroma run` on a free local port with its data in `dataDir`; resolves once the server answers. */
export async function startChromaServer(dataDir: string, timeoutMs = 60_000): Promise<ChromaServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [chromaCli(), 'run', '--path', dataDir, '--host', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-4_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: number | string | null = null;
  const exit = once(child, 'exit').then(([code, signal]) => (exited = (code as number | null) ?? (signal as string)));

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(killer);
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`chroma run --path ${dataDir} exited (${exited}) before answering on ${url}:\n${output}`);
    try {
      if ((await fetch(`${url}/api/v2/heartbeat`)).ok) return { url, pid: child.pid!, stop };
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`chroma run --path ${dataDir} did not answer on ${url} within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
