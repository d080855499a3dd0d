/**
 * A dependency-free SVG plot of accuracy against mean LLM calls per question, one point per method.
 */
export interface PlotPoint {
  label: string;
  calls: number;
  accuracy: number;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] as string);
}

export function accuracyCallsSvg(points: readonly PlotPoint[], title: string): string {
  const width = 640;
  const height = 420;
  const m = { left: 64, right: 24, top: 48, bottom: 56 };
  const maxCalls = Math.max(1, ...points.map((p) => p.calls)) * 1.1;
  const x = (calls: number) => m.left + (calls / maxCalls) * (width - m.left - m.right);
  const y = (acc: number) => height - m.bottom - acc * (height - m.top - m.bottom);
  const colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"];
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  ];
  for (let t = 0; t <= 10; t += 2) {
    const acc = t / 10;
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${y(acc)}" y2="${y(acc)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 8}" y="${y(acc) + 4}" text-anchor="end">${acc.toFixed(1)}</text>`);
  }
  const step = maxCalls > 8 ? 2 : 1;
  for (let c = 0; c <= maxCalls; c += step) {
    parts.push(`<text x="${x(c)}" y="${height - m.bottom + 18}" text-anchor="middle">${c}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}" stroke="#333"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${height - m.bottom}" stroke="#333"/>`);
  parts.push(`<text x="${width / 2}" y="${height - 16}" text-anchor="middle">mean LLM calls per question</text>`);
  parts.push(`<text x="18" y="${height / 2}" text-anchor="middle" transform="rotate(-90 18 ${height / 2})">accuracy</text>`);
  points.forEach((p, i) => {
    const color = colors[i % colors.length];
    parts.push(`<circle cx="${x(p.calls).toFixed(1)}" cy="${y(p.accuracy).toFixed(1)}" r="6" fill="${color}"/>`);
    // Labels of points near the right edge go to their left so that they stay inside the plot.
    const right = x(p.calls) > width * 0.7;
    const lx = right ? x(p.calls) - 9 : x(p.calls) + 9;
    parts.push(
      `<text x="${lx.toFixed(1)}" y="${(y(p.accuracy) - 8).toFixed(1)}" fill="${color}"${right ? ' text-anchor="end"' : ""}>${escapeXml(p.label)} (${p.accuracy.toFixed(3)})</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
