// The context map webview: the server's SVG, and beside it the evidence of the relation the user
// clicks, each item a link that opens the file at the line. Pure functions, tested without VS Code.

/** The server command that builds the map (workspace/executeCommand). */
export const SERVER_COMMAND = 'pattern-language.showContextMap';

export interface Evidence {
  path: string;
  line: number;
  message: string;
}

export interface Relation {
  from: string;
  to: string;
  kind: string;
  evidence: Evidence[];
}

export interface ContextMap {
  contexts: { id: string; apps: string[]; database: string | null; patterns: string[] }[];
  relations: Relation[];
}

/** What the server answers to the command. */
export interface MapResult {
  svg: string;
  map: ContextMap;
  path?: string | null;
}

/** A message from the webview asking to open a file. */
export interface OpenMessage {
  type: 'open';
  path: string;
  line: number;
}

/** Validates a message from the webview: only `open` with a path and a positive line. */
export function parseOpenMessage(msg: unknown): OpenMessage | undefined {
  if (typeof msg !== 'object' || msg === null) return undefined;
  const m = msg as Record<string, unknown>;
  if (m.type !== 'open' || typeof m.path !== 'string' || m.path.length === 0) return undefined;
  const line = typeof m.line === 'number' && Number.isFinite(m.line) && m.line >= 1 ? Math.floor(m.line) : 1;
  return { type: 'open', path: m.path, line };
}

/** Checks the server's answer has the shape the view needs. */
export function parseMapResult(value: unknown): MapResult | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.svg !== 'string' || typeof v.map !== 'object' || v.map === null) return undefined;
  const map = v.map as Record<string, unknown>;
  if (!Array.isArray(map.contexts) || !Array.isArray(map.relations)) return undefined;
  return { svg: v.svg, map: v.map as ContextMap, path: typeof v.path === 'string' ? v.path : null };
}

/** The relations an arrow stands for (`data-relation="0,2"`). */
export function relationsOf(map: ContextMap, dataRelation: string): Relation[] {
  return dataRelation
    .split(',')
    .map((s) => Number(s))
    .filter((i) => Number.isInteger(i) && i >= 0 && i < map.relations.length)
    .map((i) => map.relations[i]);
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** The webview's HTML: the SVG inline, the evidence panel, and a script with `nonce`. */
export function mapHtml(result: MapResult, nonce: string, cspSource: string): string {
  // The SVG comes from our own server, but anything script-like is dropped all the same.
  const svg = result.svg.replace(/<script[\s\S]*?<\/script>/gi, '').replace(/\son[a-z]+="[^"]*"/gi, '');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource} data:; style-src ${cspSource} 'unsafe-inline'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>Context map</title>
<style>
  body { margin: 0; display: flex; height: 100vh; font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
  #map { flex: 3; overflow: auto; background: #ffffff; }
  #panel { flex: 1; min-width: 260px; overflow: auto; padding: 8px 12px; border-left: 1px solid var(--vscode-panel-border); }
  #panel a { color: var(--vscode-textLink-foreground); cursor: pointer; text-decoration: none; }
  #panel li { margin-bottom: 6px; }
  g.relation:hover path { stroke-width: 4; }
  .kind { font-weight: bold; }
</style>
</head>
<body>
<div id="map">${svg}</div>
<div id="panel"><p>Click an arrow to see the evidence of its relations; click a line to open the file there.</p></div>
<script nonce="${nonce}">
(function () {
  const vscode = acquireVsCodeApi();
  const map = ${scriptJson(result.map)};
  const panel = document.getElementById('panel');
  function show(ids) {
    panel.textContent = '';
    ids.split(',').map(Number).filter((i) => Number.isInteger(i) && map.relations[i]).forEach((i) => {
      const r = map.relations[i];
      const h = document.createElement('h3');
      h.textContent = r.from + ' \u2192 ' + r.to + ': ';
      const k = document.createElement('span');
      k.className = 'kind';
      k.textContent = r.kind;
      h.appendChild(k);
      panel.appendChild(h);
      const ul = document.createElement('ul');
      r.evidence.forEach((e) => {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.textContent = e.path + ':' + e.line;
        a.addEventListener('click', () => vscode.postMessage({ type: 'open', path: e.path, line: e.line }));
        li.appendChild(a);
        li.appendChild(document.createTextNode(' ' + e.message));
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    });
  }
  document.querySelectorAll('g.relation').forEach((g) => {
    g.addEventListener('click', () => show(g.getAttribute('data-relation') || ''));
  });
})();
</script>
</body>
</html>`;
}

/** A random nonce for the webview's script. */
export function makeNonce(random: () => number = Math.random): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let out = '';
  for (let i = 0; i < 32; i++) out += chars.charAt(Math.floor(random() * chars.length));
  return out;
}
