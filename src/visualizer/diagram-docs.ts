// The generated parts of README.md and docs/machines.md: each machine's diagram between markers
// `<!-- diagram:NAME -->` and `<!-- /diagram -->`, rewritten by scripts/gen-diagrams.ts and checked by a test,
// so the docs show the machines as they are defined.
import { toMermaid } from './render-text.js';
import { statechartOf, type MachineName } from './statechart.js';

const BLOCK = /(<!-- diagram:(\w+) -->\n)[\s\S]*?(<!-- \/diagram -->)/g;

export function diagramBlock(name: MachineName): string {
  return `\`\`\`mermaid\n${toMermaid(statechartOf(name))}\`\`\`\n`;
}

/** The text with every diagram block replaced by the current diagram of its machine. */
export function refreshDiagrams(text: string): string {
  return text.replace(BLOCK, (_all, open: string, name: string, close: string) =>
    `${open}${diagramBlock(name as MachineName)}${close}`);
}
