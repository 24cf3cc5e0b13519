// HTTP requests from inside a network namespace (the daemon's TCP control listener lives in the lab's server
// namespace): a node child under `ip netns exec` runs fetch and prints the status and body as one JSON line.
import { run } from './proc.js';

export interface NsResponse {
  readonly status: number;
  readonly text: string;
  readonly json?: unknown;
}

const SCRIPT = `
const [url, method, token, body, type] = process.argv.slice(1);
const headers = {};
if (token) headers.authorization = token;
if (body) headers['content-type'] = type || 'application/json';
fetch(url, { method, headers, body: body || undefined })
  .then(async (r) => console.log(JSON.stringify({ status: r.status, text: await r.text() })))
  .catch((e) => { console.log(JSON.stringify({ status: 0, text: String(e) })); });
`;

export async function nsFetch(
  ns: string,
  url: string,
  opts: { method?: string; authorization?: string; body?: string; contentType?: string } = {},
): Promise<NsResponse> {
  const args = [url, opts.method ?? 'GET', opts.authorization ?? '', opts.body ?? '', opts.contentType ?? ''];
  const out = await run('ip', ['netns', 'exec', ns, process.execPath, '-e', SCRIPT, ...args], { timeoutMs: 20_000 });
  const { status, text } = JSON.parse(out.trim().split('\n').pop() as string) as { status: number; text: string };
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { status, text, ...(json === undefined ? {} : { json }) };
}
