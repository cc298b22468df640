// The computation graph as Graphviz dot or Mermaid: one box per node,
// labelled with its op (or name) and shape, edges from arguments to their
// users; backward nodes drawn apart (a dashed cluster, a warm fill).

import { formatShape } from "../tensor/shape.js";
import { reachable, type Node } from "./node.js";

export interface GraphPicture {
  readonly title: string;
  readonly forward: readonly Node[];
  /** Gradients, each with the label of its result (∂L/∂W1). */
  readonly results: readonly { readonly label: string; readonly node: Node }[];
  readonly names: ReadonlyMap<Node, string>;
}

function label(n: Node, names: ReadonlyMap<Node, string>): string {
  const shape = formatShape(n.shape);
  if (n.op === "var") return `${n.attrs.name} (${n.attrs.role})\n${shape}`;
  if (n.op === "const") return String(n.attrs.value);
  const detail = n.attrs.indices !== undefined ? `[${n.attrs.indices.join(", ")}]` : "";
  const name = names.get(n);
  return `${name !== undefined ? `${name} = ` : ""}${n.op}${detail}\n${shape}`;
}

function split(p: GraphPicture) {
  const forward = reachable(p.forward);
  const inForward = new Set(forward);
  const backward = reachable(p.results.map((r) => r.node)).filter((n) => !inForward.has(n));
  return { forward, backward, all: [...forward, ...backward] };
}

const dotString = (s: string) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

export function toDot(p: GraphPicture): string {
  const { forward, backward, all } = split(p);
  const lines = [`digraph ${dotString(p.title)} {`, "  rankdir=BT;", '  node [shape=box, fontname="Helvetica"];'];
  const cluster = (name: string, title: string, nodes: readonly Node[], style: string) => {
    lines.push(`  subgraph cluster_${name} {`, `    label=${dotString(title)};`, `    ${style}`);
    for (const n of nodes) lines.push(`    n${n.id} [label=${dotString(label(n, p.names))}];`);
    lines.push("  }");
  };
  cluster("forward", "forward", forward, "style=solid;");
  cluster("backward", "backward", backward, 'style=dashed; node [style=filled, fillcolor="#fde0d0"];');
  p.results.forEach((r, i) => lines.push(`  result${i} [label=${dotString(r.label)}, shape=ellipse];`, `  n${r.node.id} -> result${i};`));
  for (const n of all) for (const a of n.args) lines.push(`  n${a.id} -> n${n.id};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

const mermaidString = (s: string) => `"${s.replace(/"/g, "#quot;").replace(/\n/g, "<br/>")}"`;

export function toMermaid(p: GraphPicture): string {
  const { forward, backward, all } = split(p);
  const lines = ["flowchart BT"];
  lines.push("  subgraph forward");
  for (const n of forward) lines.push(`    n${n.id}[${mermaidString(label(n, p.names))}]`);
  lines.push("  end", "  subgraph backward");
  for (const n of backward) lines.push(`    n${n.id}[${mermaidString(label(n, p.names))}]:::backward`);
  lines.push("  end");
  p.results.forEach((r, i) => lines.push(`  result${i}([${mermaidString(r.label)}])`, `  n${r.node.id} --> result${i}`));
  for (const n of all) for (const a of n.args) lines.push(`  n${a.id} --> n${n.id}`);
  lines.push("  classDef backward fill:#fde0d0,stroke-dasharray: 4 2");
  return `${lines.join("\n")}\n`;
}
